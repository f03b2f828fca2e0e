// insgate — the Unix-socket listener of the local API.
//
// Source rule: local-api.md (Transport, Caller identity). Binds the socket
// (or adopts the one systemd passed), applies its mode, and accepts. A caller
// outside api.utilisateurs_autorises / groupes_autorises (SO_PEERCRED, checked at accept)
// gets 403 and is closed at once, and one over max_connections (counted over
// all listeners, see session_registry.hpp) gets 503: neither holds a
// connection slot. Running out of file descriptors pauses accepting instead
// of spinning. The connection itself is served by http_session.hpp.
// [io-thread] Every member runs on the one io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "api/http_session.hpp"
#include "api/listen_error.hpp"
#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::api {

class UnixServer {
 public:
  /// `ctx.registry` is shared with the other listeners.
  explicit UnixServer(asio::io_context& io, SessionContext ctx);
  ~UnixServer();

  /// Adopts the socket passed by systemd socket activation when there is
  /// one; otherwise binds the socket (replacing a stale one) and applies the
  /// mode. Then starts accepting. @throw ListenError
  void start();
  /// Stops accepting and removes the socket file (the sessions are stopped
  /// by the registry).
  void stop();

 private:
  /// The connected process, from SO_PEERCRED (uid/gid -1 if unknown).
  struct Peer {
    long uid = -1;
    long gid = -1;
    bool allowed = true;  ///< per api.utilisateurs_autorises / groupes_autorises
    std::vector<unsigned> groups;  ///< supplementary groups (SO_PEERGROUPS)
  };
  using Stream = beast::basic_stream<Local, asio::any_io_executor, beast::unlimited_rate_policy>;

  /// Adopts the listening socket systemd passed (LISTEN_FDS), if any.
  bool adopt_activated_socket();
  asio::awaitable<void> accept_loop();
  Peer peer_of(Local::socket& socket) const;

  asio::io_context& io_;
  SessionContext ctx_;
  Local::acceptor acceptor_;
  bool stopping_ = false;
  bool activated_ = false;
};

}  // namespace insgate::api

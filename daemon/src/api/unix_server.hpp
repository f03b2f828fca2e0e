// insgate — the HTTP/1.1 listener of the local API on a Unix socket.
//
// Source rule: local-api.md (Transport): keep-alive, bodies of at most
// 64 KiB, X-Request-Id on every response. Timeouts: a started request header
// must be complete within header_timeout; an idle keep-alive connection is
// closed after idle_timeout; a body that stalls gets 408. At most
// max_connections at once (more are closed at once); running out of file
// descriptors pauses accepting instead of spinning. A caller outside
// api.allowed_users / allowed_groups (SO_PEERCRED, checked at accept) gets
// 403 and is closed at once, and one over max_connections gets 503: neither
// holds a connection slot.
// [io-thread] Every member runs on the one io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>
#include <stdexcept>

#include "api/router.hpp"
#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::metrics {
class Metrics;
}

namespace insgate::api {

/// The socket path cannot be used (in use by a live process, not a socket,
/// permission).
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class UnixServer {
 public:
  UnixServer(asio::io_context& io, const config::ApiConfig& cfg, Router& router,
             metrics::Metrics* metrics = nullptr);
  ~UnixServer();

  /// Adopts the socket passed by systemd socket activation when there is
  /// one; otherwise binds the socket (replacing a stale one) and applies the
  /// mode. Then starts accepting. @throw ListenError
  void start();
  /// Stops accepting and removes the socket file; idle connections are
  /// closed, busy ones get their answer (with Connection: close) first.
  void stop();
  /// At the end of the stop drain: answers every request still in progress
  /// 503 `arret_en_cours` (Connection: close) and logs it, so that no
  /// caller is left with a connection closed without an answer.
  void abort_busy();

  std::size_t open_connections() const { return sessions_->size(); }
  /// Requests being handled (waiting on INSi) right now.
  std::size_t busy() const { return in_flight_; }
  bool stopping() const { return stopping_; }

 private:
  using Stream = beast::basic_stream<Local, asio::any_io_executor, beast::unlimited_rate_policy>;
  /// Open sessions and whether each is handling a request. Shared with the
  /// session coroutines so that none outlives what it unregisters from.
  struct SessionState {
    bool busy = false;       ///< handling a request (waiting on INSi, typically)
    std::string requete_id;  ///< of that request
    unsigned version = 11;   ///< its HTTP version
  };
  using Sessions = std::map<Stream*, SessionState>;

  /// Adopts the listening socket systemd passed (LISTEN_FDS), if any.
  bool adopt_activated_socket();
  asio::awaitable<void> accept_loop();
  /// The connected process, from SO_PEERCRED (uid/gid -1 if unknown).
  struct Peer {
    long uid = -1;
    long gid = -1;
    bool allowed = true;  ///< per api.allowed_users / allowed_groups
  };
  asio::awaitable<void> session(Local::socket socket, Peer peer);
  /// Writes `answer` (Connection: close) on a connection that is not served
  /// (caller not allowed: 403; over max_connections: 503) and closes it.
  asio::awaitable<void> refuse(Local::socket socket, ApiResponse answer);
  Peer peer_of(Local::socket& socket) const;
  asio::awaitable<bool> serve_one(Stream& stream, beast::flat_buffer& buffer, const Peer& peer);

  asio::io_context& io_;
  config::ApiConfig cfg_;
  Router& router_;
  metrics::Metrics* metrics_;
  Local::acceptor acceptor_;
  std::shared_ptr<Sessions> sessions_ = std::make_shared<Sessions>();
  bool stopping_ = false;
  bool activated_ = false;
  std::size_t in_flight_ = 0;
};

}  // namespace insgate::api

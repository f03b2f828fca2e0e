// insgate — the optional TCP listener of the local API (api.tcp), for care
// software that cannot speak HTTP over a Unix socket.
//
// Source rule: local-api.md (Transport): off by default; loopback unless
// client-certificate TLS is configured (config.cpp refuses anything else).
// With api.tcp.tls every connection starts with a TLS handshake that
// requires a client certificate chained to ca_clients (listener_tls.hpp); a
// failed handshake is logged and closed, nothing else happens. The session
// is the Unix socket's (http_session.hpp): same router, limits, timeouts,
// X-Request-Id, [API_REQUEST] line (naming "peer ADDRESS:PORT" and, with
// TLS, the client certificate's CN), stop drain. api.utilisateurs_autorises /
// allowed_groups do not apply (there is no SO_PEERCRED on TCP).
//
// api.connexions_max applies to this listener on its own (TLS handshakes in
// progress count), so network callers cannot take the socket's slots. Over the limit, a plain connection
// gets 503 service_sature like on the socket, a TLS one is closed before the
// handshake (answering would cost the handshake the limit protects from).
// [io-thread] Every member runs on the one io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

#include "api/http_session.hpp"
#include "net/net.hpp"

#include <boost/beast/ssl.hpp>  // only the TCP listener needs Beast's TLS stream

#include "config/config.hpp"

namespace insgate::api {

class TcpServer {
 public:
  /// `ctx.cfg.tcp` must be enabled; `ctx.registry` is shared with the other
  /// listeners. @throw ListenError when the TLS files cannot be used
  TcpServer(asio::io_context& io, SessionContext ctx);
  ~TcpServer();

  /// Binds api.tcp.ecoute and starts accepting. @throw ListenError
  void start();
  /// Stops accepting (the sessions are stopped by the registry).
  void stop();
  /// The bound port.
  unsigned short port() const;

 private:
  using Tcp = asio::ip::tcp;
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  asio::awaitable<void> accept_loop();
  /// Handshake, then the session (or 503 if the listeners filled up meanwhile).
  asio::awaitable<void> serve_tls(Tcp::socket socket, std::string peer);

  asio::io_context& io_;
  SessionContext ctx_;
  std::shared_ptr<ssl::context> tls_;  ///< null: plain HTTP (loopback)
  Tcp::acceptor acceptor_;
  bool stopping_ = false;
  Clock::time_point last_tls_warning_{};
};

}  // namespace insgate::api

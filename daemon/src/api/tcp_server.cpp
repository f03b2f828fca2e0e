// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/tcp_server.hpp"

#include <spdlog/spdlog.h>

#include "api/listen_error.hpp"
#include "api/listener_tls.hpp"

namespace insgate::api {
namespace {

using detail::with_ec;

/// "peer 127.0.0.1:51234" / "peer [::1]:51234" ("peer ?" once disconnected).
std::string peer_of(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return "peer ?";
  const auto a = ep.address();
  return "peer " + (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
         std::to_string(ep.port());
}

}  // namespace

TcpServer::TcpServer(asio::io_context& io, SessionContext ctx)
    : io_(io), ctx_(std::move(ctx)), acceptor_(io) {
  if (ctx_.cfg.tcp.tls) tls_ = make_listener_tls(ctx_.cfg.tcp.tls_files);
}

TcpServer::~TcpServer() { stop(); }

void TcpServer::start() {
  const auto& t = ctx_.cfg.tcp;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(t.address, ec);
  if (ec) throw ListenError("api.tcp.ecoute: bad address " + t.address);
  Tcp::endpoint ep(address, t.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw ListenError("api.tcp.ecoute: cannot listen on " + t.listen + " (" + ec.message() + ")");
  spdlog::info("[API_TCP] local API also on {} ({})", t.listen,
               tls_ ? "TLS, client certificate required (" + t.tls_files.ca_clients_file + ")"
                    : std::string("plain HTTP, loopback only"));
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void TcpServer::stop() {
  if (stopping_) return;
  stopping_ = true;
  boost::system::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
}

unsigned short TcpServer::port() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec).port();
}

asio::awaitable<void> TcpServer::accept_loop() {
  auto last_warning = Clock::time_point{};
  asio::steady_timer pause(io_);
  while (!stopping_) {
    boost::system::error_code ec;
    Tcp::socket socket = co_await acceptor_.async_accept(with_ec(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      // e.g. EMFILE: keep serving the connections we have, retry shortly.
      if (Clock::now() - last_warning > std::chrono::minutes(1)) {
        spdlog::warn("[API_ACCEPT] TCP accept failed ({}); pausing new connections",
                     ec.message());
        last_warning = Clock::now();
      }
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(with_ec(ec));
      continue;
    }
    socket.set_option(Tcp::no_delay(true), ec);
    if (ctx_.registry->full(Listener::tcp)) {
      if (Clock::now() - last_warning > std::chrono::minutes(1)) {
        spdlog::warn("[API_LIMIT] {} connections open: new ones are refused",
                     ctx_.cfg.max_connections);
        last_warning = Clock::now();
      }
      if (tls_) {
        socket.close(ec);
      } else {
        asio::co_spawn(io_, refuse(ctx_.registry, beast::tcp_stream(std::move(socket)), saturated()),
                       asio::detached);
      }
      continue;
    }
    std::string peer = peer_of(socket);
    if (tls_) {
      ctx_.registry->handshake_started();
      asio::co_spawn(io_, serve_tls(std::move(socket), std::move(peer)), asio::detached);
    } else {
      Caller caller;
      caller.kind = Caller::Kind::tcp;
      caller.label = std::move(peer);
      asio::co_spawn(io_,
                     run_session(ctx_, beast::tcp_stream(std::move(socket)), std::move(caller)),
                     asio::detached);
    }
  }
}

asio::awaitable<void> TcpServer::serve_tls(Tcp::socket socket, std::string peer) {
  auto tls = tls_;  // the context outlives the stream whatever happens to *this
  TlsStream stream(std::move(socket), *tls);
  beast::get_lowest_layer(stream).expires_after(ctx_.cfg.header_timeout);
  boost::system::error_code ec;
  co_await stream.async_handshake(ssl::stream_base::server, with_ec(ec));
  ctx_.registry->handshake_ended();
  if (ec) {
    // A caller without a certificate from ca_clients, or not speaking TLS.
    // Said at most once a minute (a misconfigured client retries in a loop).
    if (Clock::now() - last_tls_warning_ > std::chrono::minutes(1)) {
      spdlog::warn("[API_TLS_REFUSED] TLS handshake with {} failed: {} (said once a minute)",
                   peer, ec.message());
      last_tls_warning_ = Clock::now();
    }
    beast::get_lowest_layer(stream).close();
    co_return;
  }
  Caller caller = tls_caller(stream.native_handle());
  caller.label = peer + ", CN " + client_cn(stream.native_handle());
  // The awaitables are made outside the co_await expressions: g++ 12 mishandles
  // temporaries with destructors there (here, the by-value arguments).
  if (ctx_.registry->full(Listener::tcp) || ctx_.registry->stopping()) {
    ApiResponse answer = ctx_.registry->stopping() ? stopping_now() : saturated();
    auto refusal = refuse(ctx_.registry, std::move(stream), std::move(answer));
    co_await std::move(refusal);
    co_return;
  }
  auto session = run_session(ctx_, std::move(stream), std::move(caller));
  co_await std::move(session);
}

}  // namespace insgate::api

// insgate — one connection of the local API, whatever carries it: the Unix
// socket (beast::basic_stream<Local>), plain TCP (beast::tcp_stream) or TLS
// (beast::ssl_stream<beast::tcp_stream>). The listeners (unix_server.hpp,
// tcp_server.hpp) accept and identify the caller; everything from the first
// byte to the close is here, once.
//
// Source rule: local-api.md (Transport): keep-alive, bodies of at most
// 64 KiB, X-Request-Id on every response. Timeouts: a started request header
// must be complete within header_timeout (else 408); an idle keep-alive connection is
// closed after idle_timeout; a body that stalls gets 408. Sizes and the
// deadlines of chunk-size lines: request_reader.hpp. An allocation failure
// while serving a connection closes that connection only. Every request is
// logged as one [API_REQUEST] line naming the caller (`caller`: "uid 1000",
// "peer 127.0.0.1:51234", "peer …, CN …"), never identity data.
// [io-thread] Every function runs on the one io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "api/http_exchange.hpp"
#include "api/request_reader.hpp"
#include "api/router.hpp"
#include "api/session_registry.hpp"
#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "net/net.hpp"
#include "util/ids.hpp"

namespace insgate::api {

/// What every session of every listener shares.
struct SessionContext {
  const config::ApiConfig& cfg;
  Router& router;
  metrics::Metrics* metrics;
  /// Shared with the session coroutines so that none outlives what it
  /// unregisters from.
  std::shared_ptr<SessionRegistry> registry;
  Listener listener = Listener::unix_socket;  ///< whose slots a session takes
};

namespace detail {

/// The registry's handle on a session's stream.
template <class Stream>
class StreamConnection final : public Connection {
 public:
  explicit StreamConnection(Stream& s) : stream_(s) {}
  void close() override { beast::get_lowest_layer(stream_).close(); }
  /// Never blocks: the socket is switched to non-blocking first, so a
  /// caller that reads nothing (its buffer full) gets a truncated answer or
  /// none, and the stop goes on.
  void write_now(const Response& res) override {
    boost::system::error_code ec;
    beast::get_lowest_layer(stream_).socket().non_blocking(true, ec);
    if (!ec) http::write(stream_, res, ec);
  }

 private:
  Stream& stream_;
};

}  // namespace detail

/// After an answer that ends the connection before the request was read in
/// full: stop sending, then read and drop what the caller still sends until
/// it closes, `limit` bytes are dropped, or the stream's deadline expires.
/// Closing on unread bytes would make the caller's own write fail (EPIPE or
/// reset) before it could read the answer.
template <class Stream>
asio::awaitable<void> drain_before_close(Stream& stream, std::size_t limit) {
  boost::system::error_code ec;
  auto& socket = beast::get_lowest_layer(stream).socket();
  socket.shutdown(asio::socket_base::shutdown_send, ec);
  std::vector<char> sink(16 * 1024);
  for (std::size_t drained = 0; !ec && drained < limit;)
    drained += co_await stream.async_read_some(asio::buffer(sink), detail::with_ec(ec));
}

/// Writes `answer` (Connection: close) on a connection that is not served
/// (caller not allowed: 403; over max_connections: 503) and closes it. The
/// request is not read; what the caller sends is dropped (see
/// drain_before_close). At most one second in all. Holds no connection slot,
/// but one of the registry's kMaxRefusals: beyond them the connection is
/// closed at once, unanswered.
template <class Stream>
asio::awaitable<void> refuse(std::shared_ptr<SessionRegistry> registry, Stream stream,
                             ApiResponse answer) {
  if (!registry->begin_refusal()) {
    beast::get_lowest_layer(stream).close();
    co_return;
  }
  struct End {
    SessionRegistry& r;
    ~End() { r.end_refusal(); }
  } end{*registry};
  auto res = to_http(answer, 11, false, util::new_uuid());
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
  co_await http::async_write(stream, res, detail::with_ec(ec));
  if (!ec) co_await drain_before_close(stream, 64 * 1024);
  beast::get_lowest_layer(stream).close();
}

/// Reads one request, has the router answer it, writes the answer.
/// @return whether the connection stays open for another request.
template <class Stream>
asio::awaitable<bool> serve_one(const SessionContext& ctx, Stream& stream, Connection& conn,
                                beast::flat_buffer& buffer, const Caller& caller) {
  const auto& cfg = ctx.cfg;
  auto& lowest = beast::get_lowest_layer(stream);
  boost::system::error_code ec;
  // Idle keep-alive wait: nothing received yet for the next request.
  if (buffer.size() == 0) {
    lowest.expires_after(cfg.idle_timeout);
    std::size_t n = co_await stream.async_read_some(buffer.prepare(8192), detail::with_ec(ec));
    if (ec) co_return false;
    buffer.commit(n);
  }
  // The bounds of request_reader.hpp; the deadlines below answer 408
  // instead of closing.
  BoundedRequestParser reader(cfg.body_limit);
  lowest.expires_never();
  ec = co_await read_header(stream, buffer, reader, cfg.header_timeout);
  std::optional<ApiResponse> early;
  if (!ec) {
    const auto& head = reader.parser().get();
    if (unsupported_transfer_coding(head)) {
      early = problem(501, "requete_invalide", "Codage de transfert non pris en charge",
                      "Seul Transfer-Encoding: chunked est accepté.");
    } else {
      if (beast::iequals(head[http::field::expect], "100-continue")) {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        lowest.expires_after(cfg.idle_timeout);
        co_await http::async_write(stream, cont, detail::with_ec(ec));
      }
      if (!ec) {
        lowest.expires_never();
        ec = co_await read_body(stream, buffer, reader, cfg.header_timeout, cfg.idle_timeout);
      }
    }
  }
  if (ec && !early) {
    if (answerable(ec)) early = read_failure(ec);
    else co_return false;
  }
  if (early) {
    auto res = to_http(*early, 11, false, util::new_uuid());
    lowest.expires_after(cfg.idle_timeout);
    co_await http::async_write(stream, res, detail::with_ec(ec));
    if (!ec) {
      lowest.expires_after(std::chrono::seconds(1));
      co_await drain_before_close(stream, 16 * 1024 * 1024);
    }
    co_return false;
  }

  const Request& req = reader.parser().get();
  std::string requete_id = request_id_of(req);
  auto started = Clock::now();
  lowest.expires_never();  // the INSi calls carry their own deadlines
  ctx.registry->begin_request(&conn, requete_id, req.version());
  ApiResponse api = co_await ctx.router.handle(req, requete_id, caller);
  ctx.registry->end_request(&conn);
  bool keep_alive = req.keep_alive() && !ctx.registry->stopping();
  auto res = to_http(api, req.version(), keep_alive, requete_id);
  auto elapsed = Clock::now() - started;
  spdlog::info("[API_REQUEST] {} -> {} in {} ms (request {}, {})", loggable(req), api.status,
               std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), requete_id,
               caller.label);
  if (ctx.metrics)
    ctx.metrics->api_request(route_label(sv(req.target())), static_cast<int>(api.status),
                             std::chrono::duration<double>(elapsed).count());
  lowest.expires_after(cfg.idle_timeout);
  co_await http::async_write(stream, res, detail::with_ec(ec));
  co_return !ec && keep_alive;
}

/// Serves requests on `stream` until the caller closes, a timeout, an error,
/// a request without keep-alive, or the stop. The connection is counted in
/// ctx.registry (and the metrics) for its whole life; the listener checked
/// that there was room.
template <class Stream>
asio::awaitable<void> run_session(SessionContext ctx, Stream stream, Caller caller) {
  auto registry = ctx.registry;  // kept alive as long as this frame
  detail::StreamConnection<Stream> conn(stream);
  registry->add(&conn, ctx.listener);
  if (ctx.metrics) ctx.metrics->api_connection_opened();
  struct Unregister {
    std::shared_ptr<SessionRegistry> registry;
    Connection* conn;
    metrics::Metrics* metrics;
    ~Unregister() {
      registry->end_request(conn);  // when an exception left a request unanswered
      registry->remove(conn);
      if (metrics) metrics->api_connection_closed();
    }
  } unregister{registry, &conn, ctx.metrics};

  beast::flat_buffer buffer;
  try {
    while (!registry->stopping() && co_await serve_one(ctx, stream, conn, buffer, caller)) {
    }
  } catch (const std::bad_alloc&) {
    // Out of memory while serving this caller: this connection is closed,
    // the others go on (an allocation failure inside an Asio handler is
    // contained by app::run_event_loop in the same way).
    buffer.clear();
    buffer.shrink_to_fit();
    spdlog::error("[API_MEMORY] allocation failure while serving a connection ({}): closed",
                  caller.label);
  }
  auto& lowest = beast::get_lowest_layer(stream);
  boost::system::error_code ignored;
  lowest.socket().shutdown(asio::socket_base::shutdown_both, ignored);
  lowest.close();
}

}  // namespace insgate::api

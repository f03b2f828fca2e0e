// insgate benchmarks — the ceiling: the smallest Beast server our stack
// allows (one thread, one io_context, C++20 coroutines, keep-alive) answering
// every request with a fixed JSON body of a given size over a Unix socket.
// Usage: bench_ceiling_server SOCKET BODY_BYTES
// SPDX-License-Identifier: GPL-3.0-or-later
#include <csignal>
#include <cstdio>
#include <string>

#include "net/net.hpp"

using namespace insgate;

namespace {

asio::awaitable<void> session(Local::socket socket, const std::string& body) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::server, "ceiling");
    res.set(http::field::content_type, "application/json; charset=utf-8");
    res.set("X-Request-Id", "00000000-0000-4000-8000-000000000000");
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    co_await http::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !req.keep_alive()) break;
  }
  socket.shutdown(Local::socket::shutdown_both, ec);
}

asio::awaitable<void> accept_loop(Local::acceptor& acceptor, const std::string& body) {
  for (;;) {
    auto socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), body), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SOCKET BODY_BYTES\n", argv[0]);
    return 2;
  }
  std::string path = argv[1];
  std::string body = "{\"x\":\"" + std::string(std::max(0, std::stoi(argv[2]) - 8), 'a') + "\"}";
  ::unlink(path.c_str());
  asio::io_context io(1);
  Local::acceptor acceptor(io, Local::endpoint(path));
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](auto, int) { io.stop(); });
  asio::co_spawn(io, accept_loop(acceptor, body), asio::detached);
  io.run();
  ::unlink(path.c_str());
  return 0;
}

// SPDX-License-Identifier: GPL-3.0-or-later
#include "load_phases.hpp"

namespace insgate::bench {

namespace {

using TlsStream = ssl::stream<beast::tcp_stream>;

/// N keep-alive connections on one client thread, `total` requests shared;
/// the first `warmup` are not recorded. Request n is requests[n % size].
template <class Stream, class Connect>
Phase run_phase(std::string key, std::string name, int conns, std::uint64_t total,
                std::uint64_t warmup, const std::vector<std::string>& requests, Connect connect) {
  Phase p;
  p.key = std::move(key);
  p.name = std::move(name);
  p.conns = conns;
  asio::io_context io(1);
  std::vector<std::unique_ptr<Stream>> streams;
  for (int i = 0; i < conns; ++i) streams.push_back(connect(io));
  std::uint64_t next = 0;
  SteadyClock::time_point started{};
  auto worker = [&](Stream& s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    for (;;) {
      std::uint64_t n = next++;
      if (n >= total + warmup) co_return;
      if (n == warmup) started = SteadyClock::now();
      auto t0 = SteadyClock::now();
      beast::error_code ec;
      co_await asio::async_write(s, asio::buffer(requests[n % requests.size()]), asio::redirect_error(asio::use_awaitable, ec));
      http::response<http::string_body> res;
      if (!ec) co_await http::async_read(s, buf, res, asio::redirect_error(asio::use_awaitable, ec));
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - t0).count();
      if (n >= warmup) {
        p.h.record(static_cast<std::uint64_t>(ns));
        ++p.requests;
        if (ec || res.result_int() != 200) ++p.errors;
      }
      if (ec) co_return;
    }
  };
  for (auto& s : streams) asio::co_spawn(io, worker(*s), asio::detached);
  io.run();
  p.seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  return p;
}

}  // namespace

Phase run_unix(std::string key, std::string name, const std::string& socket, int conns,
               std::uint64_t total, const std::vector<std::string>& requests,
               std::uint64_t warmup) {
  return run_phase<Local::socket>(std::move(key), std::move(name), conns, total, warmup, requests,
                                  [&](asio::io_context& io) {
                                    auto s = std::make_unique<Local::socket>(io);
                                    s->connect(Local::endpoint(socket));
                                    return s;
                                  });
}


Phase run_tls(std::string key, std::string name, const Workspace& ws, int port, int conns,
              std::uint64_t total, const std::string& request) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.use_certificate_chain_file(ws.pki("client.pem"));
  ctx.use_private_key_file(ws.pki("client.key"), ssl::context::pem);
  ctx.load_verify_file(ws.pki("ca.pem"));
  ctx.set_verify_mode(ssl::verify_peer);
  return run_phase<TlsStream>(std::move(key), std::move(name), conns, total, 100, {request},
                              [&](asio::io_context& io) {
                                auto s = std::make_unique<TlsStream>(io, ctx);
                                SSL_set_tlsext_host_name(s->native_handle(), "localhost");
                                s->set_verify_callback(ssl::host_name_verification("localhost"));
                                beast::get_lowest_layer(*s).connect(asio::ip::tcp::endpoint(
                                    asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
                                beast::get_lowest_layer(*s).socket().set_option(asio::ip::tcp::no_delay(true));
                                s->handshake(ssl::stream_base::client);
                                return s;
                              });
}

}  // namespace insgate::bench

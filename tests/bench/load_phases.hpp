// insgate load benchmarks — what the load scenarios share: phases of
// keep-alive requests from one client thread into a latency histogram, a
// daemon started with NOTIFY_SOCKET (time to READY=1), /proc/PID/status.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "e2e_env.hpp"
#include "histogram.hpp"
#include "net/net.hpp"
#include "process.hpp"

namespace insgate::bench {

using namespace insgate::testing;
using SteadyClock = std::chrono::steady_clock;

struct Phase {
  std::string key, name;
  int conns = 0;
  std::uint64_t requests = 0, errors = 0;
  double seconds = 0;
  Histogram h;
  double rps() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

inline std::string raw_post(const std::string& target, const std::string& body) {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

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

inline Phase run_unix(std::string key, std::string name, const std::string& socket, int conns,
               std::uint64_t total, const std::vector<std::string>& requests,
               std::uint64_t warmup = 200) {
  return run_phase<Local::socket>(std::move(key), std::move(name), conns, total, warmup, requests,
                                  [&](asio::io_context& io) {
                                    auto s = std::make_unique<Local::socket>(io);
                                    s->connect(Local::endpoint(socket));
                                    return s;
                                  });
}

using TlsStream = ssl::stream<beast::tcp_stream>;

inline Phase run_tls(std::string key, std::string name, const Workspace& ws, int port, int conns,
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

/// insgated started with NOTIFY_SOCKET pointing at a datagram socket of ours.
struct NotifiedDaemon {
  std::unique_ptr<ChildProcess> process;
  std::string socket;
  double ready_ms = -1;  ///< posix_spawn → READY=1
};

/// `cfg`: a configuration whose socket is ws.path(name + ".sock").
inline NotifiedDaemon start_notified(const Workspace& ws, const std::string& name,
                                     const std::string& cfg) {
  NotifiedDaemon d;
  d.socket = ws.path(name + ".sock");
  std::string notify = ws.path(name + ".notify");
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, notify.c_str(), sizeof addr.sun_path - 1);
  ::unlink(notify.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("bind " + notify);
  ::setenv("NOTIFY_SOCKET", notify.c_str(), 1);
  auto t0 = SteadyClock::now();
  d.process = std::make_unique<ChildProcess>(
      std::vector<std::string>{std::string(INSGATE_BIN_DIR) + "/insgated", "--config", cfg},
      ws.path(name + ".log"));
  ::unsetenv("NOTIFY_SOCKET");
  auto until = t0 + std::chrono::seconds(15);
  while (SteadyClock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char msg[4096];
    ssize_t n = ::recv(fd, msg, sizeof msg - 1, 0);
    if (n <= 0) continue;
    msg[n] = 0;
    if (std::strstr(msg, "READY=1")) {
      d.ready_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
      break;
    }
  }
  ::close(fd);
  if (d.ready_ms < 0) throw std::runtime_error("insgated never sent READY=1: " + read_file(ws.path(name + ".log")));
  return d;
}

inline long proc_status_kib(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  return 0;
}

inline std::string fmt_us(std::uint64_t ns) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", static_cast<double>(ns) / 1000.0);
  return b;
}

}  // namespace insgate::bench

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

/// N keep-alive connections to the Unix socket `socket` on one client
/// thread, `total` requests shared; the first `warmup` are not recorded.
/// Request n is requests[n % size]. (Defined in load_phases.cpp only: GCC 12
/// mis-links a coroutine template instantiated in several files.)
Phase run_unix(std::string key, std::string name, const std::string& socket, int conns,
               std::uint64_t total, const std::vector<std::string>& requests,
               std::uint64_t warmup = 200);

/// The same over kept-alive mTLS to 127.0.0.1:`port` with the test PKI's
/// client certificate, 100 warm-up requests.
Phase run_tls(std::string key, std::string name, const Workspace& ws, int port, int conns,
              std::uint64_t total, const std::string& request);

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

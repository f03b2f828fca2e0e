// insgate — the HTTP listener Prometheus scrapes (issue #6). See metrics_server.hpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>

#include "metrics/metrics.hpp"

namespace insgate::metrics {

void check_listen_address(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw MetricsError("metrics: listen address must be HOST:PORT, got \"" + listen + "\"");
  }
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
    throw MetricsError("metrics: bad port in listen address \"" + listen + "\"");
  }
  unsigned char buf[16];
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (inet_pton(AF_INET6, host.c_str(), buf) != 1) {
      throw MetricsError("metrics: bad IPv6 address in \"" + listen + "\"");
    }
  } else if (inet_pton(AF_INET, host.c_str(), buf) != 1) {
    throw MetricsError("metrics: listen host must be an IPv4 address or [IPv6], got \"" +
                       listen + "\"");
  }
}

namespace {

/// Why `listen` (already checked by check_listen_address) cannot be bound:
/// civetweb only says "null context", so the daemon binds a socket of its
/// own to ask the kernel. "" when that bind works (the failure was elsewhere).
std::string bind_problem(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  const auto port = static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)));
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (host.front() == '[') {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    ::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::strerror(errno);
  const int one = 1;  // as civetweb: a port in TIME_WAIT is not "in use"
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  const int err = errno;
  ::close(fd);
  if (rc == 0) return "";
  switch (err) {
    case EADDRINUSE:
      return "already in use (another process listens there: stop it, or choose another port)";
    case EACCES:
      return "permission denied (ports below 1024 need privileges the service does not have)";
    case EADDRNOTAVAIL:
      return "address not available on this machine";
    default:
      return std::strerror(err);
  }
}

}  // namespace

MetricsServer::MetricsServer(const MetricsServerOptions& options,
                             const std::shared_ptr<prometheus::Registry>& registry)
    : current_(registry), path_(options.path) {
  check_listen_address(options.listen);
  if (path_.empty() || path_.front() != '/' || path_.find_first_of("?# ") != std::string::npos) {
    throw MetricsError("metrics: path must be absolute, got \"" + path_ + "\"");
  }
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(
        std::vector<std::string>{"listening_ports", options.listen, "num_threads", "2",
                                 "request_timeout_ms", "10000"});
  } catch (const std::exception& e) {
    const std::string why = bind_problem(options.listen);
    throw MetricsError(options.key + ": cannot listen on " + options.listen + ": " +
                       (why.empty() ? std::string(e.what()) : why));
  }
  exposer_->RegisterCollectable(current_, path_);
  const auto ports = exposer_->GetListeningPorts();
  if (!ports.empty()) port_ = static_cast<std::uint16_t>(ports.front());
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::replace(const std::shared_ptr<prometheus::Registry>& registry) {
  exposer_->RemoveCollectable(current_, path_);
  current_ = registry;
  exposer_->RegisterCollectable(current_, path_);
}

}  // namespace insgate::metrics

// insgate — the HTTP listener Prometheus scrapes (issue #6). See metrics_server.hpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics_server.hpp"

#include <arpa/inet.h>
#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <charconv>
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
    throw MetricsError("metrics: cannot listen on " + options.listen + ": " + e.what());
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

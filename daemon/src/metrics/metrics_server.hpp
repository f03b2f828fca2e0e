// insgate — the HTTP listener Prometheus scrapes (issue #6).
//
// A thin wrapper of prometheus::Exposer (prometheus-cpp pull, civetweb) on
// its own TCP address — default 127.0.0.1:9464, path /metrics — separate
// from the local API's Unix socket. It serves only the registries handed to
// it; civetweb runs its own threads, so scrapes never touch the io thread.
// Thread safety: [any-thread]; construct and destroy from one thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace insgate::metrics {

/// Configuration keys the daemon reads (suggested: `metrics.listen`,
/// `metrics.path`; `metrics.listen: ""` disables the listener).
struct MetricsServerOptions {
  /// "HOST:PORT" with an IPv4 address, or "[IPv6]:PORT". Port 0 picks a free
  /// port (tests); port() tells which.
  std::string listen = "127.0.0.1:9464";
  std::string path = "/metrics";  ///< absolute, no query
  /// The configuration key of `listen`, named by the errors.
  std::string key = "metriques.ecoute";
};

class MetricsServer {
 public:
  /// Binds and starts serving `registry` at once.
  /// @throw MetricsError when the address is malformed or cannot be bound;
  /// the message names the key and the address, and the cause when the
  /// system gives one ("already in use", permission, address not available).
  MetricsServer(const MetricsServerOptions& options,
                const std::shared_ptr<prometheus::Registry>& registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// Serves `registry` from now on instead of the previous one (reload with
  /// a new Metrics). The server keeps only a weak reference: the caller keeps
  /// the Metrics alive.
  void replace(const std::shared_ptr<prometheus::Registry>& registry);

  /// The bound TCP port (the real one when 0 was asked).
  std::uint16_t port() const { return port_; }

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::weak_ptr<prometheus::Registry> current_;
  std::string path_;
  std::uint16_t port_ = 0;
};

/// Parses "HOST:PORT" as MetricsServerOptions::listen accepts it.
/// @throw MetricsError naming the problem.
void check_listen_address(const std::string& listen);

}  // namespace insgate::metrics

// insgate — the listeners of the local API as one unit for the controller:
// the Unix socket, the optional TCP listener (api.tcp), and the registry of
// their connections (shared limit, shared graceful stop).
//
// Source rule: local-api.md (Transport). [io-thread] Every member runs on
// the one io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>

#include "api/session_registry.hpp"
#include "api/tcp_server.hpp"
#include "api/unix_server.hpp"
#include "config/config.hpp"

namespace insgate::api {

class ApiServer {
 public:
  /// @throw ListenError when the TCP listener's TLS files cannot be used
  ApiServer(asio::io_context& io, const config::ApiConfig& cfg, Router& router,
            metrics::Metrics* metrics = nullptr);

  /// Starts the Unix socket, then the TCP listener if configured.
  /// @throw ListenError
  void start();
  /// Stops accepting on every listener; idle connections are closed, busy
  /// ones get their answer (with Connection: close) first.
  void stop();
  /// At the end of the stop drain: every request still in progress is
  /// answered 503 `arret_en_cours` (see SessionRegistry::abort_busy).
  void abort_busy() { registry_->abort_busy(); }

  std::size_t open_connections() const { return registry_->size(); }
  /// Requests being handled (waiting on INSi) right now, on any listener.
  std::size_t busy() const { return registry_->busy(); }
  bool stopping() const { return registry_->stopping(); }

 private:
  config::ApiConfig cfg_;  // first: the listeners' contexts refer to it
  std::shared_ptr<SessionRegistry> registry_;
  UnixServer unix_;
  std::optional<TcpServer> tcp_;
};

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/api_server.hpp"

namespace insgate::api {

ApiServer::ApiServer(asio::io_context& io, const config::ApiConfig& cfg, Router& router,
                     metrics::Metrics* metrics)
    : cfg_(cfg),
      registry_(std::make_shared<SessionRegistry>(static_cast<std::size_t>(cfg_.max_connections))),
      unix_(io, SessionContext{cfg_, router, metrics, registry_, Listener::unix_socket}) {
  if (cfg_.tcp.enabled())
    tcp_.emplace(io, SessionContext{cfg_, router, metrics, registry_, Listener::tcp});
}

void ApiServer::start() {
  unix_.start();
  if (tcp_) tcp_->start();
}

void ApiServer::stop() {
  unix_.stop();
  if (tcp_) tcp_->stop();
  registry_->stop();
}

}  // namespace insgate::api

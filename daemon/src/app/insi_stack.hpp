// insgate — the INSi transport the daemon uses, built from one
// configuration: the mutual-TLS client, wrapped by the recorded-answer
// replay when `insi.rejeu` is set. Rebuilt as a whole on SIGHUP.
// [io-thread]
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "config/config.hpp"
#include "insi/insi_client.hpp"
#include "insi/rejeu_transport.hpp"

namespace insgate::app {

class InsiStack : public insi::InsiTransport {
 public:
  InsiStack(asio::any_io_executor ex, std::shared_ptr<ssl::context> tls,
            const config::InsiConfig& cfg, insi::HandshakeHook on_handshake = {})
      : client_(std::move(ex), std::move(tls), cfg.endpoint, cfg.deadlines.connect,
                static_cast<std::size_t>(cfg.max_connections), std::move(on_handshake)) {
    if (!cfg.rejeu.empty()) rejeu_ = std::make_unique<insi::RejeuTransport>(client_, cfg.rejeu);
  }

  asio::awaitable<insi::PostResult> post(std::string soap_action, std::string body,
                                         Clock::time_point deadline) override {
    if (rejeu_) return rejeu_->post(std::move(soap_action), std::move(body), deadline);
    return client_.post(std::move(soap_action), std::move(body), deadline);
  }

  void close_idle() { client_.close_idle(); }
  std::size_t close_idle_older_than(Clock::duration d) { return client_.close_idle_older_than(d); }
  insi::PoolCounts pool_counts() const { return client_.counts(); }
  std::size_t rejeu_size() const { return rejeu_ ? rejeu_->size() : 0; }

 private:
  insi::InsiClient client_;
  std::unique_ptr<insi::RejeuTransport> rejeu_;
};

}  // namespace insgate::app

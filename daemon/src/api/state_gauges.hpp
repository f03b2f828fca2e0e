// insgate — the gauges read from the durable state, refreshed periodically
// by the controller (every minute) off the request path: identities of the
// active file per RNIV status, the qualified-identity ratio (taking the
// running month's snapshot, state/qualification_rate.hpp), the running
// month's unique users and sollicitations (persisted counters: the monthly
// report's figures), and the outbox backlog per plugin — events queued
// while no plugin is configured count under plugin="(aucun)".
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/state_gateway.hpp"
#include "config/config.hpp"
#include "metrics/metrics.hpp"
#include "net/net.hpp"

namespace insgate::api {

/// @throw state::StateError when the store cannot be read.
asio::awaitable<void> refresh_state_gauges(StateGateway& state, metrics::Metrics& metrics,
                                           const config::Config& cfg);

}  // namespace insgate::api

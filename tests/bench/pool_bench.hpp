// insgate load benchmark — the INSi connection pool of issue 19: insgated
// with `insi.connexions_max: 128` in front of insi-sim answering after
// 200 ms (the ATTENTE person of the simulator's dataset, cache off), loaded
// by 1, 8, 32, 128 and 256 concurrent callers. Measured per step, after a
// warm-up round: throughput, p50/p99, and TLS handshakes per 1,000 INSi
// calls (insgate_insi_tls_handshakes_total scraped before and after).
// Targets (issue 19): fewer than 5 handshakes per 1,000 calls at a steady
// 128 callers; at 256 callers (pool 128) throughput within 10 % of the
// ideal 128 / 0.2 s = 640 req/s, no error.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "e2e_env.hpp"

namespace insgate::bench {

/// Runs the scenario against insi-sim on `sim_port`; appends a Markdown
/// section to `md`; returns the figures. `quick`: fewer requests.
nlohmann::json run_pool(const testing::Workspace& ws, int sim_port, bool quick, std::ostream& md);

}  // namespace insgate::bench

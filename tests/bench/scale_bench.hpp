// insgate load benchmark — the scale scenario of issue 12: one insgated
// configured with N structures (500 in `make bench`), each with its own EC
// P-256 key and ORG AUTH_CLI certificate signed at bench time by the test
// PKI's CA, against the same daemon configured with one structure.
// Measured: process start → READY=1, RSS after start and after the traffic,
// sockets held, cache hits and forwarded recherches spread over every
// FINESS (one structure: all on its FINESS).
// Targets (issue 12): READY < 1 s, RSS < 80 MB, cache-hit and forwarded
// figures within 10 % of the one-structure figures.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "e2e_env.hpp"

namespace insgate::bench {

/// Runs the scenario against insi-sim on `sim_port` (certificates of
/// ws.pki()); appends a Markdown section to `md`; returns the figures.
/// `quick`: fewer requests (a smoke run).
nlohmann::json run_scale(const testing::Workspace& ws, int sim_port, int structures, bool quick,
                         std::ostream& md);

}  // namespace insgate::bench

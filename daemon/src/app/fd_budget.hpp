// insgate — the file descriptors the configuration may need at once, checked
// against RLIMIT_NOFILE at start-up and by --check-config (issue 19): a
// daemon that runs out of descriptors under load answers 503 service_sature
// (insi/insi_client.hpp), but a limit below what the settings allow is a
// configuration error, refused before serving.
//
// Needed = api.connexions_max × listeners (the Unix socket, and the TCP
// listener when api.tcp is set: the bound applies to each on its own)
//        + insi.connexions_max × structures (one pool per structure)
//        + etat.postgresql.connexions (the state pool; 0 with SQLite)
//        + kReserve (state database and its journal, logs, plugins, metrics
//          listener, the listeners themselves, resolver sockets).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace insgate::app {

/// The start-up refusal: the limit cannot hold what the settings allow.
class FdLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FdBudget {
  static constexpr std::uint64_t kReserve = 64;
  std::uint64_t api_connections = 0;  ///< api.connexions_max
  std::uint64_t listeners = 1;        ///< Unix socket (+ TCP)
  std::uint64_t insi_connections = 0; ///< insi.connexions_max
  std::uint64_t structures = 0;
  std::uint64_t state_connections = 0;  ///< etat.postgresql.connexions (0: SQLite)
  std::uint64_t needed() const {
    return api_connections * listeners + insi_connections * structures + state_connections +
           kReserve;
  }
};

/// RLIMIT_NOFILE (soft, hard); RLIM_INFINITY stands for no limit.
struct FdLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
};

FdBudget fd_budget(const config::Config& cfg);

/// The soft limit to run with: `limit.soft` when it holds the budget, else
/// the hard limit. nullopt when even the hard limit is too low.
std::optional<std::uint64_t> soft_limit_for(const FdBudget& b, FdLimit limit);

/// The refusal's text, naming the settings and the numbers.
std::string fd_limit_message(const FdBudget& b, FdLimit limit);

/// Reads RLIMIT_NOFILE; raises the soft limit to the hard one when the
/// budget needs it (`raise`; --check-config only checks).
/// @throw FdLimitError when the hard limit is below the budget, or raising fails.
/// @return the soft limit the daemon runs with (or would).
std::uint64_t ensure_fd_limit(const config::Config& cfg, bool raise);

}  // namespace insgate::app

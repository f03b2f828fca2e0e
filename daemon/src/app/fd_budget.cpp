// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/fd_budget.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace insgate::app {

FdBudget fd_budget(const config::Config& cfg) {
  FdBudget b;
  b.api_connections = static_cast<std::uint64_t>(cfg.api.max_connections);
  b.listeners = cfg.api.tcp.enabled() ? 2 : 1;
  b.insi_connections = static_cast<std::uint64_t>(cfg.insi.max_connections);
  b.structures = cfg.structures.size();
  if (cfg.state.postgresql)
    b.state_connections = static_cast<std::uint64_t>(cfg.state.postgresql->connections);
  return b;
}

std::optional<std::uint64_t> soft_limit_for(const FdBudget& b, FdLimit limit) {
  const auto needed = b.needed();
  if (limit.soft == RLIM_INFINITY || limit.soft >= needed) return limit.soft;
  if (limit.hard == RLIM_INFINITY || limit.hard >= needed) return limit.hard;
  return std::nullopt;
}

std::string fd_limit_message(const FdBudget& b, FdLimit limit) {
  auto n = [](std::uint64_t v) { return std::to_string(v); };
  return "the file descriptor limit (RLIMIT_NOFILE soft " + n(limit.soft) + ", hard " +
         n(limit.hard) + ") is below the " + n(b.needed()) +
         " descriptors the configuration may need: api.connexions_max " + n(b.api_connections) +
         " x " + n(b.listeners) + (b.listeners > 1 ? " listeners (Unix socket and api.tcp)" : " listener (Unix socket)") +
         " + insi.connexions_max " + n(b.insi_connections) + " x " + n(b.structures) +
         " structure(s) + " +
         (b.state_connections > 0 ? "etat.postgresql.connexions " + n(b.state_connections) + " + "
                                  : std::string()) +
         n(FdBudget::kReserve) +
         " for the daemon's own files; raise LimitNOFILE= in the unit or lower these settings";
}

std::uint64_t ensure_fd_limit(const config::Config& cfg, bool raise) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
    throw FdLimitError(std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  const FdBudget b = fd_budget(cfg);
  const FdLimit limit{rl.rlim_cur, rl.rlim_max};
  const auto soft = soft_limit_for(b, limit);
  if (!soft) throw FdLimitError(fd_limit_message(b, limit));
  if (raise && *soft != rl.rlim_cur) {
    rl.rlim_cur = *soft;
    if (::setrlimit(RLIMIT_NOFILE, &rl) != 0)
      throw FdLimitError("cannot raise the soft RLIMIT_NOFILE to " + std::to_string(*soft) + ": " +
                         std::strerror(errno) + " (" + fd_limit_message(b, limit) + ")");
  }
  return *soft;
}

}  // namespace insgate::app

// insgate — gauges read from the durable state (see state_gauges.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/state_gauges.hpp"

#include <algorithm>
#include <map>

#include "identity/rniv.hpp"

namespace insgate::api {

asio::awaitable<void> refresh_state_gauges(StateGateway& state, metrics::Metrics& metrics,
                                           const config::Config& cfg) {
  // Identities per status: over the widest active-file window configured.
  int widest = 1;
  for (const auto& s : cfg.structures) widest = std::max(widest, s.file_active_jours);
  auto counts = co_await state.identity_counts(std::chrono::hours(24 * widest));
  for (auto s : {identity::RnivStatus::provisoire, identity::RnivStatus::recuperee,
                 identity::RnivStatus::validee, identity::RnivStatus::qualifiee}) {
    auto it = counts.find(std::string(identity::to_api_name(s)));
    metrics.set_identities(s, it == counts.end() ? 0 : it->second);
  }
  // The ratio and the running month's snapshot are one and the same figure.
  for (const auto& s : cfg.structures) {
    auto snapshot = co_await state.take_qualification_snapshot(
        s.finess, std::chrono::hours(24 * s.file_active_jours));
    metrics.set_qualified_identity_ratio(
        s.finess, snapshot.file_active > 0
                      ? std::optional<double>(static_cast<double>(snapshot.qualifiees) /
                                              static_cast<double>(snapshot.file_active))
                      : std::nullopt);
  }
  // The running month's Ségur figures, from the persisted counters.
  auto month = co_await state.activity_month(state::ActivityCounter::month_of(state::Clock::now()));
  for (const auto& s : cfg.structures) {
    std::int64_t users = 0, sollicitations = 0;
    for (const auto& m : month)
      if (m.finess == s.finess) {
        users = m.operateurs_distincts;
        sollicitations = m.sollicitations();
      }
    metrics.set_insi_unique_users(s.finess, users);
    metrics.set_insi_sollicitations_current_month(s.finess, sollicitations);
  }
  // Outbox backlog per plugin, and the age of its oldest pending event.
  std::map<std::string, std::pair<std::int64_t, double>> backlog;
  for (const auto& p : cfg.plugins) backlog[p.name] = {0, 0.0};
  backlog[std::string(metrics::kNoPlugin)] = {0, 0.0};
  const auto now = state::Clock::now();
  for (const auto& b : co_await state.outbox_backlog()) {
    auto& [n, oldest] = backlog[b.plugin.value_or(std::string(metrics::kNoPlugin))];
    n = b.pending;
    oldest = std::chrono::duration<double>(now - b.oldest_created_at).count();
  }
  for (const auto& [plugin, b] : backlog) metrics.set_outbox_pending(plugin, b.first, b.second);
}

}  // namespace insgate::api

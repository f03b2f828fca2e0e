// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include "api/state_gateway.hpp"

namespace insgate::api {

Router::Router(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
               StateGateway& state, metrics::Metrics& metrics, std::span<const Route> table)
    : ctx_(std::move(setup), breaker, state, metrics), table_(table) {}

void Router::reconfigure(std::shared_ptr<const InsiSetup> next) { ctx_.reconfigure(std::move(next)); }

asio::awaitable<ApiResponse> Router::handle(const Request& req, const std::string& requete_id) {
  try {
    std::string_view target = sv(req.target());
    auto q = target.find('?');
    RouteMatch m = match(table_, req.method(), target.substr(0, q));
    if (!m.route) co_return m.allow.empty() ? unknown_route() : method_not_allowed(m.allow);
    RouteCall call{req, requete_id,
                   q == std::string_view::npos ? std::string_view() : target.substr(q + 1)};
    co_return co_await m.route->handler(ctx_, call);
  } catch (const std::exception& e) {
    spdlog::error("[API_INTERNAL] request {} failed: {}", requete_id, e.what());
    co_return problem(500, "erreur_interne", "Erreur interne",
                      "Erreur interne du démon; voir le journal avec requete_id.",
                      {{"requete_id", requete_id}});
  }
}

asio::awaitable<void> Router::refresh_identity_gauges() {
  const auto setup = ctx_.setup();
  const config::Config& cfg = *setup->cfg;
  auto& gateway = ctx_.state();
  auto& metrics = ctx_.metrics();
  auto counts = co_await gateway.identity_counts(std::chrono::hours(24 * cfg.structure.file_active_jours));
  std::int64_t total = 0;
  for (auto s : {identity::RnivStatus::provisoire, identity::RnivStatus::recuperee,
                 identity::RnivStatus::validee, identity::RnivStatus::qualifiee}) {
    std::string name(identity::to_api_name(s));
    std::int64_t n = counts.count(name) ? counts.at(name) : 0;
    metrics.set_identities(s, n);
    total += n;
  }
  std::int64_t q = counts.count("qualifiee") ? counts.at("qualifiee") : 0;
  metrics.set_qualified_identity_rate(
      cfg.structure.finess,
      total > 0 ? std::optional<double>(static_cast<double>(q) / static_cast<double>(total))
                : std::nullopt);
  // Unique users of the current month (Ségur), from the persisted counters.
  auto month = co_await gateway.activity_month(state::ActivityCounter::month_of(state::Clock::now()));
  for (const auto& m : month)
    if (m.finess == cfg.structure.finess)
      metrics.set_insi_unique_users(m.finess, m.operateurs_distincts);
  // Outbox backlog per plugin, and the age of its oldest pending event.
  auto pending = co_await gateway.outbox_list(state::OutboxState::pending, 1000);
  std::map<std::string, std::pair<std::int64_t, double>> backlog;
  for (const auto& p : cfg.plugins) backlog[p.name] = {0, 0.0};
  for (const auto& row : pending) {
    if (!row.plugin) continue;
    auto& [n, oldest] = backlog[*row.plugin];
    ++n;
    oldest = std::max(oldest, std::chrono::duration<double>(state::Clock::now() - row.created_at).count());
  }
  for (const auto& [plugin, b] : backlog) metrics.set_outbox_pending(plugin, b.first, b.second);
}

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include "api/state_gateway.hpp"
#include "api/state_gauges.hpp"
#include "state/state_error.hpp"

namespace insgate::api {

Router::Router(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
               StateGateway& state, metrics::Metrics& metrics, std::span<const Route> table)
    : ctx_(std::move(setup), breaker, state, metrics), table_(table) {}

void Router::reconfigure(std::shared_ptr<const InsiSetup> next) { ctx_.reconfigure(std::move(next)); }

asio::awaitable<ApiResponse> Router::handle(const Request& req, const std::string& requete_id,
                                            const Caller& caller) {
  try {
    std::string_view target = sv(req.target());
    auto q = target.find('?');
    RouteMatch m = match(table_, req.method(), target.substr(0, q));
    if (!m.route) co_return m.allow.empty() ? unknown_route() : method_not_allowed(m.allow);
    RouteCall call{req, requete_id,
                   q == std::string_view::npos ? std::string_view() : target.substr(q + 1), caller};
    co_return co_await m.route->handler(ctx_, call);
  } catch (const state::StateError& e) {
    // The state store could not record or read (PostgreSQL unreachable,
    // pool exhausted, disk): the transaction was rolled back, nothing is
    // half-recorded; the caller may retry (issue 15).
    spdlog::error("[API_STATE] request {}: state store unavailable: {}", requete_id, e.what());
    ctx_.metrics().state_store_error(metrics::StateErrorSource::request);
    co_return problem(503, "etat_indisponible", "État du démon indisponible",
                      "L'état du démon (base de données) est momentanément indisponible; rien "
                      "n'a été enregistré, réessayez.",
                      {{"requete_id", requete_id}});
  } catch (const std::exception& e) {
    spdlog::error("[API_INTERNAL] request {} failed: {}", requete_id, e.what());
    co_return problem(500, "erreur_interne", "Erreur interne",
                      "Erreur interne du démon; voir le journal avec requete_id.",
                      {{"requete_id", requete_id}});
  }
}

asio::awaitable<void> Router::refresh_identity_gauges() {
  const auto setup = ctx_.setup();  // kept alive across a reload meanwhile
  co_await refresh_state_gauges(ctx_.state(), ctx_.metrics(), *setup->cfg);
}

}  // namespace insgate::api

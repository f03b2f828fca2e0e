// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_table.hpp"

#include <algorithm>
#include <array>

#include "api/route_health.hpp"
#include "api/route_outbox.hpp"
#include "api/route_qualification.hpp"
#include "api/route_recherche.hpp"
#include "api/route_recherche_vitale.hpp"
#include "api/route_stats_mensuel.hpp"
#include "api/route_verification.hpp"
#include "metrics/metrics.hpp"

namespace insgate::api {
namespace {

using http::verb;

const std::array kRoutes{
    Route{verb::post, "/v1/ins/recherche", route_recherche, "/v1/ins/recherche"},
    Route{verb::post, "/v1/ins/recherche-vitale", route_recherche_vitale, "/v1/ins/recherche-vitale"},
    Route{verb::post, "/v1/ins/verification", route_verification, "/v1/ins/verification"},
    Route{verb::post, "/v1/ins/qualification", route_qualification, "/v1/ins/qualification"},
    Route{verb::get, "/v1/outbox", route_outbox_liste, "/v1/outbox"},
    Route{verb::post, "/v1/outbox/retry", route_outbox_retry, "/v1/outbox/retry"},
    Route{verb::post, "/v1/outbox/purge", route_outbox_purge, "/v1/outbox/purge"},
    Route{verb::get, "/v1/stats/mensuel", route_stats_mensuel, "/v1/stats/mensuel"},
    Route{verb::get, "/v1/health", route_health, "/v1/health"},
};

}  // namespace

std::span<const Route> routes() { return kRoutes; }

RouteMatch match(std::span<const Route> table, http::verb method, std::string_view path) {
  RouteMatch m;
  for (const auto& r : table) {
    if (r.path != path) continue;
    if (r.method == method) return {&r, {}};
    m.allow += (m.allow.empty() ? "" : ", ") + std::string(sv(http::to_string(r.method)));
  }
  return m;
}

std::string_view route_label(std::string_view target, std::span<const Route> table) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const auto& r : table)
    if (r.path == path) return r.metrics_label;
  return metrics::kAutre;
}

std::vector<std::string> route_labels(std::span<const Route> table) {
  std::vector<std::string> out;
  for (const auto& r : table)
    if (std::find(out.begin(), out.end(), r.metrics_label) == out.end())
      out.emplace_back(r.metrics_label);
  return out;
}

ApiResponse unknown_route() {
  return problem(404, "ressource_inconnue", "Ressource inconnue",
                 "Chemin inconnu de l'API locale v1.");
}

ApiResponse method_not_allowed(const std::string& allow) {
  auto r = problem(405, "methode_non_autorisee", "Méthode non autorisée",
                   "Méthode autorisée : " + allow + ".");
  r.headers.emplace_back("Allow", allow);
  return r;
}

}  // namespace insgate::api

// insgate — GET /v1/stats/mensuel (see stats_route.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/stats_route.hpp"

#include "api/query_string.hpp"
#include "state/events.hpp"  // iso_utc
#include "stats/monthly_report.hpp"
#include "stats/monthly_report_xlsx.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> stats_mensuel_route(StateGateway& state, const config::Config& cfg,
                                                 std::string_view query) {
  // A malformed escape becomes "?", which no check below accepts.
  const std::string mois = query_param(query, "mois").value_or("?");
  const std::string format = query_param(query, "format").value_or("?");
  auto parsed = stats::parse_mois(mois);
  if (!parsed) co_return problem(400, "requete_invalide", "Mois invalide", parsed.erreur);
  if (!format.empty() && format != "csv" && format != "json" && format != "xlsx")
    co_return problem(400, "requete_invalide", "Format invalide",
                      "format vaut json, csv ou xlsx.");
  const auto& m = *parsed.mois;
  auto months = co_await state.activity_month(m.iso());
  auto snapshot = co_await state.qualification_for_month(
      m.iso(), std::chrono::hours(24 * cfg.structure.file_active_jours));
  std::optional<stats::TauxQualification> taux;
  if (snapshot)
    taux = stats::TauxQualification{snapshot->qualifiees, snapshot->file_active,
                                    state::iso_utc(snapshot->releve_le)};
  auto report = stats::build_report(
      m, {{cfg.structure.finess, cfg.structure.name, cfg.structure.categorie}}, months,
      {{cfg.structure.finess, taux}});
  const std::string file = "insi-activite-" + m.iso();
  if (format == "csv" || format == "xlsx") {
    ApiResponse r;
    r.status = 200;
    r.content_type = format == "csv" ? "text/csv" : stats::kXlsxContentType;
    r.body = format == "csv" ? stats::to_csv(report) : stats::to_xlsx(report);
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"" + file + "." + format + "\"");
    co_return r;
  }
  co_return json_response(200, stats::to_json(report));
}

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_stats_mensuel.hpp"

#include "api/query_string.hpp"
#include "api/route_context.hpp"
#include "api/state_gateway.hpp"
#include "state/events.hpp"  // iso_utc
#include "stats/monthly_report.hpp"
#include "stats/monthly_report_xlsx.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> route_stats_mensuel(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  // A malformed escape becomes "?", which no check below accepts.
  const std::string mois = query_param(call.query, "mois").value_or("?");
  const std::string format = query_param(call.query, "format").value_or("?");
  auto parsed = stats::parse_mois(mois);
  if (!parsed) co_return problem(400, "requete_invalide", "Mois invalide", parsed.erreur);
  if (!format.empty() && format != "csv" && format != "json" && format != "xlsx")
    co_return problem(400, "requete_invalide", "Format invalide",
                      "format vaut json, csv ou xlsx.");
  const auto& m = *parsed.mois;
  auto& gateway = ctx.state();
  auto months = co_await gateway.activity_month(m.iso());
  // The month's snapshot of the rate: taken now for the running month, the
  // stored one for a past month (never recomputed), none otherwise.
  auto snapshot = co_await gateway.qualification_for_month(
      m.iso(), std::chrono::hours(24 * cfg.structure.file_active_jours));
  std::optional<stats::TauxQualification> taux;
  if (snapshot)
    taux = stats::TauxQualification{snapshot->qualifiees, snapshot->file_active,
                                    state::iso_utc(snapshot->releve_le)};
  auto report = stats::build_report(
      m, {{cfg.structure.finess, cfg.structure.name, cfg.structure.categorie}}, months,
      {{cfg.structure.finess, taux}});
  if (format == "csv" || format == "xlsx") {
    ApiResponse r;
    r.status = 200;
    r.content_type = format == "csv" ? "text/csv" : stats::kXlsxContentType;
    r.body = format == "csv" ? stats::to_csv(report) : stats::to_xlsx(report);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"insi-activite-" +
                                                      m.iso() + "." + format + "\"");
    co_return r;
  }
  co_return json_response(200, stats::to_json(report));
}

}  // namespace insgate::api

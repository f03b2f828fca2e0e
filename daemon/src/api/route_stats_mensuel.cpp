// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_stats_mensuel.hpp"

#include <algorithm>

#include "api/query_string.hpp"
#include "api/route_context.hpp"
#include "api/state_gateway.hpp"
#include "state/events.hpp"  // iso_utc
#include "stats/monthly_report.hpp"
#include "stats/monthly_report_xlsx.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> route_stats_mensuel(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  // A malformed escape becomes "?", which no check below accepts.
  const std::string mois = query_param(call.query, "mois").value_or("?");
  const std::string format = query_param(call.query, "format").value_or("?");
  auto parsed = stats::parse_mois(mois);
  if (!parsed) co_return problem(400, "requete_invalide", "Mois invalide", parsed.erreur);
  if (!format.empty() && format != "csv" && format != "json" && format != "xlsx")
    co_return problem(400, "requete_invalide", "Format invalide",
                      "format vaut json, csv ou xlsx.");
  const auto& m = *parsed.mois;
  // One row per structure the caller may act for, or the one of ?finess=.
  std::vector<StructurePtr> shown;
  // A malformed escape becomes "?", which names no structure.
  if (const std::string finess = query_param(call.query, "finess").value_or("?"); !finess.empty()) {
    auto resolved = setup->structures.resolve(finess, call.caller);
    if (auto* refused = std::get_if<ApiResponse>(&resolved)) co_return *refused;
    shown.push_back(std::get<StructurePtr>(resolved));
  } else {
    shown = setup->structures.visible_to(call.caller);
    if (shown.empty())
      co_return problem(403, "appelant_non_autorise", "Appelant non autorisé",
                        "Cet appelant n'est autorisé pour aucune structure de ce démon.");
  }
  auto& gateway = ctx.state();
  std::vector<state::ActivityMonth> months;
  for (auto& a : co_await gateway.activity_month(m.iso()))
    if (std::any_of(shown.begin(), shown.end(),
                    [&](const StructurePtr& s) { return s->cfg.finess == a.finess; }))
      months.push_back(std::move(a));
  std::vector<stats::StructureInfo> infos;
  stats::TauxParFiness taux;
  for (const auto& s : shown) {
    const auto& sc = s->cfg;
    infos.push_back({sc.finess, sc.name, sc.categorie});
    // The month's snapshot of the rate: taken now for the running month, the
    // stored one for a past month (never recomputed), none otherwise.
    auto snapshot = co_await gateway.qualification_for_month(
        sc.finess, m.iso(), std::chrono::hours(24 * sc.file_active_jours));
    std::optional<stats::TauxQualification> t;
    if (snapshot)
      t = stats::TauxQualification{snapshot->qualifiees, snapshot->file_active,
                                   state::iso_utc(snapshot->releve_le)};
    taux[sc.finess] = t;
  }
  auto report = stats::build_report(m, infos, months, taux);
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

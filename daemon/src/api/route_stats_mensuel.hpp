// insgate — GET /v1/stats/mensuel?mois=AAAA-MM[&format=json|csv|xlsx]: the
// monthly INSi activity report (stats/monthly_report.hpp) of the structure
// this daemon serves, with the month's snapshot of its qualified-identity
// rate (state/qualification_rate.hpp; empty with a note when none exists).
// JSON by default; CSV (UTF-8 with BOM, ';') for French spreadsheets; xlsx
// with typed cells (stats/monthly_report_xlsx.hpp). 400 requete_invalide
// for a bad `mois` or `format`.
// Source rule: local-api.md GET /v1/stats/mensuel; ins-identity-rules.md §6.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/route_table.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> route_stats_mensuel(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

// insgate — GET /v1/stats/mensuel?mois=AAAA-MM[&format=json|csv|xlsx]: the
// monthly INSi activity report (stats/monthly_report.hpp) of the structure
// this daemon serves, with the month's qualified-identity rate snapshot
// (state/qualification_rate.hpp). JSON by default; CSV for French
// spreadsheets; xlsx with typed cells (stats/monthly_report_xlsx.hpp).
// Source rule: local-api.md GET /v1/stats/mensuel; ins-identity-rules.md §6.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string_view>

#include "api/problem.hpp"
#include "api/state_gateway.hpp"
#include "config/config.hpp"

namespace insgate::api {

/// 400 requete_invalide for a bad `mois` or `format`.
asio::awaitable<ApiResponse> stats_mensuel_route(StateGateway& state, const config::Config& cfg,
                                                 std::string_view query);

}  // namespace insgate::api

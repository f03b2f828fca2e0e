// insgate — GET /v1/health: the daemon's view of INSi, from the calls it
// made (never a probe) and the circuit breaker, and the client
// certificate's expiry.
// {"statut": "ok" | "degrade", "insi": {"etat": "ok" | "indisponible" |
//  "circuit_ouvert", "circuit", "echecs_consecutifs", "environnement",
//  "endpoint"}, "certificat": {"expire_le", "jours_restants"}, "version"}
// Source rule: local-api.md GET /v1/health.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/route_table.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> route_health(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

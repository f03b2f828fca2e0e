// insgate — GET /v1/health: the daemon's view of INSi, built from the calls
// it made (never a probe, api/insi_health.hpp), the circuit breaker and the
// client certificate's expiry.
//
// {"statut": "ok" | "degrade", "raison": null | "…",
//  "insi": {"etat": "ok" | "indisponible" | "circuit_ouvert", "circuit",
//           "echecs_consecutifs",
//           "refus": null | {"famille": "desir_550|desir_560|tls", "code", "depuis", "message"},
//           "environnement", "endpoint"},
//  "certificat": {"expire_le", "jours_restants"}, "version",
//  "structures": [{"finess", "nom", "certificat": {"expire_le", "jours_restants"},
//                  "circuit", "refus": null | {…}}]}
// `etat` is whether INSi was reachable at the last call. `refus` is the last
// INSi refusal that affects every call until the configuration is fixed
// (DESIR_550, DESIR_560, TLS handshake refused). `statut` is `degrade` when
// `etat` is not `ok` or there is a refusal; `raison` then says why, in
// French, naming what to check. With several structures (issue 12) each
// entry of `structures` has its own `refus` (its certificate refused:
// desir_560, tls; or the software's desir_550) and `circuit`, the breaker
// of its certificate's TLS handshakes; the top-level `refus` is the
// software's refusal, else the first structure's.
// Source rule: local-api.md GET /v1/health; insi-protocol.md §7.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>

#include "api/insi_health.hpp"
#include "api/route_table.hpp"
#include "api/structures.hpp"
#include "config/config.hpp"
#include "insi/circuit_breaker.hpp"
#include "insi/tls_setup.hpp"

namespace insgate::api {

/// The /v1/health document; `circuit` and `consecutive_failures` from the
/// circuit breaker now.
nlohmann::json health_json(const config::Config& cfg, const insi::ClientCertificateInfo& cert,
                           insi::CircuitBreaker::State circuit, int consecutive_failures,
                           const InsiHealth& insi);

/// `structures` of /v1/health: each structure's FINESS, name, certificate
/// expiry, certificate breaker state and refusal, in configuration order.
nlohmann::json structures_json(const StructureRegistry& structures, const InsiHealth& insi);

asio::awaitable<ApiResponse> route_health(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

// insgate — POST /v1/ins/verification: body decoding, the route and its
// answer (local-api.md; the method behind it is insi/verification.hpp).
// The decoding and encoding are pure functions, thread-safe; messages never
// echo caller values.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/problem.hpp"
#include "api/recherche_input.hpp"
#include "api/route_table.hpp"
#include "identity/matricule.hpp"
#include "insi/verification.hpp"

namespace insgate::api {

struct VerificationInput {
  std::string operateur;
  std::optional<std::string> finess;  ///< as sent (9 characters), if sent
  insi::InsFourni ins;
  insi::TraitsRecherche traits;
};

using VerificationDecoded = std::variant<VerificationInput, BadRequest, InvalidTraits>;

/// Decodes `{"operateur", "ins": {"matricule", "cle", "oid"}, "traits": {...}}`.
/// The INS is checked (layout, key, OID accepted by `policy`,
/// ins-identity-rules.md §1): failures are 422 field errors on ins.*.
VerificationDecoded decode_verification(std::string_view body, const identity::OidPolicy& policy,
                                        std::string_view today = identity::today_local());

ApiResponse verification_answer(const insi::VerificationOutcome& outcome, const char* methode,
                                 const std::string& requete_id, const identity::OidPolicy& policy);

/// The route: counted as a vérification; only a conforming answer makes
/// the identity récupérée.
asio::awaitable<ApiResponse> route_verification(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

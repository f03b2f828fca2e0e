// insgate — POST /v1/ins/qualification: record the identity-document check
// (local-api.md; ins-identity-rules.md §3). Body: {"operateur", "ins":
// {"matricule", "cle", "oid"}, "piece_identite": {"type": "CNI" |
// "PASSEPORT" | "TITRE_SEJOUR" | "LIVRET_FAMILLE_ACTE", "verifiee_le":
// "AAAA-MM-JJ"}, "identifiant_local"}. Allowed only for an INS this daemon
// retrieved or verified via INSi (else 409 statut_incompatible). Body
// decoding, the route (state/identities.hpp: status and outbox event in one
// transaction) and its answer; decoding and answer are pure functions,
// messages never echo caller values.
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
#include "state/identities.hpp"

namespace insgate::api {

struct QualificationInput {
  std::string operateur;
  std::optional<std::string> finess;  ///< as sent (9 characters), if sent
  identity::Ins ins;
  state::PieceIdentite piece;
  std::string identifiant_local;
};

std::variant<QualificationInput, BadRequest, InvalidTraits> decode_qualification(
    std::string_view body, const identity::OidPolicy& policy, std::string_view today);

ApiResponse qualification_answer(const state::QualifyOutcome& outcome, const identity::Ins& ins,
                                 const std::string& requete_id);

/// The `ins` member (required object {matricule, cle, oid}) of a request
/// body, checked (layout, key, OID policy, ins-identity-rules.md §1; typed
/// input: spaces removed, letters upper-cased); problems are recorded in
/// the reader's findings with champ "ins.*".
std::optional<identity::Ins> read_ins(BodyReader& body, const identity::OidPolicy& policy);

asio::awaitable<ApiResponse> route_qualification(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

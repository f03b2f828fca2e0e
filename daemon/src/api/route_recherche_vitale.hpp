// insgate — POST /v1/ins/recherche-vitale: récupération with carte Vitale
// data: body decoding, the route (cache, else one INSi call; the answer is
// recherche_answer.hpp's resultat_answer) (local-api.md; insi-protocol.md §5).
//
// Body: {"operateur", "vitale": {"nir_individu": {"matricule", "cle"}?,
// "nir_ouvrant_droit": {"matricule", "cle"?}, "date_naissance",
// "rang_naissance", "nom_naissance"?, "couverture": {"grand_regime",
// "organisme", "code_centre"}?}, "assertion_vitale"?}. `assertion_vitale` is
// the base64 of the signed Vitale-card assertion XML: it must decode to one
// well-formed XML element (at most 32 KiB), which goes into wsse:Security
// unchanged. Pure functions; messages never echo caller values.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "api/problem.hpp"
#include "api/recherche_input.hpp"
#include "api/route_table.hpp"
#include "insi/insi_messages.hpp"

namespace insgate::api {

struct VitaleInput {
  std::string operateur;
  std::optional<std::string> finess;  ///< as sent (9 characters), if sent
  insi::RechercheVitale carte;
  std::optional<std::string> assertion_xml;
  bool cache_bypass = false;
};

inline constexpr std::size_t kMaxAssertionBytes = 32 * 1024;

/// `today` (AAAA-MM-JJ) bounds the card's birth date (identity::check_date_bounds).
std::variant<VitaleInput, BadRequest, InvalidTraits> decode_recherche_vitale(
    std::string_view body, std::string_view today = identity::today_local());

/// Decodes standard base64 (padding required, no line breaks); nullopt if invalid.
std::optional<std::string> decode_base64(std::string_view text);

/// The route. An assertion cannot travel with insi.signature_xml on (one
/// wsse:Security header): 400 requete_invalide, INSi not called.
asio::awaitable<ApiResponse> route_recherche_vitale(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

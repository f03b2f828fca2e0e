// insgate — the API answer of a récupération, from the INSi outcome.
//
// Source rule: local-api.md (POST /v1/ins/recherche response, Errors):
// CR 00/01/02 → 200 (01/02 with `conseil`); SOAP fault → 502 insi_erreur, or
// 503 insi_indisponible for the siram_40 family; unreadable answer → 502;
// connection/TLS failure → 503 with Retry-After; deadline → 504.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "api/problem.hpp"
#include "insi/recherche.hpp"

namespace insgate::api {

/// Seconds suggested to callers in Retry-After when INSi is unavailable.
inline constexpr int kRetryAfterSeconds = 30;

ApiResponse recherche_answer(const insi::RechercheOutcome& outcome,
                             const insi::TraitsRecherche& envoyes,
                             const std::string& requete_id);

/// The same answer for any récupération; `envoyes` (under `envoyes_key`)
/// is what was sent to INSi.
ApiResponse resultat_answer(const insi::RechercheOutcome& outcome, const std::string& envoyes_key,
                            nlohmann::json envoyes, const std::string& requete_id);

/// The problem answer for an outcome that is not a CR (fault, unreadable,
/// transport, circuit open, timeout); nullopt when INSi answered a CR.
std::optional<ApiResponse> insi_failure_answer(const insi::RechercheOutcome& outcome);

// JSON pieces shared by the answers built from a RESULTAT.
nlohmann::json ins_json(const insi::InsIdentifier& ins);
nlohmann::json histo_json(const insi::InsIdentifier& ins);
nlohmann::json traits_ins_json(const insi::TraitsTiq& tiq);
/// Problems found in INSi's answer (keys that do not check, unknown OIDs).
nlohmann::json anomalies_json(const insi::Individu& individu);

}  // namespace insgate::api

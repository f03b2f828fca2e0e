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
#include "identity/matricule.hpp"
#include "insi/recherche.hpp"

namespace insgate::api {

/// The OID policy of the test/qualification environments (.8 to .11).
inline const identity::OidPolicy kTestOidPolicy =
    identity::OidPolicy::for_environment(identity::Environment::qualification);

/// Seconds suggested to callers in Retry-After when INSi is unavailable.
inline constexpr int kRetryAfterSeconds = 30;

/// `policy`: the OIDs accepted in this environment (ins-identity-rules.md
/// §1.4); an INS from INSi outside it is reported in `anomalies`.
ApiResponse recherche_answer(const insi::RechercheOutcome& outcome,
                             const insi::TraitsRecherche& envoyes,
                             const std::string& requete_id,
                             const identity::OidPolicy& policy = kTestOidPolicy,
                             const char* source = "insi");

/// The same answer for any récupération; `envoyes` (under `envoyes_key`)
/// is what was sent to INSi: `traits_envoyes` (by traits) or
/// `vitale_envoyee` (carte Vitale), which also chooses the `conseil` of a
/// CR 01/02. `anomalies[]` carry `code`, `champ`, `message`; `statut`
/// follows identity::answer_status.
/// `source` is "insi", or "cache" for an answer replayed from the cache
/// (then `appels_insi` is 0).
ApiResponse resultat_answer(const insi::RechercheOutcome& outcome, const std::string& envoyes_key,
                            nlohmann::json envoyes, const std::string& requete_id,
                            const identity::OidPolicy& policy = kTestOidPolicy,
                            const char* source = "insi");

/// True when INSi's CR 00 answer has anomalies (never cached nor recorded).
bool has_anomalies(const insi::RechercheOutcome& outcome, const identity::OidPolicy& policy);

/// The problem answer for an outcome that is not a CR (fault, unreadable,
/// transport, circuit open, timeout); nullopt when INSi answered a CR.
std::optional<ApiResponse> insi_failure_answer(const insi::RechercheOutcome& outcome);

// JSON pieces shared by the answers built from a RESULTAT.
/// `statut` of an answer: identity::answer_status as JSON (null, or the name).
nlohmann::json statut_json(bool identite_trouvee, bool anomalies, bool conforme = true);
nlohmann::json ins_json(const insi::InsIdentifier& ins);
nlohmann::json histo_json(const insi::InsIdentifier& ins);
nlohmann::json traits_ins_json(const insi::TraitsTiq& tiq);
/// Problems found in INSi's answer: every INS (active and history) gets the
/// full matricule check (layout, key, OID accepted by `policy`), and the
/// traits (TIQ) the INS character set and syntax checks
/// (identity::check_traits_insi): code `trait_invalide`, champ
/// `traits_ins.<trait>`, never the value.
nlohmann::json anomalies_json(const insi::Individu& individu, const identity::OidPolicy& policy);

}  // namespace insgate::api

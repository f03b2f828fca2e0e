// insgate — matricule INS: layout, key and OID classification.
//
// Source rule: insi-protocol.md §4.2 (key check: Cle = 97 − (N mod 97), with
// 2A→19 and 2B→18; OIDs .8 NIR, .9 NIA, .10/.11 test/demo) and
// ins-identity-rules.md §1. Pure functions, no I/O, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/codes.hpp"

namespace insgate::identity {

/// The expected 2-digit key of a 13-character matricule, or nullopt when the
/// layout is wrong (13 characters, digits, the 7th may be A/B after a 2 for
/// Corsica).
std::optional<int> matricule_key(std::string_view matricule);

/// True when `cle` is the 2-digit key of `matricule`.
bool key_matches(std::string_view matricule, std::string_view cle);

/// What an INS OID designates.
struct OidInfo {
  bool known = false;
  std::string type;  ///< "NIR" or "NIA"
  bool test = false; ///< test/demo authority (.10, .11)
};
OidInfo classify_oid(std::string_view oid);

// ---- Full check of a matricule INS with its OID (ins-identity-rules.md §1) ----

/// Assigning-authority OIDs, §1.4.
namespace oid {
inline constexpr std::string_view nir = "1.2.250.1.213.1.4.8";
inline constexpr std::string_view nia = "1.2.250.1.213.1.4.9";
inline constexpr std::string_view nir_test = "1.2.250.1.213.1.4.10";
inline constexpr std::string_view nir_demo = "1.2.250.1.213.1.4.11";
}  // namespace oid

/// A matricule INS as INSi returns it: 13-character identifier, 2-digit key,
/// OID. Never store or send one part without the others (§0 rule 1).
struct Ins {
  std::string matricule;  ///< 13 characters (NumIdentifiant)
  std::string cle;        ///< 2 digits
  std::string oid;
  /// The 15-character form (matricule + cle), for the standards that need it.
  std::string value15() const { return matricule + cle; }
};

/// Deployment environment, as in the configuration's `insi.environnement`.
enum class Environment { production, qualification, test };

/// "production", "qualification" or "test"; nullopt for anything else.
std::optional<Environment> parse_environment(std::string_view name);

/// Which OIDs an environment accepts (§0 rule 3, §1.4): production .8 and .9
/// only; qualification and test also .10 and .11.
struct OidPolicy {
  bool production = true;
  std::vector<std::string> accepted;
  static OidPolicy for_environment(Environment env);
  bool accepts(std::string_view oid) const;
};

/// Strict: the wire form, as INSi and peers send it. Lenient: typed in a UI —
/// spaces and tabs removed, letters upper-cased before the strict check.
enum class MatriculeParsing { strict, lenient };

/// Anomaly and warning names (stable; the API's `anomalies` list).
namespace anomaly {
inline constexpr std::string_view longueur_invalide = codes::anomalie("longueur_invalide");  ///< not 13+2 / 15 characters
inline constexpr std::string_view format_invalide = codes::anomalie("format_invalide");  ///< not [0-9]{5}([0-9]{2}|2A|2B)[0-9]{6} + 2 digits
inline constexpr std::string_view cle_invalide = codes::anomalie("cle_invalide");        ///< key does not check
inline constexpr std::string_view oid_inconnu = codes::anomalie("oid_inconnu");          ///< not an INS OID
inline constexpr std::string_view oid_ins_c = codes::anomalie("oid_ins_c");              ///< legacy INS-C OID (.2/.6/.7)
inline constexpr std::string_view oid_interdit_en_production = codes::anomalie("oid_interdit_en_production");  ///< .10/.11 in production
inline constexpr std::string_view cle_absente = codes::anomalie("cle_absente");  ///< INSi gave no key
inline constexpr std::string_view oid_non_accepte = codes::anomalie("oid_non_accepte");  ///< known OID outside the policy's set
inline constexpr std::string_view trait_invalide = codes::anomalie("trait_invalide");  ///< a trait of INSi's answer outside the INS rules (§2.1)
// Warnings only (INSi is the authority on plausibility, §1.5):
inline constexpr std::string_view departement_20 = codes::avertissement("departement_20");    ///< Corsica before 1976
inline constexpr std::string_view mois_inhabituel = codes::avertissement("mois_inhabituel");  ///< month 00, 13–19 or 43–49
}  // namespace anomaly

/// Outcome of a full check. `anomalies` empty ⇔ usable INS.
struct MatriculeVerdict {
  std::string matricule;  ///< the 13 characters after lenient clean-up (as given when strict)
  std::string cle;
  std::string oid;
  std::string type;       ///< "NIR" or "NIA", decided by the OID only (never by the first digit)
  bool test = false;      ///< OID .10/.11
  std::vector<std::string> anomalies;  ///< names of namespace `anomaly`
  std::vector<std::string> warnings;   ///< `departement_20`, `mois_inhabituel`
  bool valid() const { return anomalies.empty(); }
};

/// @brief Checks a 13-character matricule, its 2-digit key and its OID, §1.1–§1.5.
///
/// Layout errors stop the key check (`longueur_invalide`, `format_invalide`);
/// the OID is always checked too, so one call lists every problem. Use on
/// every matricule typed, received from a peer, or returned by INSi (whose
/// answer is then kept provisoire and never cached, §1.5) — never "fix" it.
MatriculeVerdict check_matricule(std::string_view matricule13, std::string_view cle,
                                 std::string_view oid, const OidPolicy& policy,
                                 MatriculeParsing parsing = MatriculeParsing::strict);

/// @brief Same check on the 15-character form (matricule + key), §1.5.
MatriculeVerdict check_ins15(std::string_view ins15, std::string_view oid,
                             const OidPolicy& policy,
                             MatriculeParsing parsing = MatriculeParsing::strict);

}  // namespace insgate::identity

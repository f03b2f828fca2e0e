// insgate — the five INS traits: birth date, sex, birthplace (COG), and the
// validation of a whole set of caller traits before an INSi call.
//
// Source rule: ins-identity-rules.md §2 (trait formats), §2.1 (names, see
// normalise.hpp), §2.2 (partly unknown and "lunar" birth dates).
// Pure functions, no I/O, thread-safe. Messages never contain caller values.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "identity/normalise.hpp"

namespace insgate::identity {

namespace rule {
inline constexpr std::string_view date_format_invalide = "date_format_invalide";  ///< not AAAA-MM-JJ
inline constexpr std::string_view date_invalide = "date_invalide";      ///< outside what §2.2 allows
inline constexpr std::string_view sexe_invalide = "sexe_invalide";      ///< not M/F
inline constexpr std::string_view sexe_indetermine = "sexe_indetermine";  ///< I/U: cannot be sent to INSi
inline constexpr std::string_view cog_invalide = "cog_invalide";        ///< not a 5-character COG
}  // namespace rule

/// What kind of birth date a valid `AAAA-MM-JJ` value is (§2.2).
enum class DateKind {
  calendrier,              ///< a real Gregorian date
  partiellement_inconnue,  ///< day 00 (month 01–12), or month 00 (day 00–31)
  lunaire,                 ///< non-calendar: day 31–35 of a known month that has no such
                           ///< day (week 1–5), or month 13–99 with day 00–35
};

/// @brief Classifies a birth date `AAAA-MM-JJ` (XSD `DateLunaire`), §2.2.
///
/// The value passes INSi unchanged whatever its kind: nothing is completed or
/// corrected here (completion to a real date is the care software's job and
/// forbids récupérée/qualifiée, §2.2). Rejected: any other layout
/// (`date_format_invalide`), year 0000, day above 35, or a day that neither
/// exists in the month nor is a week number 31–35 (e.g. 1981-02-29)
/// (`date_invalide`).
std::variant<DateKind, Rejection> classify_date_naissance(std::string_view date);

/// @brief Normalises the sex towards INSi (§2): `M`/`F`, lower case accepted.
/// @return "M" or "F"; `sexe_indetermine` for I/U (not obtainable from INSi),
///         `sexe_invalide` otherwise.
std::variant<std::string, Rejection> normalise_sexe(std::string_view sexe);

/// @brief Checks a birthplace COG (§2): 5 characters — département 01–95 + 3
/// digits; overseas 971–978 / 984–989 + 2 digits; `2A`/`2B` + 3 digits
/// (lower-case a/b accepted and upper-cased); `99` + 3-digit country (not 000).
/// @return the COG as INSi expects it, or `cog_invalide`.
std::variant<std::string, Rejection> normalise_lieu_naissance(std::string_view cog);

/// Raw traits as the caller typed them.
struct TraitsInput {
  std::string nom_naissance;
  std::vector<std::string> prenoms;  ///< each element may hold several first names
  std::string sexe;
  std::string date_naissance;
  std::optional<std::string> lieu_naissance;
};

/// Traits ready for INSi (the API's `traits_envoyes`).
struct TraitsIns {
  std::string nom_naissance;
  std::vector<std::string> prenoms;  ///< single first names, in order
  std::string sexe;                  ///< "M" or "F"
  std::string date_naissance;        ///< unchanged, see classify_date_naissance
  DateKind date_kind = DateKind::calendrier;
  std::optional<std::string> lieu_naissance;
};

/// One failing field, for the API's 422 `traits_invalides` `errors` list.
struct FieldError {
  std::string champ;    ///< "traits.nom_naissance", "traits.prenoms", "traits.sexe",
                        ///< "traits.date_naissance" or "traits.lieu_naissance"
  std::string rule;     ///< a name of namespace `rule`
  std::string message;  ///< French, names the field and the rule, never the value
};

/// @brief Normalises and checks all traits; never stops at the first error.
/// @return the traits to send, or one FieldError per failing field (in the
///         order nom, prénoms, sexe, date, lieu).
std::variant<TraitsIns, std::vector<FieldError>> validate_traits(const TraitsInput& input);

/// The traits of an INSi answer (TIQ) as INSi returned them; nullopt =
/// element absent.
struct TraitsInsiView {
  std::optional<std::string_view> nom_naissance;
  std::optional<std::string_view> liste_prenoms;  ///< ListePrenom
  std::optional<std::string_view> prenom;         ///< the older Prenom element
  std::optional<std::string_view> sexe;
  std::optional<std::string_view> date_naissance;
  std::optional<std::string_view> lieu_naissance;
};

/// One trait of an INSi answer that breaks the INS rules.
struct TraitAnomaly {
  std::string trait;  ///< "nom_naissance", "liste_prenoms", "prenom", "sexe",
                      ///< "date_naissance" or "lieu_naissance"
  std::string rule;   ///< a name of namespace `rule` (never the value)
};

/// @brief Checks INSi's traits without changing them (§0 rule 6, §2, §2.1):
/// names in the INS alphabet with the §2.1 syntax (check_nom_naissance_insi,
/// check_liste_prenoms_insi), sexe exactly `M` or `F`, a birth date that
/// classify_date_naissance accepts, a birthplace that is a COG exactly as
/// INSi must send it. Absent elements are not checked (INSi decides which
/// it sends). An answer with a TraitAnomaly is not an identity the gateway
/// may record: the caller reports it (API `anomalies`), never caches it.
std::vector<TraitAnomaly> check_traits_insi(const TraitsInsiView& traits);

}  // namespace insgate::identity

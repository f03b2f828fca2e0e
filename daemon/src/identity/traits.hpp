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
inline constexpr std::string_view date_format_invalide = codes::regle("date_format_invalide");  ///< not AAAA-MM-JJ
inline constexpr std::string_view date_invalide = codes::regle("date_invalide");      ///< outside what §2.2 allows
inline constexpr std::string_view sexe_invalide = codes::regle("sexe_invalide");      ///< not M/F
inline constexpr std::string_view sexe_indetermine = codes::regle("sexe_indetermine");  ///< I/U: cannot be sent to INSi
inline constexpr std::string_view cog_invalide = codes::regle("cog_invalide");        ///< not a 5-character COG
inline constexpr std::string_view date_future = codes::regle("date_future");  ///< known part after today
inline constexpr std::string_view date_trop_ancienne = codes::regle("date_trop_ancienne");  ///< before kAnneeMin
inline constexpr std::string_view cog_inexistant = codes::regle("cog_inexistant");  ///< COG layout, but no commune can have it (a postal code)
}  // namespace rule

/// Earliest birth year accepted. ins-identity-rules.md gives no lower bound:
/// this is the project's policy (nobody born before 1850 is looked up in
/// INSi; such a year is a typing error).
inline constexpr int kAnneeMin = 1850;

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

/// @brief Checks that a birth date can be a birth date on `today`: its known
/// part is not in the future and its year is not before kAnneeMin.
///
/// `date` is a valid `AAAA-MM-JJ` value (see classify_date_naissance) and
/// `today` the local date `AAAA-MM-JJ`. "Known part" (§2.2): the year; the
/// month when it is 01–12; the day when it is a real day of that month (a
/// day 00 or a week number 31–35 counts as the month's first day; a month
/// 00 or 13–99 as the year's first day).
/// @return nullopt when acceptable, else a Rejection `date_future` or
///         `date_trop_ancienne`.
std::optional<Rejection> check_date_bounds(std::string_view date, std::string_view today);

/// @brief Normalises the sex towards INSi (§2): `M`/`F`, lower case accepted.
/// @return "M" or "F"; `sexe_indetermine` for I/U (not obtainable from INSi),
///         `sexe_invalide` otherwise.
std::variant<std::string, Rejection> normalise_sexe(std::string_view sexe);

/// @brief Checks a birthplace COG (§2, insi-protocol.md §4.1 "COG, 5 chars").
///
/// Layout (`cog_invalide` otherwise): 5 characters, digits, or `2A`/`2B` +
/// 3 digits (lower-case a/b accepted and upper-cased).
/// Structure of the INSEE COG (`cog_inexistant` otherwise — such a value is
/// almost always a postal code, e.g. 63000): département 01–19 or 21–95
/// (`20` is not a COG département since 1976: Corsica is 2A/2B — its postal
/// codes start with 20) followed by a commune number 001–999; overseas
/// département 971–976 or collectivity 975/977/978/984–989 followed by a
/// commune number 01–99; born abroad: `99` + INSEE country code, whose first
/// digit is the continent 1–5.
/// Written from the COG's structure, not from the list of communes:
/// ins-identity-rules.md keeps birthplaces as INSi returns them, which may
/// be communes that no longer exist, so a list of today's communes would
/// refuse real birthplaces; a well-formed but unknown COG is left to INSi
/// (CR 01, whose advice then says to check that the COG was sent).
/// @return the COG as INSi expects it, or the Rejection.
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
/// `today` (`AAAA-MM-JJ`, local date) bounds the birth date (check_date_bounds).
/// @return the traits to send, or one FieldError per failing field (in the
///         order nom, prénoms, sexe, date, lieu).
std::variant<TraitsIns, std::vector<FieldError>> validate_traits(const TraitsInput& input,
                                                                 std::string_view today);

/// Today's local date, `AAAA-MM-JJ` (reads the clock: the one impure helper here).
std::string today_local();

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

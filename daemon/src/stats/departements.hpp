// insgate — the département of a FINESS number, as the regional INSi usage
// file writes it ("DD - Libellé").
//
// A FINESS number (9 characters) begins with the code of its département:
// two characters for metropolitan France ("01".."95", "2A"/"2B" for Corsica),
// and "97" for the overseas départements and collectivities, whose INSEE
// code's third character follows: either at once (971… → 971 Guadeloupe,
// 972… Martinique, 973… Guyane, 974… La Réunion, 975… Saint-Pierre-et-
// Miquelon, 976… Mayotte) or after a 0 (9701… → 971, 9704… → 974, the form
// the FINESS numbers of overseas establishments are seen with). The two
// forms cannot collide ("970" is no INSEE code); which one the FINESS
// registry uses could not be confirmed offline, so both are accepted.
// Labels are the INSEE official geographic code (COG) names, accents included.
// The 98x collectivities (TAAF, Wallis-et-Futuna, Polynésie française,
// Nouvelle-Calédonie) have their own health insurance schemes, outside the
// INS perimeter: they are not in the table and come back as unknown.
// Source rule: ins-identity-rules.md §6 (Département column).
// Pure functions over a constant table; thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace insgate::stats {

struct Departement {
  std::string_view code;     ///< INSEE code: "01", "2A", "974", ...
  std::string_view libelle;  ///< INSEE name: "Ain", "Corse-du-Sud", "La Réunion"
  /// "DD - Libellé", e.g. "2A - Corse-du-Sud", "974 - La Réunion".
  std::string label() const;
};

/// The 101 départements, then the overseas collectivities that have FINESS
/// numbers (975 Saint-Pierre-et-Miquelon), in INSEE code order.
std::span<const Departement> departements();

/// The département of a FINESS number (9 characters).
/// @return nullopt — the error value — when `finess` is not 9 characters or
/// its prefix is no département of the table (e.g. "20", "96", "977", "98x").
std::optional<Departement> departement_of_finess(std::string_view finess);

/// The département of an INSEE code ("01", "2A", "974"); nullopt if unknown.
std::optional<Departement> departement_by_code(std::string_view code);

}  // namespace insgate::stats

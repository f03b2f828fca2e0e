// insgate — normalisation of the INS name traits (birth name, first names)
// before any INSi call.
//
// Source rule: ins-identity-rules.md §0 rule 5 and §2.1 (allowed alphabet,
// normalisation order, syntax checks). Pure functions, no I/O, thread-safe
// (ICU's normaliser singleton is immutable once created).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "identity/codes.hpp"

namespace insgate::identity {

/// Why a caller value was refused. `rule` is a stable snake_case name for
/// machines (API `errors[].rule`); `message` is French text for the person at
/// the keyboard. Neither ever contains the refused value.
struct Rejection {
  std::string rule;
  std::string message;
};

/// Rule names produced by this header (stable, part of the local API; each is
/// in identity/codes.hpp, with its sentence).
namespace rule {
inline constexpr std::string_view trop_long = codes::regle("trop_long");               ///< input over kMaxNameBytes
inline constexpr std::string_view utf8_invalide = codes::regle("utf8_invalide");       ///< not well-formed UTF-8
inline constexpr std::string_view caractere_interdit = codes::regle("caractere_interdit");  ///< outside A–Z ' - space
inline constexpr std::string_view vide = codes::regle("vide");                         ///< empty after normalisation
inline constexpr std::string_view debut_invalide = codes::regle("debut_invalide");     ///< starts with - or '
inline constexpr std::string_view fin_invalide = codes::regle("fin_invalide");         ///< ends with - or '
inline constexpr std::string_view tirets_multiples = codes::regle("tirets_multiples"); ///< three hyphens or more
inline constexpr std::string_view double_tiret_prenom = codes::regle("double_tiret_prenom");  ///< -- in a first name
inline constexpr std::string_view apostrophe_tiret = codes::regle("apostrophe_tiret"); ///< '- or -'
inline constexpr std::string_view apostrophes_doubles = codes::regle("apostrophes_doubles");  ///< ''
inline constexpr std::string_view espace_apostrophe = codes::regle("espace_apostrophe");  ///< space next to '
inline constexpr std::string_view espace_dans_prenom = codes::regle("espace_dans_prenom");  ///< single first name with a space
inline constexpr std::string_view normalisation_impossible = codes::regle("normalisation_impossible");  ///< ICU failure (memory)
}  // namespace rule

/// Longest raw input accepted per name value, in bytes (checked before any
/// decoding, so hostile input costs O(1)). Every later step is linear.
inline constexpr std::size_t kMaxNameBytes = 1000;

/// @brief Normalises a birth name (nom de naissance), ins-identity-rules.md §2.1.
///
/// Steps, in the spec's order: (1) explicit mappings — Œ→OE, Æ→AE, ß/ẞ→SS,
/// Ø→O, Ł→L, Đ→D, typographic apostrophes and primes → `'`, dashes
/// U+2010–U+2015 and U+2212 → `-`, soft hyphen / zero-width / BOM dropped;
/// (2) NFKD (ICU) and removal of combining marks; (3) upper case, Unicode
/// white space → space, runs collapsed, spaces around hyphens removed, trim;
/// (4) alphabet check (A–Z, space, `'`, `-`) and syntax checks. Nothing is
/// ever silently deleted except the invisible characters of step 1.
/// `--` is allowed (birth name only); `---` is not.
///
/// @param utf8 caller input, UTF-8.
/// @return the normalised name, or a Rejection naming the first failing rule
///         (`trop_long`, `utf8_invalide`, `caractere_interdit`, `vide`, or a
///         syntax rule of namespace `rule`).
std::variant<std::string, Rejection> normalise_nom_naissance(std::string_view utf8);

/// @brief Normalises exactly one first name (prénom), §2.1.
///
/// Same steps as the birth name, with the first-name syntax: no `--`, no space
/// (rule `espace_dans_prenom`).
std::variant<std::string, Rejection> normalise_prenom(std::string_view utf8);

/// @brief Normalises a list of first names (prénoms de naissance), §2.1 and §2.
///
/// Each element may hold several first names separated by white space; the
/// result is the flat list of single first names, in order
/// (`{"Bérénice Anne-Sophie"}` → `{"BERENICE", "ANNE-SOPHIE"}`,
/// `{"Anne- Sophie"}` → `{"ANNE-SOPHIE"}`). Each first name gets the
/// first-name syntax checks. An empty list or an element that is empty after
/// normalisation is rejected with `vide`; the byte cap applies per element and
/// to the list as a whole.
std::variant<std::vector<std::string>, Rejection> normalise_prenoms(
    const std::vector<std::string>& inputs);

/// @brief Checks a birth name as INSi returned it, without changing it
/// (§0 rule 6: INSi's traits are never altered, only checked): at most
/// kMaxNameBytes, only A–Z, space, `'` and `-`, and the syntax checks of §2.1
/// (the ones normalise_nom_naissance applies after normalising).
/// @return nullopt when the value conforms, else the first failing rule
///         (`trop_long`, `caractere_interdit`, `vide` or a syntax rule).
std::optional<Rejection> check_nom_naissance_insi(std::string_view value);

/// @brief Same check for INSi's list of first names (ListePrenom, or the
/// older Prenom): first names separated by single spaces, each with the
/// first-name syntax (no `--`).
std::optional<Rejection> check_liste_prenoms_insi(std::string_view value);

}  // namespace insgate::identity

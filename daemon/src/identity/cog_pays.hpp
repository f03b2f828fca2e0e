// insgate — the country of a birthplace COG, as HL7 v2 writes countries
// (ISO 3166-1 alpha-3, HL7 table 0399), for PID-11 XAD-6.
//
// Source rule: ins-identity-rules.md §2 (lieu de naissance: commune COG, or
// `99` + INSEE country code for a person born abroad) and §5.1 (PID-11
// `^^^^^<country>^BDL^^<COG>`). The INSEE country codes and their ISO 3166
// equivalents are INSEE's Code officiel géographique 2025, "pays et
// territoires étrangers" (Licence Ouverte 2.0), current entries only.
// Pure functions, no I/O, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string_view>

namespace insgate::identity {

/// @brief ISO 3166-1 alpha-3 country of a birthplace COG.
/// @return "FRA" for a French commune (a COG of the right shape not
///         starting with 99, overseas ones included; the departement ranges
///         are checked by normalise_lieu_naissance, not here); the country of an INSEE `99xxx` code that
///         has an ISO 3166 equivalent (99109 → "DEU", 99350 → "MAR");
///         nullopt for a value that is not COG-shaped, a former country (99115
///         Tchécoslovaquie…) or a territory without an ISO code (99157 Kosovo).
std::optional<std::string_view> iso3166_alpha3_of_cog(std::string_view cog);

}  // namespace insgate::identity

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

}  // namespace insgate::identity

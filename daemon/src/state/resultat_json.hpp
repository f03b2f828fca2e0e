// insgate — JSON form of an INSi RESULTAT, as stored in the cache.
//
// Shape: {"code_cr", "libelle_cr", "individu": {"ins_actif": INS,
// "ins_histo": [INS...], "tiq": {"nom_naissance", "prenom", "liste_prenoms",
// "sexe", "date_naissance", "lieu_naissance"}}} with INS = {"matricule",
// "cle", "oid", "date_debut", "date_fin"}; absent optionals are omitted.
// Values are INSi's, verbatim. Pure functions, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "insi/insi_messages.hpp"

namespace insgate::state {

std::string to_json(const insi::Resultat& r);
std::string to_json(const insi::TraitsTiq& t);  ///< the "tiq" object alone

/// @throw StateError if `json` is not this shape (the message quotes no value).
insi::Resultat resultat_from_json(const std::string& json);
insi::TraitsTiq tiq_from_json(const std::string& json);

}  // namespace insgate::state

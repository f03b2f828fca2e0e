// insgate dmp-fhir plugin — the FHIR R4 FR Core Patient for one identity
// event (ins-identity-rules.md §5.2). Pure function, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <variant>

#include <insgate/plugin.h>
#include <nlohmann/json.hpp>

#include "identity/representations.hpp"

namespace insgate::dmp_fhir {

struct PatientOptions {
  identity::FrCoreVersion fr_core = identity::FrCoreVersion::v2_1;
  /// identifier.system of the local identifier (IPP), an absolute URI such
  /// as "urn:oid:1.2.250.1.999.1" (required by FR Core for identifier[PI];
  /// the plugin's configuration makes it mandatory).
  std::string systeme_identifiant_local;
};

/// Why an event cannot be represented (never identity data).
struct Refused {
  std::string message;
};

/// The Patient resource:
///  - QUALIFIEE / MISE_A_JOUR / INS_REMPLACEE: profile fr-core-patient-ins, the
///    INS identifier (use official, temp for a NIA), the replaced INS as a
///    second INS identifier with use old (INS_REMPLACEE), identityStatus of a
///    qualifiée identity;
///  - DECLASSEE: profile fr-core-patient, NO INS identifier, identityStatus of
///    the new status; the receiver matches the patient on the local identifier.
/// Always: the local identifier (type PI, with `systeme_identifiant_local`)
/// when not empty, name (official, family = birth name, given = first first
/// name, birth-list-given-name = full list), gender, birthDate, birthPlace
/// with the COG. The identity-reliability extension also carries what the
/// event knows (plugin ABI minor 1): the INSi call date, the identity
/// document as `validationMode` and its check date as `validationDate`.
std::variant<nlohmann::json, Refused> patient(const insgate_event& ev, const PatientOptions& opt);

}  // namespace insgate::dmp_fhir

// insgate — how an INS and its RNIV status are written for the receiving
// standards: HL7 v2.5 (IHE PAM France) PID-3 and PID-32, FHIR FR Core Patient
// INS identifier and identity reliability, MSSanté citizen address.
//
// Source rule: ins-identity-rules.md §5.1, §5.2, §5.4, and §0 rule 4 (the
// matricule leaves the gateway only for an identité qualifiée).
// Pure functions, no I/O, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "identity/matricule.hpp"
#include "identity/rniv.hpp"

namespace insgate::identity {

/// The functions below that write the matricule return nothing (nullopt)
/// unless `status` is qualifiée, the matricule's layout and key check
/// (strict), and the OID is one of .8/.9/.10/.11 — a representation never
/// carries an INS that check_matricule would flag (OID policy aside: apply
/// check_matricule with the environment's OidPolicy before).

/// @brief HL7 v2.5 PID-3 repetition of the INS (§5.1):
/// `<15 chars>^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS`
/// (namespace ASIP-SANTE-INS-NIA for .9; CX-5 is `INS`, CX-7/8 empty).
/// The value is only [0-9AB] and the OID digits and dots: no HL7 escaping needed.
std::optional<std::string> hl7_pid3_ins(const Ins& ins, RnivStatus status);

/// @brief HL7 PID-32 repetitions (§5.1, French table 0445): the status code
/// first, then the attribute codes DOUT, FICT, HOMA (in that order).
///
/// Table 0445 has no code for récupérée nor qualifiée: qualifiée is sent as
/// `VALI` together with the INS in PID-3; validée as `VALI` without INS;
/// récupérée as `PROV` (its INS must not be sent) — the last mapping is our
/// reading of §0 rule 4 and §5.1, to confirm against PAM France 2.11.
std::vector<std::string> hl7_pid32(RnivStatus status, const RnivAttributes& attributes);

/// PID-32 as one field: the repetitions of hl7_pid32 joined with `~`
/// (e.g. `PROV~DOUT`).
std::string hl7_pid32_field(RnivStatus status, const RnivAttributes& attributes);

/// Whether the identifier is the current INS (INSACTIF) or a former one
/// (INSHISTO, §4).
enum class InsUse { active, historique };

/// @brief FR Core Patient INS identifier (§5.2), e.g.
/// `{"use":"official","type":{"coding":[{"system":
/// "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203","code":"INS-NIR"}]},
/// "system":"urn:oid:1.2.250.1.213.1.4.8","value":"292032A00401233"}`.
/// `use`: active NIR (.8/.10/.11) → official, active NIA (.9) → temp,
/// historique → old. Type code INS-NIR / INS-NIA / INS-NIR-TEST / INS-NIR-DEMO.
std::optional<nlohmann::json> fhir_ins_identifier(const Ins& ins, RnivStatus status,
                                                  InsUse use = InsUse::active);

/// Which FR Core release the receiver follows (§5.2 version drift).
enum class FrCoreVersion {
  v2_1,         ///< table 0445 codes (qualifiée → VALI, récupérée → PROV)
  v2_2_ballot,  ///< fr-core-cs-identity-status PROV / RECUP / VALI / QUAL
};

/// @brief Code of an identity document (local API `piece_identite.type`) in
/// the French code list shared by HL7 ZFD-7 (§5.1) and FR Core
/// `validationMode` (CodeSystem fr-core-cs-mode-validation-identity):
/// CNI → `CN`, PASSEPORT → `PA`, TITRE_SEJOUR → `CS` (carte de séjour),
/// LIVRET_FAMILLE_ACTE → `LE` (livret de famille: the API does not tell it
/// from a birth-certificate extract, `AN`). nullopt for any other name.
std::optional<std::string_view> identity_document_code(std::string_view api_name);

/// What else the identity-reliability extension can say (§5.2); empty
/// strings are left out.
struct ReliabilityDetails {
  std::string insi_date;        ///< AAAA-MM-JJ of the last INSi call: `dateCollection`
                                ///< (2.1) / `dateInterrogationINSi` (2.2 ballot)
  std::string validation_mode;  ///< identity_document_code(): `validationMode`
  std::string validation_date;  ///< AAAA-MM-JJ of the document check: `validationDate`
};

/// @brief The `fr-core-identity-reliability` extension with its
/// `identityStatus` sub-extension (§5.2), then the details that are known
/// (INSi call date, `validationMode` coded in fr-core-cs-mode-validation-identity,
/// `validationDate`). Attributes are not written here.
nlohmann::json fhir_identity_reliability(RnivStatus status, FrCoreVersion version,
                                         const ReliabilityDetails& details = {});

/// @brief MSSanté citizen address `<15 chars>@patient.mssante.fr` (§5.4).
std::optional<std::string> mssante_address(const Ins& ins, RnivStatus status);

}  // namespace insgate::identity

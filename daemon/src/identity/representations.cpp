// SPDX-License-Identifier: GPL-3.0-or-later
// HL7 v2.5, FHIR FR Core and MSSanté forms of the INS, ins-identity-rules.md §5.
#include "identity/representations.hpp"

namespace insgate::identity {
namespace {

constexpr const char* kFrCoreCs0203 = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203";
constexpr const char* kReliabilityUrl =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability";
constexpr const char* kIdentityStatusCs =
    "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status";
constexpr const char* kTable0445Cs = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0445";
constexpr const char* kValidationModeCs =
    "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity";

/// True when the INS may be written at all (see the header's contract).
bool emittable(const Ins& ins, RnivStatus status) {
  return status == RnivStatus::qualifiee && key_matches(ins.matricule, ins.cle) &&
         classify_oid(ins.oid).known;
}

const char* fhir_type_code(std::string_view o) {
  if (o == oid::nia) return "INS-NIA";
  if (o == oid::nir_test) return "INS-NIR-TEST";
  if (o == oid::nir_demo) return "INS-NIR-DEMO";
  return "INS-NIR";
}

const char* table_0445_status(RnivStatus s) {
  return s == RnivStatus::validee || s == RnivStatus::qualifiee ? "VALI" : "PROV";
}

}  // namespace

std::optional<std::string> hl7_pid3_ins(const Ins& ins, RnivStatus status) {
  if (!emittable(ins, status)) return std::nullopt;
  const char* ns = ins.oid == oid::nia ? "ASIP-SANTE-INS-NIA" : "ASIP-SANTE-INS-NIR";
  return ins.value15() + "^^^" + ns + "&" + ins.oid + "&ISO^INS";
}

std::vector<std::string> hl7_pid32(RnivStatus status, const RnivAttributes& a) {
  std::vector<std::string> out{table_0445_status(status)};
  if (a.douteuse) out.emplace_back("DOUT");
  if (a.fictive) out.emplace_back("FICT");
  if (a.homonyme) out.emplace_back("HOMA");
  return out;
}

std::string hl7_pid32_field(RnivStatus status, const RnivAttributes& a) {
  std::string field;
  for (const auto& code : hl7_pid32(status, a)) {
    if (!field.empty()) field += '~';
    field += code;
  }
  return field;
}

std::optional<nlohmann::json> fhir_ins_identifier(const Ins& ins, RnivStatus status, InsUse use) {
  if (!emittable(ins, status)) return std::nullopt;
  const char* use_code =
      use == InsUse::historique ? "old" : (ins.oid == oid::nia ? "temp" : "official");
  return nlohmann::json{
      {"use", use_code},
      {"type",
       {{"coding", nlohmann::json::array({{{"system", kFrCoreCs0203},
                                           {"code", fhir_type_code(ins.oid)}}})}}},
      {"system", "urn:oid:" + ins.oid},
      {"value", ins.value15()},
  };
}

std::optional<std::string_view> identity_document_code(std::string_view api_name) {
  if (api_name == "CNI") return "CN";
  if (api_name == "PASSEPORT") return "PA";
  if (api_name == "TITRE_SEJOUR") return "CS";
  if (api_name == "LIVRET_FAMILLE_ACTE") return "LE";
  return std::nullopt;
}

nlohmann::json fhir_identity_reliability(RnivStatus status, FrCoreVersion version,
                                         const ReliabilityDetails& details) {
  nlohmann::json coding;
  if (version == FrCoreVersion::v2_2_ballot) {
    static constexpr const char* kCodes[] = {"PROV", "RECUP", "VALI", "QUAL"};
    coding = {{"system", kIdentityStatusCs}, {"code", kCodes[static_cast<int>(status)]}};
  } else {
    coding = {{"system", kTable0445Cs}, {"code", table_0445_status(status)}};
  }
  auto parts = nlohmann::json::array({{{"url", "identityStatus"}, {"valueCoding", coding}}});
  if (!details.insi_date.empty())
    parts.push_back({{"url", version == FrCoreVersion::v2_2_ballot ? "dateInterrogationINSi"
                                                                    : "dateCollection"},
                     {"valueDate", details.insi_date}});
  if (!details.validation_mode.empty())
    parts.push_back({{"url", "validationMode"},
                     {"valueCoding",
                      {{"system", kValidationModeCs}, {"code", details.validation_mode}}}});
  if (!details.validation_date.empty())
    parts.push_back({{"url", "validationDate"}, {"valueDate", details.validation_date}});
  return nlohmann::json{{"url", kReliabilityUrl}, {"extension", std::move(parts)}};
}

std::optional<std::string> mssante_address(const Ins& ins, RnivStatus status) {
  if (!emittable(ins, status)) return std::nullopt;
  return ins.value15() + "@patient.mssante.fr";
}

}  // namespace insgate::identity

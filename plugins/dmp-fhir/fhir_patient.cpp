// SPDX-License-Identifier: GPL-3.0-or-later
// FR Core Patient INS for an identity event (see fhir_patient.hpp).
#include "fhir_patient.hpp"

#include <string_view>

namespace insgate::dmp_fhir {
namespace {

using nlohmann::json;
using identity::RnivStatus;

constexpr const char* kProfileIns =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins";
constexpr const char* kProfilePatient =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient";
constexpr const char* kBirthList =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name";
constexpr const char* kBirthPlace = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
constexpr const char* kInseeCode =
    "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code";
constexpr const char* kCommunes = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM";
constexpr const char* kPays = "https://mos.esante.gouv.fr/NOS/TRE_R20-Pays/FHIR/TRE-R20-Pays";
constexpr const char* kV2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203";

const char* nz(const char* s) { return s != nullptr ? s : ""; }

identity::Ins to_ins(const insgate_ins& i) { return {nz(i.matricule), nz(i.cle), nz(i.oid)}; }

/// FHIR date from "AAAA-MM-JJ"; a lunar date keeps what is known
/// ("1980-00-00" → "1980", "1980-05-00" → "1980-05").
std::string fhir_date(std::string_view d) {
  if (d.size() != 10) return std::string(d);
  if (d.substr(5, 2) == "00") return std::string(d.substr(0, 4));
  if (d.substr(8, 2) == "00") return std::string(d.substr(0, 7));
  return std::string(d);
}

}  // namespace

std::variant<json, Refused> patient(const insgate_event& ev, const PatientOptions& opt) {
  switch (ev.kind) {
    case INSGATE_EVENT_QUALIFIEE: case INSGATE_EVENT_MISE_A_JOUR:
    case INSGATE_EVENT_INS_REMPLACEE: case INSGATE_EVENT_DECLASSEE: break;
    default: return Refused{"unsupported event kind " + std::to_string(ev.kind)};
  }
  const auto status = identity::parse_rniv_status(nz(ev.rniv_status));
  if (!status) return Refused{"unknown RNIV status in event"};
  const bool declassee = ev.kind == INSGATE_EVENT_DECLASSEE;
  if (declassee == (*status == RnivStatus::qualifiee))
    return Refused{"RNIV status inconsistent with event kind"};

  json identifiers = json::array();
  if (!declassee) {
    auto ins = identity::fhir_ins_identifier(to_ins(ev.ins), *status);
    if (!ins) return Refused{"INS refused by the FHIR representation checks (key or OID)"};
    identifiers.push_back(std::move(*ins));
    if (ev.kind == INSGATE_EVENT_INS_REMPLACEE && ev.previous_ins != nullptr) {
      auto old = identity::fhir_ins_identifier(to_ins(*ev.previous_ins), RnivStatus::qualifiee,
                                               identity::InsUse::historique);
      if (old) identifiers.push_back(std::move(*old));
    }
  }
  if (*nz(ev.local_id) != '\0') {
    json local = {{"use", "usual"},
                  {"type", {{"coding", json::array({{{"system", kV2_0203}, {"code", "PI"}}})}}},
                  {"value", ev.local_id}};
    if (opt.systeme_identifiant_local.empty())
      return Refused{"no identifier system for the local identifier (systeme_identifiant_local)"};
    local["system"] = opt.systeme_identifiant_local;
    identifiers.push_back(std::move(local));
  }

  const insgate_traits& t = ev.traits;
  const std::string_view cog = nz(t.lieu_naissance);
  const bool abroad = cog.substr(0, 2) == "99";
  json birth_place = {
      {"url", kBirthPlace},
      {"valueAddress",
       {{"extension", json::array({{{"url", kInseeCode},
                                    {"valueCoding",
                                     {{"system", abroad ? kPays : kCommunes}, {"code", cog}}}}})}}}};

  // What the event knows about how the identity was established (ABI minor 1).
  identity::ReliabilityDetails details;
  if (INSGATE_HAS_FIELD(&ev, insgate_event, insi_call_time))
    details.insi_date = std::string(std::string_view(nz(ev.insi_call_time)).substr(0, 10));
  if (INSGATE_HAS_FIELD(&ev, insgate_event, identity_document_checked_on)) {
    details.validation_mode =
        std::string(identity::identity_document_code(nz(ev.identity_document_type)).value_or(""));
    if (!details.validation_mode.empty())
      details.validation_date = nz(ev.identity_document_checked_on);
  }

  const std::string_view sexe = nz(t.sexe);
  json p = {
      {"resourceType", "Patient"},
      {"meta", {{"profile", json::array({declassee ? kProfilePatient : kProfileIns})}}},
      {"extension",
       json::array({identity::fhir_identity_reliability(*status, opt.fr_core, details),
                    birth_place})},
      {"identifier", std::move(identifiers)},
      {"name", json::array({{{"use", "official"},
                             {"family", nz(t.nom_naissance)},
                             {"given", json::array({nz(t.premier_prenom)})},
                             {"extension", json::array({{{"url", kBirthList},
                                                         {"valueString", nz(t.liste_prenoms)}}})}}})},
      {"gender", sexe == "M" ? "male" : sexe == "F" ? "female" : "unknown"},
      {"birthDate", fhir_date(nz(t.date_naissance))},
  };
  return p;
}

}  // namespace insgate::dmp_fhir

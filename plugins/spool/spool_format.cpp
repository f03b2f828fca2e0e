// SPDX-License-Identifier: GPL-3.0-or-later
// JSON and HL7 ADT^A31 forms of an identity event (see spool_format.hpp).
#include "spool_format.hpp"

#include <array>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "identity/cog_pays.hpp"
#include "identity/representations.hpp"

namespace insgate::spool {
namespace {

using identity::RnivStatus;

const char* kind_name(uint32_t kind) {
  switch (kind) {
    case INSGATE_EVENT_QUALIFIEE: return "qualifiee";
    case INSGATE_EVENT_MISE_A_JOUR: return "mise_a_jour";
    case INSGATE_EVENT_INS_REMPLACEE: return "ins_remplacee";
    case INSGATE_EVENT_DECLASSEE: return "declassee";
    default: return nullptr;
  }
}

const char* nz(const char* s) { return s != nullptr ? s : ""; }

identity::Ins to_ins(const insgate_ins& i) { return {nz(i.matricule), nz(i.cle), nz(i.oid)}; }

/// Kind and RNIV status consistent with plugin.h: qualifiée for the first
/// three kinds, a lower status for DECLASSEE.
std::variant<RnivStatus, Refused> checked_status(const insgate_event& ev) {
  if (kind_name(ev.kind) == nullptr)
    return Refused{"unsupported event kind " + std::to_string(ev.kind)};
  auto st = identity::parse_rniv_status(nz(ev.rniv_status));
  if (!st) return Refused{"unknown RNIV status in event"};
  const bool declassee = ev.kind == INSGATE_EVENT_DECLASSEE;
  if (declassee == (*st == RnivStatus::qualifiee))
    return Refused{std::string("RNIV status inconsistent with event kind ") + kind_name(ev.kind)};
  return *st;
}

nlohmann::json ins_json(const insgate_ins& i) {
  return {{"matricule", nz(i.matricule)}, {"cle", nz(i.cle)}, {"oid", nz(i.oid)},
          {"ins15", std::string(nz(i.matricule)) + nz(i.cle)}};
}

/// The ABI minor 1 fields ("" from a minor-0 host).
struct Minor1 {
  std::string insi_call_time, document_type, document_checked_on;
};

Minor1 minor1(const insgate_event& ev) {
  Minor1 m;
  if (INSGATE_HAS_FIELD(&ev, insgate_event, insi_call_time)) m.insi_call_time = nz(ev.insi_call_time);
  if (INSGATE_HAS_FIELD(&ev, insgate_event, identity_document_type))
    m.document_type = nz(ev.identity_document_type);
  if (INSGATE_HAS_FIELD(&ev, insgate_event, identity_document_checked_on))
    m.document_checked_on = nz(ev.identity_document_checked_on);
  return m;
}

/// "AAAA-MM-JJ" → "AAAAMMJJ" (lunar dates such as 1980-00-00 kept as digits).
std::string hl7_date(std::string_view d) {
  std::string out;
  for (char c : d)
    if (c != '-') out += c;
  return out;
}

}  // namespace

std::variant<std::string, Refused> compact_time(std::string_view iso) {
  // Exactly AAAA-MM-JJTHH:MM:SSZ.
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  if (iso.size() != shape.size()) return Refused{"event_time is not AAAA-MM-JJTHH:MM:SSZ"};
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    const char c = iso[i];
    if (shape[i] == 'd') {
      if (c < '0' || c > '9') return Refused{"event_time is not AAAA-MM-JJTHH:MM:SSZ"};
      out += c;
    } else if (c != shape[i]) {
      return Refused{"event_time is not AAAA-MM-JJTHH:MM:SSZ"};
    } else if (c == 'T' || c == 'Z') {
      out += c;
    }
  }
  return out;
}

std::string file_key(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '_' || c == '-') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string hl7_message_control_id(std::string_view key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr) != 1 || len < 10)
    throw std::runtime_error("SHA-256 unavailable");
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < 10; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0x0F];
  }
  return out;
}

std::string hl7_escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\': out += "\\E\\"; break;
      case '|': out += "\\F\\"; break;
      case '^': out += "\\S\\"; break;
      case '&': out += "\\T\\"; break;
      case '~': out += "\\R\\"; break;
      case '\r': out += "\\X0D\\"; break;
      case '\n': out += "\\X0A\\"; break;
      default: out += c;
    }
  }
  return out;
}

std::variant<std::string, Refused> to_json(const insgate_event& ev) {
  auto st = checked_status(ev);
  if (auto* r = std::get_if<Refused>(&st)) return *r;
  const insgate_traits& t = ev.traits;
  nlohmann::json doc = {
      {"format", "insgate-spool/1"},
      {"evenement", kind_name(ev.kind)},
      {"cle_idempotence", nz(ev.idempotency_key)},
      {"horodatage", nz(ev.event_time)},
      {"statut", nz(ev.rniv_status)},
      {"identifiant_local", nz(ev.local_id)},
      {"ins", ins_json(ev.ins)},
      {"traits",
       {{"nom_naissance", nz(t.nom_naissance)},
        {"liste_prenoms", nz(t.liste_prenoms)},
        {"premier_prenom", nz(t.premier_prenom)},
        {"sexe", nz(t.sexe)},
        {"date_naissance", nz(t.date_naissance)},
        {"lieu_naissance", nz(t.lieu_naissance)}}},
      {"ins_precedent", ev.previous_ins != nullptr ? ins_json(*ev.previous_ins) : nullptr},
  };
  const Minor1 m = minor1(ev);
  doc["insi_le"] = m.insi_call_time.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.insi_call_time);
  doc["piece_identite"] = m.document_type.empty()
                              ? nlohmann::json(nullptr)
                              : nlohmann::json{{"type", m.document_type},
                                               {"verifiee_le", m.document_checked_on}};
  // ABI minor 2: the structure (null from an older host).
  const bool has_finess = INSGATE_HAS_FIELD(&ev, insgate_event, finess) && ev.finess != nullptr &&
                          ev.finess[0] != '\0';
  doc["finess"] = has_finess ? nlohmann::json(ev.finess) : nlohmann::json(nullptr);
  // Invalid UTF-8 is replaced rather than thrown on (host strings are UTF-8 by contract).
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::variant<std::string, Refused> to_hl7(const insgate_event& ev, const Hl7Options& opt) {
  auto st = checked_status(ev);
  if (auto* r = std::get_if<Refused>(&st)) return *r;
  const RnivStatus status = std::get<RnivStatus>(st);
  const bool declassee = ev.kind == INSGATE_EVENT_DECLASSEE;
  auto ts = compact_time(nz(ev.event_time));
  if (auto* r = std::get_if<Refused>(&ts)) return *r;
  std::string hl7_ts = std::get<std::string>(ts);  // AAAAMMJJTHHMMSSZ → AAAAMMJJHHMMSS
  hl7_ts = hl7_ts.substr(0, 8) + hl7_ts.substr(9, 6);

  // PID-3: local identifier, then the INS (qualifiée only: §0 rule 4).
  std::string pid3;
  if (*nz(ev.local_id) != '\0')
    pid3 = hl7_escape(ev.local_id) + "^^^" + opt.autorite_ipp + "^PI";
  if (!declassee) {
    auto ins = identity::hl7_pid3_ins(to_ins(ev.ins), status);
    if (!ins) return Refused{"INS refused by the HL7 representation checks (key or OID)"};
    if (!pid3.empty()) pid3 += '~';
    pid3 += *ins;
  }
  const insgate_traits& t = ev.traits;
  const std::string sexe = nz(t.sexe);

  std::array<std::string, 33> pid;  // index = field number (0 = segment name)
  pid[0] = "PID";
  pid[1] = "1";
  pid[3] = pid3;
  pid[5] = hl7_escape(nz(t.nom_naissance)) + "^" + hl7_escape(nz(t.premier_prenom)) + "^" +
           hl7_escape(nz(t.liste_prenoms)) + "^^^^L";
  pid[7] = hl7_escape(hl7_date(nz(t.date_naissance)));
  pid[8] = sexe == "M" || sexe == "F" ? sexe : "U";
  // PID-11 birthplace: XAD-6 country (ISO 3166 alpha-3: FRA for a French
  // commune, the country of a 99xxx code), XAD-7 BDL, XAD-9 the COG.
  const std::string_view cog = nz(t.lieu_naissance);
  pid[11] = "^^^^^" + std::string(identity::iso3166_alpha3_of_cog(cog).value_or("")) + "^BDL^^" +
            hl7_escape(cog);
  // Attributes (DOUT/FICT/HOMA) are not carried by the event: status code only.
  pid[32] = identity::hl7_pid32_field(status, {});

  auto join = [](const auto& fields) {
    std::string s;
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i != 0) s += '|';
      s += fields[i];
    }
    return s;
  };
  std::string msg = "MSH|^~\\&|INSGATE|" + opt.etablissement_emetteur + "|" +
                    opt.application_destinataire + "|" + opt.etablissement_destinataire + "|" +
                    hl7_ts + "||ADT^A31^ADT_A05|" + hl7_message_control_id(nz(ev.idempotency_key)) +
                    "|P|2.5^FRA^" + opt.version_pam_france + "|||||FRA|UNICODE UTF-8\r";
  msg += "EVN||" + hl7_ts + "||||" + hl7_ts + "\r";
  msg += join(pid) + "\r";
  // ZFD (PAM France): 4 birth date corrected — N, the gateway never corrects
  // one (§2.2: a corrected date could not be qualifiée); 5 INSI — the traits
  // are INSi's; 6 date of the INSi call; 7 identity document type (§5.1).
  if (!declassee) {
    const Minor1 m = minor1(ev);
    std::string zfd6;
    if (auto t6 = compact_time(m.insi_call_time); std::holds_alternative<std::string>(t6)) {
      const auto& c = std::get<std::string>(t6);
      zfd6 = c.substr(0, 8) + c.substr(9, 6);
    }
    const std::string zfd7(identity::identity_document_code(m.document_type).value_or(""));
    std::string zfd = "ZFD||||N|INSI|" + zfd6 + "|" + zfd7;
    while (zfd.back() == '|') zfd.pop_back();  // no empty trailing fields
    msg += zfd + "\r";
  }
  return msg;
}

}  // namespace insgate::spool

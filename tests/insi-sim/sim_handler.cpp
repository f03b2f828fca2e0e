// insi-sim — request → answer decision and test journal (see sim_handler.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "sim_handler.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <variant>

#include "insi/soap_codec.hpp"

namespace insgate::insi_sim {
namespace {

namespace insi = insgate::insi;

SimReply soap_reply(unsigned status, std::string body, std::string summary) {
  SimReply r;
  r.status = status;
  r.body = std::move(body);
  r.summary = std::move(summary);
  return r;
}

SimReply fault_reply(insi::Fault f, const std::string& message_id, std::string summary) {
  if (!message_id.empty()) f.message_id = message_id;
  return soap_reply(500, insi::build_fault(f), std::move(summary));
}

/// The simulator's own fault for requests it cannot read. The subcode of a
/// malformed request is not documented (§7); siram_100 is our choice.
SimReply invalid_request(const std::string& why, const std::string& message_id) {
  insi::Fault f{"Sender", "siram_100", "Requête invalide (insi-sim).",
                "insi_sim_requete_invalide", "erreur", why, std::nullopt};
  return fault_reply(f, message_id, "fault insi_sim_requete_invalide: " + why);
}

/// DESIR_560 for a CN other than INSI-AUTO/INSI-MANU (§2.3, §7). The
/// subcode is "?" in the spec; siram_100 is our choice.
SimReply access_denied(const std::string& message_id) {
  insi::Fault f{"Sender", "siram_100", "Niveau d'accès insuffisant.", "DESIR_560", "erreur",
                "Niveau d'accès insuffisant.", std::nullopt};
  return fault_reply(f, message_id, "fault DESIR_560 (client CN)");
}

/// desir_550 with the texts of the recorded 2026 fault (§3, §7).
SimReply unknown_idam(const std::string& message_id) {
  insi::Fault f{"Sender", "siram_100",
                "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du "
                "progiciel ou votre responsable informatique.",
                "desir_550", "erreur", "Numéro d'autorisation du logiciel inconnu.",
                std::nullopt};
  return fault_reply(f, message_id, "fault desir_550 (IDAM)");
}


SimReply from_dataset(const Person* p, const std::string& message_id) {
  if (p == nullptr) {
    return soap_reply(200, insi::build_resultat(resultat_without_individu("01")),
                      "CR 01 (no entry)");
  }
  SimReply reply;
  const Answer& a = p->answer;
  switch (a.kind) {
    case Answer::Kind::resultat:
      reply.body = insi::build_resultat(a.resultat);
      reply.summary = "CR " + a.resultat.code_cr;
      break;
    case Answer::Kind::fault:
      reply = fault_reply(a.fault, message_id, "fault " + a.fault.subcode + "/" + a.fault.erreur_code);
      break;
    case Answer::Kind::replay:
      reply.status = a.replay_status;
      reply.body = a.replay_body;
      reply.content_encoding = a.replay_content_encoding;
      reply.raw = a.replay_raw_http;
      reply.summary = "replay " + a.replay_path;
      break;
  }
  reply.delay = p->delay;
  reply.reset = p->reset;
  reply.truncate = p->truncate;
  if (p->reset) reply.summary += " (reset)";
  if (p->truncate) reply.summary += " (truncated)";
  return reply;
}

}  // namespace

bool is_authorised_cn(const std::string& cn) { return cn == "INSI-AUTO" || cn == "INSI-MANU"; }

SimHandler::SimHandler(const Dataset& dataset, const std::string& journal_path)
    : dataset_(dataset) {
  if (!journal_path.empty()) {
    journal_.open(journal_path, std::ios::app);
    if (!journal_) throw std::runtime_error("cannot open journal " + journal_path);
  }
}

SimReply SimHandler::handle(const SimRequest& rq) {
  if (rq.method != "POST" || rq.target != "/lps") {
    SimReply r{404, "text/plain", "not found\n", {}, false, false, {}, false, "404"};
    if (rq.method == "POST") journal(rq, nullptr, r);
    return r;
  }
  auto parsed_or = insi::parse_request(rq.body);
  const auto* parsed = std::get_if<insi::ReceivedRequest>(&parsed_or);
  const std::string message_id = parsed ? parsed->message_id : std::string();

  SimReply reply;
  if (!is_authorised_cn(rq.client_cn)) {
    reply = access_denied(message_id);
  } else if (rq.content_type.rfind("application/soap+xml", 0) != 0) {
    reply = invalid_request("Content-Type is not application/soap+xml", message_id);
  } else if (parsed == nullptr) {
    reply = invalid_request(std::get<insi::Unreadable>(parsed_or).reason, "");
  } else if (parsed->action.empty()) {
    reply = invalid_request("no wsa:Action", message_id);
  } else if (parsed->vitale) {
    if (parsed->action != insi::kActionRechercheVitale)
      reply = invalid_request("wsa:Action does not match RECVITALE", message_id);
    else if (parsed->idam.empty() || parsed->idam == "UNKNOWN")
      reply = unknown_idam(message_id);
    else
      reply = from_dataset(dataset_.match(*parsed->vitale), message_id);
  } else if (parsed->action != insi::kActionRechercheTraits) {
    reply = invalid_request("wsa:Action does not match RECSANSVITALE", message_id);
  } else if (parsed->prenom_count > 1) {
    reply = invalid_request("more than one Prenom element", message_id);
  } else if (parsed->idam.empty() || parsed->idam == "UNKNOWN") {
    reply = unknown_idam(message_id);
  } else {
    reply = from_dataset(dataset_.match(parsed->traits), message_id);
  }
  journal(rq, parsed, reply);
  return reply;
}

void SimHandler::journal(const SimRequest& rq, const insi::ReceivedRequest* parsed,
                         const SimReply& reply) {
  if (!journal_.is_open()) return;
  nlohmann::json j;
  j["target"] = rq.target;
  j["client_cn"] = rq.client_cn;
  j["client_subject"] = rq.client_subject;
  j["handshake"] = rq.first_on_connection;
  j["http_status"] = reply.reset ? 0 : reply.status;
  j["reset"] = reply.reset;
  j["truncate"] = reply.truncate;
  j["delay_ms"] = reply.delay.count();
  j["outcome"] = reply.summary;
  if (parsed != nullptr) {
    const auto& t = parsed->traits;
    j["action"] = parsed->action;
    j["message_id"] = parsed->message_id;
    j["idam"] = parsed->idam;
    j["emetteur"] = parsed->emetteur;
    j["nom_naissance"] = t.nom_naissance;
    j["prenom"] = t.prenom;
    j["prenom_count"] = parsed->prenom_count;
    j["sexe"] = t.sexe;
    j["date_naissance"] = t.date_naissance;
    j["lieu_naissance"] = t.lieu_naissance ? nlohmann::json(*t.lieu_naissance) : nlohmann::json();
    j["wsse_security"] = parsed->wsse_security_xml;
    j["has_wsse_security"] = parsed->has_wsse_security;
    j["xml_signature"] = parsed->has_xml_signature;
    // A signed request is kept whole, so that a test can verify its
    // signature (xmlsec1) on exactly the bytes insgated sent.
    if (parsed->has_xml_signature) j["request_xml"] = rq.body;
    if (const auto& v = parsed->vitale) {
      j["vitale_matricule_od"] = v->nir_ouvrant_droit.matricule;
      j["vitale_date_naissance"] = v->date_naissance;
      j["vitale_rang"] = v->rang_naissance;
      j["vitale_organisme"] = v->couverture.organisme.value_or("");
    }
  }
  // Invalid UTF-8 in a request must not throw: replace it.
  journal_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  journal_.flush();
}

}  // namespace insgate::insi_sim

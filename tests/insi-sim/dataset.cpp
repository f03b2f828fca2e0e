// insi-sim — YAML dataset loading and traits matching (see dataset.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "dataset.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <variant>

#include "insi/soap_codec.hpp"

namespace insgate::insi_sim {
namespace {

std::string required(const YAML::Node& n, const char* key) {
  if (!n[key] || !n[key].IsScalar()) throw std::runtime_error(std::string("missing '") + key + "'");
  return n[key].as<std::string>();
}

std::optional<std::string> optional(const YAML::Node& n, const char* key) {
  if (!n[key]) return std::nullopt;
  return n[key].as<std::string>();
}

insi::InsIdentifier read_ins(const YAML::Node& n) {
  insi::InsIdentifier ins;
  ins.matricule = required(n, "matricule");
  ins.cle = optional(n, "cle");
  ins.oid = required(n, "oid");
  ins.date_debut = optional(n, "date_debut");
  ins.date_fin = optional(n, "date_fin");
  return ins;
}

insi::Resultat read_cr00(const YAML::Node& n) {
  insi::Individu ind;
  if (!n["ins"]) throw std::runtime_error("cr00 without 'ins'");
  ind.ins_actif = read_ins(n["ins"]);
  for (const auto& h : n["historique"]) ind.ins_histo.push_back(read_ins(h));
  const auto t = n["tiq"];
  if (!t) throw std::runtime_error("cr00 without 'tiq'");
  ind.tiq.nom_naissance = optional(t, "nom_naissance");
  ind.tiq.prenom = optional(t, "prenom");
  ind.tiq.liste_prenoms = optional(t, "liste_prenoms");
  ind.tiq.sexe = optional(t, "sexe");
  ind.tiq.date_naissance = optional(t, "date_naissance");
  ind.tiq.lieu_naissance = optional(t, "lieu_naissance");
  return insi::Resultat{"00", "OK", std::move(ind)};
}

insi::Fault read_fault(const YAML::Node& n) {
  insi::Fault f;
  f.code = n["code"] ? n["code"].as<std::string>() : "Sender";
  f.subcode = required(n, "subcode");
  f.erreur_code = required(n, "erreur_code");
  f.erreur_severite = required(n, "severite");
  f.reason = required(n, "reason");
  f.erreur_message = optional(n, "message").value_or("");
  return f;
}

Answer read_replay(const std::string& rel, const std::string& recorded_dir) {
  namespace fs = std::filesystem;
  fs::path p(rel);
  if (p.is_relative() && !recorded_dir.empty()) p = fs::path(recorded_dir) / p;
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read replay file " + p.string());
  std::ostringstream body;
  body << in.rdbuf();
  Answer a;
  a.kind = Answer::Kind::replay;
  a.replay_body = body.str();
  a.replay_path = p.string();
  // Unreadable files are served with 200: useful to test client robustness.
  a.replay_status = std::holds_alternative<insi::Fault>(insi::parse_response(a.replay_body)) ? 500 : 200;
  return a;
}

Answer read_answer(const YAML::Node& n, const std::string& recorded_dir) {
  if (!n || !n.IsMap()) throw std::runtime_error("missing 'answer' map");
  int forms = !!n["cr00"] + !!n["cr"] + !!n["fault"] + !!n["replay"];
  if (forms != 1) throw std::runtime_error("'answer' needs exactly one of cr00, cr, fault, replay");
  Answer a;
  if (n["cr00"]) {
    a.resultat = read_cr00(n["cr00"]);
  } else if (n["cr"]) {
    a.resultat = resultat_without_individu(n["cr"].as<std::string>());
  } else if (n["fault"]) {
    a.kind = Answer::Kind::fault;
    a.fault = read_fault(n["fault"]);
  } else {
    a = read_replay(n["replay"].as<std::string>(), recorded_dir);
    a.replay_content_encoding = optional(n, "content_encoding").value_or("");
    if (n["raw_http"]) a.replay_raw_http = n["raw_http"].as<bool>();
  }
  return a;
}

Person read_person(const YAML::Node& n, const std::string& recorded_dir) {
  Person p;
  p.nom_naissance = required(n, "nom_naissance");
  if (!n["prenoms"] || !n["prenoms"].IsSequence() || n["prenoms"].size() == 0)
    throw std::runtime_error("'prenoms' must be a non-empty list");
  for (const auto& v : n["prenoms"]) p.prenoms.push_back(v.as<std::string>());
  p.sexe = required(n, "sexe");
  p.date_naissance = required(n, "date_naissance");
  p.lieu_naissance = optional(n, "lieu_naissance");
  p.answer = read_answer(n["answer"], recorded_dir);
  if (n["delay_ms"]) p.delay = std::chrono::milliseconds(n["delay_ms"].as<long>());
  if (n["reset"]) p.reset = n["reset"].as<bool>();
  if (n["truncate"]) p.truncate = n["truncate"].as<bool>();
  if (p.reset && p.truncate) throw std::runtime_error("'reset' and 'truncate' exclude each other");
  if (const auto cv = n["carte_vitale"]) {
    p.vitale_matricule_od = required(cv, "matricule_od");
    p.vitale_rang = optional(cv, "rang").value_or("1");
  }
  return p;
}

}  // namespace

insi::Resultat resultat_without_individu(const std::string& code_cr) {
  if (code_cr == "01") return {"01", "Aucune identite trouvee", std::nullopt};
  if (code_cr == "02") return {"02", "Plusieurs identites trouvees", std::nullopt};
  throw std::runtime_error("cr must be \"01\" or \"02\" (use cr00 for 00), got " + code_cr);
}

Dataset Dataset::load(const std::string& path, const std::string& recorded_dir) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  if (!root["persons"] || !root["persons"].IsSequence())
    throw std::runtime_error(path + ": no 'persons' list");
  Dataset d;
  size_t index = 0;
  for (const auto& n : root["persons"]) {
    try {
      d.persons_.push_back(read_person(n, recorded_dir));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": persons[" + std::to_string(index) + "]: " + e.what());
    }
    ++index;
  }
  return d;
}

const Person* Dataset::match(const insi::RechercheTraits& t) const {
  for (const auto& p : persons_) {
    if (p.nom_naissance != t.nom_naissance || p.sexe != t.sexe ||
        p.date_naissance != t.date_naissance)
      continue;
    if (std::find(p.prenoms.begin(), p.prenoms.end(), t.prenom) == p.prenoms.end()) continue;
    if (p.lieu_naissance && t.lieu_naissance && *p.lieu_naissance != *t.lieu_naissance) continue;
    return &p;
  }
  return nullptr;
}

const Person* Dataset::match(const insi::RechercheVitale& v) const {
  for (const auto& p : persons_) {
    if (p.vitale_matricule_od && *p.vitale_matricule_od == v.nir_ouvrant_droit.matricule &&
        p.date_naissance == v.date_naissance && p.vitale_rang == v.rang_naissance)
      return &p;
  }
  return nullptr;
}

}  // namespace insgate::insi_sim

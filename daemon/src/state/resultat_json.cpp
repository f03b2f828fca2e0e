// insgate — JSON form of an INSi RESULTAT (nlohmann::json).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/resultat_json.hpp"

#include <nlohmann/json.hpp>

#include "state/state_error.hpp"

namespace insgate::state {
namespace {

using nlohmann::json;

void put(json& j, const char* name, const std::optional<std::string>& v) {
  if (v) j[name] = *v;
}
std::optional<std::string> get(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::string>();
}

json ins_json(const insi::InsIdentifier& i) {
  json j{{"matricule", i.matricule}, {"oid", i.oid}};
  put(j, "cle", i.cle);
  put(j, "date_debut", i.date_debut);
  put(j, "date_fin", i.date_fin);
  return j;
}
insi::InsIdentifier ins_from(const json& j) {
  return {j.at("matricule").get<std::string>(), get(j, "cle"), j.at("oid").get<std::string>(),
          get(j, "date_debut"), get(j, "date_fin")};
}

json tiq_json(const insi::TraitsTiq& t) {
  json j = json::object();
  put(j, "nom_naissance", t.nom_naissance);
  put(j, "prenom", t.prenom);
  put(j, "liste_prenoms", t.liste_prenoms);
  put(j, "sexe", t.sexe);
  put(j, "date_naissance", t.date_naissance);
  put(j, "lieu_naissance", t.lieu_naissance);
  return j;
}
insi::TraitsTiq tiq_from(const json& j) {
  return {get(j, "nom_naissance"), get(j, "prenom"),         get(j, "liste_prenoms"),
          get(j, "sexe"),          get(j, "date_naissance"), get(j, "lieu_naissance")};
}

}  // namespace

std::string to_json(const insi::Resultat& r) {
  json j{{"code_cr", r.code_cr}, {"libelle_cr", r.libelle_cr}};
  if (r.individu) {
    json histo = json::array();
    for (const auto& h : r.individu->ins_histo) histo.push_back(ins_json(h));
    j["individu"] = {{"ins_actif", ins_json(r.individu->ins_actif)},
                     {"ins_histo", std::move(histo)},
                     {"tiq", tiq_json(r.individu->tiq)}};
  }
  return j.dump();
}

std::string to_json(const insi::TraitsTiq& t) { return tiq_json(t).dump(); }

insi::Resultat resultat_from_json(const std::string& text) {
  try {
    json j = json::parse(text);
    insi::Resultat r{j.at("code_cr").get<std::string>(), j.at("libelle_cr").get<std::string>(),
                     std::nullopt};
    if (auto it = j.find("individu"); it != j.end()) {
      insi::Individu ind{ins_from(it->at("ins_actif")), {}, tiq_from(it->at("tiq"))};
      for (const auto& h : it->at("ins_histo")) ind.ins_histo.push_back(ins_from(h));
      r.individu = std::move(ind);
    }
    return r;
  } catch (const json::exception&) {
    throw StateError("state: stored RESULTAT is not valid JSON of the expected shape");
  }
}

insi::TraitsTiq tiq_from_json(const std::string& text) {
  try {
    return tiq_from(json::parse(text));
  } catch (const json::exception&) {
    throw StateError("state: stored traits are not valid JSON of the expected shape");
  }
}

}  // namespace insgate::state

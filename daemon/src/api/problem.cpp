// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/problem.hpp"

#include <map>

namespace insgate::api {
namespace {

/// One member of a request body: its French label, JSON type and expected form.
struct Champ {
  std::string_view path;  ///< array indices removed: "traits.prenoms[]"
  std::string_view label;
  std::string_view type;
  std::string_view forme = {};
};

constexpr std::string_view kChaine = "une chaîne de caractères";
constexpr std::string_view kObjet = "un objet JSON";
constexpr std::string_view kEntier = "un entier";
constexpr std::string_view kMatriculeForme =
    "13 caractères : 5 chiffres, puis 2 chiffres ou 2A/2B, puis 6 chiffres";
constexpr std::string_view kNirForme = "13 caractères : 6 chiffres, un chiffre ou A/B, 6 chiffres";

constexpr Champ kChamps[] = {
    {"", "le corps de la requête", kObjet},
    {"operateur", "l'identifiant de l'opérateur (operateur)", kChaine, "au plus 128 octets"},
    {"finess", "le numéro FINESS (finess)", kChaine, "9 caractères"},
    {"cache", "l'option cache", kChaine, "normal ou bypass"},
    {"traits", "les traits d'identité", kObjet},
    {"traits.nom_naissance", "le nom de naissance", kChaine, "au plus 100 caractères"},
    {"traits.prenoms", "les prénoms de naissance",
     "une liste de chaînes de caractères (ou une seule chaîne)", "au plus 1000 octets en tout"},
    {"traits.prenoms[]", "un prénom de naissance", kChaine, "au plus 1000 octets"},
    {"traits.sexe", "le sexe", kChaine},
    {"traits.date_naissance", "la date de naissance", kChaine},
    {"traits.lieu_naissance", "le lieu de naissance", kChaine},
    {"ins", "l'INS", kObjet},
    {"ins.matricule", "le matricule INS", kChaine, kMatriculeForme},
    {"ins.cle", "la clé du matricule INS", kChaine, "2 chiffres"},
    {"ins.oid", "l'OID de l'INS", kChaine},
    {"piece_identite", "la pièce d'identité", kObjet},
    {"piece_identite.type", "le type de pièce d'identité", kChaine},
    {"piece_identite.verifiee_le", "la date de vérification de la pièce d'identité", kChaine,
     "une date réelle AAAA-MM-JJ, sans jour ni mois 00"},
    {"identifiant_local", "l'identifiant local (IPP)", kChaine, "au plus 64 caractères"},
    {"vitale", "les données de la carte Vitale", kObjet},
    {"vitale.nir_individu", "le NIR du bénéficiaire (carte Vitale)", kObjet},
    {"vitale.nir_individu.matricule", "le NIR du bénéficiaire (carte Vitale)", kChaine, kNirForme},
    {"vitale.nir_individu.cle", "la clé du NIR du bénéficiaire (carte Vitale)", kChaine,
     "2 chiffres"},
    {"vitale.nir_ouvrant_droit", "le NIR de l'ouvrant droit (carte Vitale)", kObjet},
    {"vitale.nir_ouvrant_droit.matricule", "le NIR de l'ouvrant droit (carte Vitale)", kChaine,
     kNirForme},
    {"vitale.nir_ouvrant_droit.cle", "la clé du NIR de l'ouvrant droit (carte Vitale)", kChaine,
     "2 chiffres"},
    {"vitale.date_naissance", "la date de naissance (carte Vitale)", kChaine},
    {"vitale.rang_naissance", "le rang de naissance (carte Vitale)",
     "une chaîne de caractères ou un entier", "1 ou 2 chiffres"},
    {"vitale.nom_naissance", "le nom de naissance (carte Vitale)", kChaine, "au plus 1000 octets"},
    {"vitale.couverture", "la couverture (carte Vitale)", kObjet},
    {"vitale.couverture.grand_regime", "le grand régime (carte Vitale)", kChaine, "1 ou 2 chiffres"},
    {"vitale.couverture.organisme", "la caisse (carte Vitale)", kChaine, "1 à 3 chiffres"},
    {"vitale.couverture.code_centre", "le code centre (carte Vitale)", kChaine, "1 à 4 chiffres"},
    {"assertion_vitale", "l'assertion de la carte Vitale", kChaine},
    {"id", "l'identifiant de l'événement (id)", kEntier, "un entier positif"},
    {"jours", "le nombre de jours (jours)", kEntier, "un entier de 0 à 3650"},
};

/// "traits.prenoms[2]" → "traits.prenoms[]", index 2.
std::string generic_path(std::string_view champ, int* index) {
  std::string out;
  for (std::size_t i = 0; i < champ.size(); ++i) {
    if (champ[i] != '[') {
      out += champ[i];
      continue;
    }
    auto close = champ.find(']', i);
    if (close == std::string_view::npos) return std::string(champ);
    if (index) *index = std::atoi(std::string(champ.substr(i + 1, close - i - 1)).c_str());
    out += "[]";
    i = close;
  }
  return out;
}

const Champ* find_champ(std::string_view champ, int* index = nullptr) {
  const std::string g = generic_path(champ, index);
  for (const auto& c : kChamps)
    if (c.path == g) return &c;
  return nullptr;
}

/// What a group of fields is called in a 422 title.
std::string_view title_of_group(std::string_view first_segment) {
  if (first_segment == "traits") return "Traits d'identité invalides";
  if (first_segment == "ins") return "INS invalide";
  if (first_segment == "piece_identite") return "Pièce d'identité invalide";
  if (first_segment == "identifiant_local") return "Identifiant local invalide";
  if (first_segment == "vitale" || first_segment == "assertion_vitale")
    return "Données de carte Vitale invalides";
  return "Données de la demande invalides";
}

nlohmann::json errors_json(const std::vector<FieldError>& errors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : errors)
    list.push_back({{"champ", e.champ}, {"regle", e.regle}, {"message", e.message}});
  return list;
}

}  // namespace

std::string label_of(std::string_view champ) {
  int index = -1;
  const Champ* c = find_champ(champ, &index);
  if (!c) return "« " + std::string(champ) + " »";
  if (c->path == "traits.prenoms[]" && index >= 0)
    return "le " + std::to_string(index + 1) + (index == 0 ? "er" : "e") + " prénom de naissance";
  return std::string(c->label);
}

std::string_view type_attendu(std::string_view champ) {
  const Champ* c = find_champ(champ);
  return c ? c->type : kChaine;
}

std::string_view forme_attendue(std::string_view champ) {
  const Champ* c = find_champ(champ);
  return c ? c->forme : std::string_view();
}

FieldError field_error(std::string champ, std::string_view regle, std::string_view attendu) {
  if (attendu.empty())
    attendu = regle == identity::rule::type_invalide ? type_attendu(champ) : forme_attendue(champ);
  std::string message = identity::codes::phrase(regle, label_of(champ), attendu);
  return FieldError{std::move(champ), std::move(message), std::string(regle)};
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiResponse json_response(unsigned status, const nlohmann::json& body) {
  ApiResponse r;
  r.status = status;
  r.body = dump(body);
  return r;
}

ApiResponse problem(unsigned status, identity::codes::Probleme code, const std::string& title,
                    const std::string& detail, nlohmann::json extra) {
  const std::string c(code.view());
  nlohmann::json j = {{"type", "urn:insgate:problem:" + c},
                      {"title", title},
                      {"status", status},
                      {"detail", detail},
                      {"code", c}};
  if (extra.is_object()) j.update(extra);
  ApiResponse r = json_response(status, j);
  r.content_type = "application/problem+json";
  return r;
}

ApiResponse invalid_traits(const std::vector<FieldError>& errors) {
  std::string_view title;
  for (const auto& e : errors) {
    auto t = title_of_group(std::string_view(e.champ).substr(0, e.champ.find_first_of(".[")));
    if (title.empty()) title = t;
    else if (title != t) title = "Données invalides";
  }
  if (title.empty()) title = "Données invalides";
  return problem(422, "traits_invalides", std::string(title),
                 "Corrigez les données signalées dans errors (une entrée par donnée), puis "
                 "renvoyez la demande.",
                 {{"errors", errors_json(errors)}});
}

ApiResponse bad_request(const BadRequest& bad) {
  nlohmann::json extra = nlohmann::json::object();
  if (!bad.errors.empty()) extra["errors"] = errors_json(bad.errors);
  return problem(400, "requete_invalide", "Requête invalide", bad.detail, extra);
}

}  // namespace insgate::api

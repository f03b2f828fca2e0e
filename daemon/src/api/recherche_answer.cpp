// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_answer.hpp"

#include "identity/matricule.hpp"
#include "identity/traits.hpp"

namespace insgate::api {
namespace {

using nlohmann::json;
using Kind = insi::RechercheOutcome::Kind;

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

json ins_json(const insi::InsIdentifier& i) {
  auto oid = identity::classify_oid(i.oid);
  return {{"matricule", i.matricule},
          {"cle", opt(i.cle)},
          {"oid", i.oid},
          {"type", oid.known ? json(oid.type) : json(nullptr)},
          {"test", oid.test}};
}

json histo_json(const insi::InsIdentifier& i) {
  return {{"matricule", i.matricule},
          {"cle", opt(i.cle)},
          {"oid", i.oid},
          {"date_debut", opt(i.date_debut)},
          {"date_fin", opt(i.date_fin)}};
}

json traits_ins_json(const insi::TraitsTiq& t) {
  // liste_prenoms: ListePrenom, or the older Prenom element when absent.
  auto liste = t.liste_prenoms ? t.liste_prenoms : t.prenom;
  json premier = nullptr;
  if (liste) premier = liste->substr(0, liste->find(' '));
  return {{"nom_naissance", opt(t.nom_naissance)}, {"liste_prenoms", opt(liste)},
          {"premier_prenom", premier},            {"sexe", opt(t.sexe)},
          {"date_naissance", opt(t.date_naissance)}, {"lieu_naissance", opt(t.lieu_naissance)}};
}

json envoyes_json(const insi::TraitsRecherche& t) {
  json j = {{"nom_naissance", t.nom_naissance},
            {"prenoms", t.prenoms},
            {"sexe", t.sexe},
            {"date_naissance", t.date_naissance}};
  if (t.lieu_naissance) j["lieu_naissance"] = *t.lieu_naissance;
  return j;
}

json anomalies_json(const insi::Individu& ind, const identity::OidPolicy& policy) {
  json list = json::array();
  auto check = [&list, &policy](const insi::InsIdentifier& i, const std::string& where) {
    if (!i.cle) {
      list.push_back({{"code", "cle_absente"}, {"champ", where + ".cle"}});
      return;
    }
    // ins-identity-rules.md §1.5: the same full check as on typed INS.
    auto verdict = identity::check_matricule(i.matricule, *i.cle, i.oid, policy);
    for (const auto& a : verdict.anomalies) {
      std::string champ = a == "cle_invalide"       ? where + ".cle"
                          : a.rfind("oid", 0) == 0 ? where + ".oid"
                                                    : where + ".matricule";
      list.push_back({{"code", a}, {"champ", champ}});
    }
  };
  check(ind.ins_actif, "ins");
  for (std::size_t k = 0; k < ind.ins_histo.size(); ++k)
    check(ind.ins_histo[k], "historique[" + std::to_string(k) + "]");
  // ins-identity-rules.md §2.1: INSi's traits are checked, never altered; a
  // trait outside the INS rules (e.g. "|" or "^" in a name) is an anomaly.
  const auto view = [](const std::optional<std::string>& v) {
    return v ? std::optional<std::string_view>(*v) : std::nullopt;
  };
  const auto& t = ind.tiq;
  for (const auto& a : identity::check_traits_insi(
           {view(t.nom_naissance), view(t.liste_prenoms), view(t.prenom), view(t.sexe),
            view(t.date_naissance), view(t.lieu_naissance)}))
    list.push_back({{"code", "trait_invalide"}, {"champ", "traits_ins." + a.trait}});
  return list;
}

namespace {

const char* conseil(const std::string& cr) {
  if (cr == "01")
    return "Aucune identité trouvée : vérifier les traits sur une pièce d'identité, essayer "
           "les autres prénoms de naissance ou ajouter le lieu de naissance.";
  return "Plusieurs identités trouvées : ajouter les autres prénoms de naissance, puis le "
         "lieu de naissance (code COG) s'il n'a pas été envoyé.";
}

ApiResponse fault_answer(const insi::RechercheOutcome& o) {
  const auto& f = o.fault;
  json extra = {{"insi_sous_code", f.subcode},
                {"insi_code", f.erreur_code},
                {"insi_severite", f.erreur_severite},
                {"insi_message", f.reason},
                {"appels_insi", o.appels}};
  if (f.subcode == "siram_40") {
    auto r = problem(503, "insi_indisponible", "INSi temporairement indisponible",
                     "INSi a répondu par une erreur siram_40 (service temporairement "
                     "indisponible).",
                     extra);
    r.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
    return r;
  }
  return problem(502, "insi_erreur", "Erreur renvoyée par INSi",
                 "INSi a répondu par une erreur SOAP " + f.subcode +
                     (f.erreur_code.empty() ? "" : " / " + f.erreur_code) + ".",
                 extra);
}

}  // namespace

ApiResponse recherche_answer(const insi::RechercheOutcome& o,
                             const insi::TraitsRecherche& envoyes,
                             const std::string& requete_id, const identity::OidPolicy& policy,
                             const char* source) {
  return resultat_answer(o, "traits_envoyes", envoyes_json(envoyes), requete_id, policy, source);
}

bool has_anomalies(const insi::RechercheOutcome& o, const identity::OidPolicy& policy) {
  return o.kind == Kind::resultat && o.resultat.individu &&
         !anomalies_json(*o.resultat.individu, policy).empty();
}

ApiResponse resultat_answer(const insi::RechercheOutcome& o, const std::string& envoyes_key,
                            nlohmann::json envoyes, const std::string& requete_id,
                            const identity::OidPolicy& policy, const char* source) {
  if (auto failure = insi_failure_answer(o)) return *failure;
  const auto& r = o.resultat;
  json j = {{"cr", r.code_cr},       {"libelle_cr", r.libelle_cr}, {"ins", nullptr},
            {"historique", json::array()}, {"traits_ins", nullptr},
            {envoyes_key, std::move(envoyes)},
            {"anomalies", json::array()}, {"statut", nullptr},
            {"source", source},           {"appels_insi", o.appels},
            {"requete_id", requete_id}};
  if (r.individu) {
    j["ins"] = ins_json(r.individu->ins_actif);
    for (const auto& h : r.individu->ins_histo) j["historique"].push_back(histo_json(h));
    j["traits_ins"] = traits_ins_json(r.individu->tiq);
    j["anomalies"] = anomalies_json(*r.individu, policy);
    // RNIV: an INS retrieved from INSi makes the identity "récupérée";
    // an answer with anomalies leaves it "provisoire".
    j["statut"] = j["anomalies"].empty() ? "recuperee" : "provisoire";
  } else {
    j["conseil"] = conseil(r.code_cr);
  }
  return json_response(200, j);
}

std::optional<ApiResponse> insi_failure_answer(const insi::RechercheOutcome& o) {
  switch (o.kind) {
    case Kind::resultat:
      return std::nullopt;
    case Kind::fault:
      return fault_answer(o);
    case Kind::unreadable:
      return problem(502, "insi_erreur", "Réponse INSi illisible",
                     "La réponse d'INSi n'a pas pu être lue (" + o.error + ").",
                     {{"appels_insi", o.appels}});
    case Kind::transport: {
      auto r = problem(503, "insi_indisponible", "INSi injoignable",
                       "INSi n'a pas pu être joint (" + o.error + ").",
                       {{"appels_insi", o.appels}});
      r.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
      return r;
    }
    case Kind::circuit_open: {
      auto r = problem(503, "insi_indisponible", "INSi indisponible (circuit ouvert)",
                       "Après plusieurs échecs de connexion à INSi, les appels sont suspendus "
                       "pendant un délai de refroidissement.",
                       {{"appels_insi", o.appels}, {"circuit", "ouvert"}});
      r.headers.emplace_back("Retry-After", std::to_string(std::max(1, o.retry_after)));
      return r;
    }
    case Kind::timeout:
      return problem(504, "insi_delai_depasse", "Délai INSi dépassé",
                     "INSi n'a pas répondu dans le délai configuré.",
                     {{"appels_insi", o.appels}});
  }
  return problem(500, "erreur_interne", "Erreur interne", "unexpected outcome");
}

}  // namespace insgate::api

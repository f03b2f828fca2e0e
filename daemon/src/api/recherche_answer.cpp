// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_answer.hpp"

#include "identity/matricule.hpp"
#include "identity/rniv.hpp"
#include "identity/traits.hpp"

namespace insgate::api {
namespace {

using nlohmann::json;
using Kind = insi::RechercheOutcome::Kind;

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

json statut_json(bool identite_trouvee, bool anomalies, bool conforme) {
  auto s = identity::answer_status(identite_trouvee, anomalies, conforme);
  return s ? json(identity::to_api_name(*s)) : json(nullptr);
}

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
  const auto add = [&list](std::string_view code, std::string champ) {
    list.push_back(
        {{"code", code},
         {"champ", std::move(champ)},
         {"message", identity::codes::texte(identity::codes::Kind::anomalie, code).value_or("")}});
  };
  auto check = [&add, &policy](const insi::InsIdentifier& i, const std::string& where) {
    if (!i.cle) {
      add(identity::anomaly::cle_absente, where + ".cle");
      return;
    }
    // ins-identity-rules.md §1.5: the same full check as on typed INS.
    auto verdict = identity::check_matricule(i.matricule, *i.cle, i.oid, policy);
    for (const auto& a : verdict.anomalies) {
      std::string champ = a == identity::anomaly::cle_invalide ? where + ".cle"
                          : a.rfind("oid", 0) == 0              ? where + ".oid"
                                                                : where + ".matricule";
      add(a, std::move(champ));
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
    add(identity::anomaly::trait_invalide, "traits_ins." + a.trait);
  return list;
}

namespace {

/// Advice for a récupération by traits without a single identity, from what
/// was sent (ins-identity-rules.md §2: on 02, add the other first names,
/// then the COG birthplace if it was not sent).
std::string conseil_traits(const std::string& cr, const json& envoyes) {
  const std::size_t prenoms = envoyes.contains("prenoms") ? envoyes["prenoms"].size() : 0;
  const bool lieu = envoyes.contains("lieu_naissance");
  if (cr == "02") {
    std::string s = "Plusieurs identités correspondent : ";
    if (prenoms <= 1 && !lieu)
      return s + "ajoutez les autres prénoms de naissance figurant sur la pièce d'identité, "
                 "puis le lieu de naissance (code officiel géographique, COG).";
    if (prenoms <= 1)
      return s + "ajoutez les autres prénoms de naissance figurant sur la pièce d'identité.";
    if (!lieu) return s + "ajoutez le lieu de naissance (code officiel géographique, COG).";
    return s + "tous les prénoms et le lieu de naissance ont été envoyés ; faites la recherche "
               "avec la carte Vitale, ou vérifiez les traits sur une pièce d'identité.";
  }
  std::string s = cr == "01" ? "Aucune identité trouvée : " : "INSi n'a renvoyé aucune identité : ";
  s += "vérifiez sur une pièce d'identité le nom de naissance (pas le nom d'usage), le sexe et "
       "la date de naissance";
  s += prenoms <= 1 ? ", et ajoutez les autres prénoms de naissance"
                    : ", et l'orthographe des prénoms (chacun a été essayé)";
  if (lieu)
    s += " ; vérifiez aussi que le lieu de naissance est bien le code officiel géographique "
         "(COG) de la commune de naissance et non son code postal, ou renvoyez la demande sans "
         "lieu de naissance";
  return s + ".";
}

/// Advice for a récupération with carte Vitale data: no traits were typed.
std::string conseil_vitale(const std::string& cr) {
  if (cr == "02")
    return "Plusieurs identités correspondent à la carte Vitale : vérifiez le rang de naissance "
           "du bénéficiaire sélectionné, ou faites une recherche par les traits d'une pièce "
           "d'identité.";
  return "Aucune identité trouvée avec la carte Vitale : vérifiez la date et le rang de "
         "naissance du bénéficiaire sélectionné, ou faites une recherche par les traits d'une "
         "pièce d'identité.";
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
  } else {
    j["conseil"] = envoyes_key == "vitale_envoyee" ? conseil_vitale(r.code_cr)
                                                   : conseil_traits(r.code_cr, j[envoyes_key]);
  }
  j["statut"] = statut_json(r.individu.has_value(), !j["anomalies"].empty());
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
    case Kind::saturated: {
      // Our own resources ran out (descriptors, memory, the pool's queue):
      // not INSi's fault, and the caller may try again shortly (issue 19).
      auto r = problem(503, "service_sature", "Service saturé",
                       "insgate manque momentanément de ressources locales pour joindre INSi ; "
                       "réessayez dans un instant.",
                       {{"appels_insi", o.appels}});
      r.headers.emplace_back("Retry-After", "1");
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

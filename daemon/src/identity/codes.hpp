// insgate — the one list of every machine-readable code the local API can
// emit, with the French sentence that goes with it.
//
// Source rule: local-api.md (Errors: stable `code`, `errors[].regle`,
// anomalies), ins-identity-rules.md (the rules themselves). Every code the
// daemon emits is taken from kCatalogue:
//   - problem codes (`code` of a problem+json): api::problem() takes a
//     Probleme, whose constructor is consteval and refuses, at compile time,
//     a literal that is not in the list;
//   - field rules (`errors[].regle`), anomalies, écarts, 409 motifs: their
//     constants (identity::rule::*, identity::anomaly::*, ecart::*) are made
//     by the consteval functions regle(), anomalie(), ecart(), motif(), which
//     refuse, at compile time, a name that is not in the list.
// tests/unit/identity/codes_test.cpp checks that every entry has a sentence
// and that proto/openapi.yaml enumerates exactly the emitted codes.
//
// Texts: a problem's is its default `title`; a rule's is a sentence template
// where `{champ}` is the field's French label ("le sexe"), `{Champ}` the same
// capitalised and `{attendu}` the expected form ("une chaîne de caractères");
// the others are complete sentences. Header only, constexpr, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace insgate::identity::codes {

enum class Kind {
  probleme,      ///< problem+json `code`
  regle,         ///< `errors[].regle` of a 400/422
  anomalie,      ///< `anomalies[].code` of an answer (problems in INSi's answer)
  ecart,         ///< `ecarts[]` of a vérification
  motif,         ///< `motif` of a 409 statut_incompatible
  avertissement  ///< internal warnings (matricule plausibility), never emitted by the API
};

struct Entry {
  std::string_view code;
  Kind kind;
  std::string_view texte;
};

// clang-format off
inline constexpr Entry kCatalogue[] = {
  // ---- problem codes: default title -------------------------------------------------
  {"requete_invalide", Kind::probleme, "Requête invalide"},
  {"traits_invalides", Kind::probleme, "Données invalides"},
  {"statut_incompatible", Kind::probleme, "Statut incompatible"},
  {"methode_non_autorisee", Kind::probleme, "Méthode non autorisée"},
  {"ressource_inconnue", Kind::probleme, "Ressource inconnue"},
  {"appelant_non_autorise", Kind::probleme, "Appelant non autorisé"},
  {"service_sature", Kind::probleme, "Service saturé"},
  {"arret_en_cours", Kind::probleme, "Arrêt du démon"},
  {"insi_erreur", Kind::probleme, "Erreur renvoyée par INSi"},
  {"insi_indisponible", Kind::probleme, "INSi indisponible"},
  {"insi_delai_depasse", Kind::probleme, "Délai INSi dépassé"},
  {"etat_indisponible", Kind::probleme, "État du démon indisponible"},
  {"erreur_interne", Kind::probleme, "Erreur interne"},

  // ---- field rules (errors[].regle): sentence templates ------------------------------
  // The JSON document itself (400 requete_invalide).
  {"type_invalide", Kind::regle,
   "Le logiciel de soins a transmis {champ} avec un type JSON inattendu (attendu : {attendu}) : "
   "signalez-le à son éditeur."},
  {"membre_inconnu", Kind::regle,
   "Le logiciel de soins a transmis une donnée inconnue ({champ}) : signalez-le à son éditeur "
   "(nom mal orthographié ?)."},
  // Values (422).
  {"obligatoire", Kind::regle, "Renseignez {champ} : cette donnée est obligatoire."},
  {"vide", Kind::regle, "Renseignez {champ} : la valeur transmise est vide."},
  {"trop_long", Kind::regle, "Corrigez {champ} : la valeur est trop longue ({attendu})."},
  {"format_invalide", Kind::regle, "Corrigez {champ} ; attendu : {attendu}."},
  {"caractere_de_controle", Kind::regle,
   "Corrigez {champ} : les caractères de contrôle (retour à la ligne, tabulation…) ne sont pas "
   "admis."},
  {"utf8_invalide", Kind::regle,
   "Le logiciel de soins a transmis {champ} dans un codage autre que UTF-8 : signalez-le à son "
   "éditeur."},
  {"caractere_interdit", Kind::regle,
   "Corrigez {champ} : seuls les lettres, l'espace, l'apostrophe et le tiret sont admis (pas de "
   "chiffre ni de symbole)."},
  {"debut_invalide", Kind::regle,
   "Corrigez {champ} : la valeur ne peut pas commencer par un tiret ou une apostrophe."},
  {"fin_invalide", Kind::regle,
   "Corrigez {champ} : la valeur ne peut pas se terminer par un tiret ou une apostrophe."},
  {"tirets_multiples", Kind::regle, "Corrigez {champ} : pas plus de deux tirets à la suite."},
  {"double_tiret_prenom", Kind::regle,
   "Corrigez {champ} : le double tiret n'est admis que dans le nom de naissance."},
  {"apostrophe_tiret", Kind::regle,
   "Corrigez {champ} : une apostrophe ne peut pas être accolée à un tiret."},
  {"apostrophes_doubles", Kind::regle,
   "Corrigez {champ} : deux apostrophes ne peuvent pas se suivre."},
  {"espace_apostrophe", Kind::regle,
   "Corrigez {champ} : pas d'espace avant ou après une apostrophe."},
  {"espace_dans_prenom", Kind::regle,
   "Corrigez {champ} : un seul prénom est attendu, sans espace."},
  {"normalisation_impossible", Kind::regle,
   "Renvoyez la demande : la normalisation a échoué sur {champ} (erreur passagère du démon)."},
  {"trop_de_prenoms", Kind::regle,
   "Corrigez {champ} : au plus 10 prénoms de naissance sont admis."},
  {"date_format_invalide", Kind::regle,
   "Corrigez {champ} : la forme attendue est AAAA-MM-JJ (année, mois, jour ; 00 pour un jour ou "
   "un mois inconnu)."},
  {"date_invalide", Kind::regle,
   "Corrigez {champ} : ce n'est ni une date réelle, ni une date au jour ou au mois inconnu "
   "(00), ni une date lunaire admise."},
  {"date_future", Kind::regle,
   "Corrigez {champ} : la date est dans le futur (vérifiez l'année saisie)."},
  {"date_trop_ancienne", Kind::regle,
   "Corrigez {champ} : la date est antérieure à 1850 (vérifiez l'année saisie)."},
  {"sexe_invalide", Kind::regle, "Corrigez {champ} : M ou F attendu."},
  {"sexe_indetermine", Kind::regle,
   "Corrigez {champ} : INSi ne connaît que M ou F, le sexe indéterminé ne peut pas lui être "
   "transmis."},
  {"cog_invalide", Kind::regle,
   "Corrigez {champ} : il faut le code officiel géographique (COG), pas le code postal ; 5 "
   "caractères : la commune (2A ou 2B pour la Corse), ou 99 suivi du code pays pour une "
   "naissance à l'étranger."},
  {"cog_inexistant", Kind::regle,
   "Corrigez {champ} : il faut le code officiel géographique (COG), pas le code postal ; ce code "
   "ne désigne aucune commune (un COG ne se termine jamais par 000, la Corse s'écrit 2A ou 2B, "
   "un pays 99 suivi de 1 à 5)."},
  {"longueur_invalide", Kind::regle,
   "Corrigez {champ} : le matricule INS a 13 caractères et sa clé 2 chiffres."},
  {"cle_invalide", Kind::regle,
   "Corrigez {champ} : la clé ne correspond pas au matricule (erreur de saisie probable)."},
  {"oid_inconnu", Kind::regle,
   "Corrigez {champ} : ce n'est pas un OID d'INS (1.2.250.1.213.1.4.8 pour un NIR, .9 pour un "
   "NIA)."},
  {"oid_ins_c", Kind::regle,
   "Corrigez {champ} : c'est l'OID d'un ancien INS-C, qui n'est plus un INS ; faites une "
   "récupération pour obtenir l'INS."},
  {"oid_interdit_en_production", Kind::regle,
   "Corrigez {champ} : un OID d'INS de test ou de démonstration n'est pas admis en production."},
  {"oid_non_accepte", Kind::regle,
   "Corrigez {champ} : cet OID n'est pas accepté dans l'environnement de ce démon."},
  {"piece_inconnue", Kind::regle,
   "Corrigez {champ} : CNI, PASSEPORT, TITRE_SEJOUR ou LIVRET_FAMILLE_ACTE attendu."},
  {"assertion_invalide", Kind::regle,
   "Corrigez {champ} : le base64 d'une assertion XML bien formée, de 32 Kio au plus et sans "
   "DOCTYPE, est attendu, telle que fournie par le composant SESAM-Vitale."},

  // ---- anomalies of an INSi answer (anomalies[].message) -----------------------------
  {"longueur_invalide", Kind::anomalie,
   "INSi a renvoyé un matricule ou une clé de longueur inattendue : l'identité reste provisoire, "
   "n'utilisez pas cet INS et signalez la réponse."},
  {"format_invalide", Kind::anomalie,
   "INSi a renvoyé un matricule de forme inattendue : l'identité reste provisoire, n'utilisez "
   "pas cet INS et signalez la réponse."},
  {"cle_invalide", Kind::anomalie,
   "La clé renvoyée par INSi ne correspond pas au matricule : l'identité reste provisoire, "
   "n'utilisez pas cet INS et signalez la réponse."},
  {"cle_absente", Kind::anomalie,
   "INSi a renvoyé un matricule sans clé : l'identité reste provisoire, n'utilisez pas cet INS."},
  {"oid_inconnu", Kind::anomalie,
   "INSi a renvoyé un OID qui n'est pas celui d'un INS : l'identité reste provisoire."},
  {"oid_ins_c", Kind::anomalie,
   "INSi a renvoyé l'OID d'un ancien INS-C : l'identité reste provisoire."},
  {"oid_interdit_en_production", Kind::anomalie,
   "INSi a renvoyé un INS de test ou de démonstration en production : l'identité reste "
   "provisoire, ne l'utilisez pas."},
  {"trait_invalide", Kind::anomalie,
   "INSi a renvoyé un trait hors des règles de l'INS (caractère, format ou code inattendu) : "
   "l'identité reste provisoire, n'utilisez pas ces traits et signalez la réponse."},
  {"oid_non_accepte", Kind::anomalie,
   "INSi a renvoyé un OID non accepté dans l'environnement de ce démon : l'identité reste "
   "provisoire."},

  // ---- écarts of a vérification ------------------------------------------------------
  {"ins.matricule", Kind::ecart, "Le matricule INS transmis n'est pas celui d'INSi."},
  {"ins.cle", Kind::ecart, "La clé transmise n'est pas celle d'INSi."},
  {"ins.oid", Kind::ecart, "L'OID transmis n'est pas celui d'INSi."},
  {"traits.nom_naissance", Kind::ecart, "Le nom de naissance diffère de celui d'INSi."},
  {"traits.prenoms", Kind::ecart, "Les prénoms de naissance diffèrent de ceux d'INSi."},
  {"traits.sexe", Kind::ecart, "Le sexe diffère de celui d'INSi."},
  {"traits.date_naissance", Kind::ecart, "La date de naissance diffère de celle d'INSi."},
  {"traits.lieu_naissance", Kind::ecart, "Le lieu de naissance diffère de celui d'INSi."},
  {"identite", Kind::ecart, "INSi ne trouve pas une identité unique pour ces traits."},
  {"liste_prenoms_incomplete", Kind::ecart,
   "Le dossier ne contient que les premiers prénoms de naissance : complétez-le avec la liste "
   "d'INSi."},

  // ---- motifs of a 409 statut_incompatible (qualification) ---------------------------
  {"ins_non_recupere", Kind::motif,
   "Cet INS n'a été ni récupéré ni vérifié via INSi par ce démon : faites d'abord une "
   "récupération ou une vérification."},
  {"douteuse", Kind::motif,
   "L'identité est marquée douteuse : elle ne peut pas être qualifiée tant que le doute n'est "
   "pas levé."},
  {"fictive", Kind::motif, "L'identité est marquée fictive : elle ne peut pas être qualifiée."},
  {"oid_interdit_en_production", Kind::motif,
   "Un INS de test ou de démonstration ne peut pas être qualifié en production."},
  {"appel_insi_bloque", Kind::motif,
   "L'identité est douteuse ou fictive : aucun appel INSi n'est permis."},
  {"statut_force_provisoire", Kind::motif,
   "L'identité est douteuse ou fictive : son statut reste provisoire."},
  {"date_corrigee", Kind::motif,
   "La date de naissance a été corrigée : l'identité ne peut être ni récupérée ni qualifiée."},
  {"attributs_incompatibles", Kind::motif,
   "Attributs incompatibles : seuls douteuse et homonyme se combinent, fictive ne se combine "
   "avec aucun autre."},

  // ---- warnings (never emitted by the API) -------------------------------------------
  {"departement_20", Kind::avertissement,
   "Le matricule porte le département 20 (Corse avant 1976)."},
  {"mois_inhabituel", Kind::avertissement, "Le matricule porte un mois de naissance inhabituel."},
};
// clang-format on

/// The entry for `code` of kind `k`, or nullptr.
constexpr const Entry* find(Kind k, std::string_view code) {
  for (const auto& e : kCatalogue)
    if (e.kind == k && e.code == code) return &e;
  return nullptr;
}

/// `code` itself when it is in the catalogue with kind `k`; otherwise the
/// program does not compile (a consteval function cannot throw at compile
/// time).
consteval std::string_view checked(Kind k, std::string_view code) {
  if (find(k, code) == nullptr) throw "code absent de identity/codes.hpp";
  return code;
}
consteval std::string_view regle(std::string_view c) { return checked(Kind::regle, c); }
consteval std::string_view anomalie(std::string_view c) { return checked(Kind::anomalie, c); }
consteval std::string_view ecart(std::string_view c) { return checked(Kind::ecart, c); }
consteval std::string_view motif(std::string_view c) { return checked(Kind::motif, c); }
consteval std::string_view avertissement(std::string_view c) {
  return checked(Kind::avertissement, c);
}

/// A problem code; built only from a literal of the catalogue (checked at
/// compile time), so `problem(400, "requete_invalid", …)` does not compile.
class Probleme {
 public:
  consteval Probleme(const char* code) : code_(checked(Kind::probleme, code)) {}  // NOLINT
  constexpr std::string_view view() const { return code_; }
  /// The catalogue's default title.
  constexpr std::string_view titre() const { return find(Kind::probleme, code_)->texte; }

 private:
  std::string_view code_;
};

/// The text of an entry, or nullopt when `code` is not in the catalogue.
constexpr std::optional<std::string_view> texte(Kind k, std::string_view code) {
  if (const Entry* e = find(k, code)) return e->texte;
  return std::nullopt;
}

/// @brief The sentence of rule `regle` for a field: the template with
/// `{champ}` = `label` (a French noun phrase with its article, "le sexe"),
/// `{Champ}` = the same with a capital, `{attendu}` = `attendu` (when it is
/// empty, the clause that would show it is left out).
/// @return the sentence, or an empty string when `regle` is not a rule of the
///         catalogue.
inline std::string phrase(std::string_view regle, std::string_view label,
                          std::string_view attendu = {}) {
  auto found = texte(Kind::regle, regle);
  if (!found) return {};
  std::string tmpl(*found);
  if (attendu.empty()) {
    // No expected form known for this field: drop the clause that shows it.
    for (std::string_view clause : {" ({attendu})", " ; attendu : {attendu}"})
      if (auto at = tmpl.find(clause); at != std::string::npos)
        tmpl.replace(at, clause.size(), clause[1] == '(' ? "" : " : valeur non admise");
    for (std::string_view clause : {" (attendu : {attendu})"})
      if (auto at = tmpl.find(clause); at != std::string::npos) tmpl.erase(at, clause.size());
  }
  const std::optional<std::string_view> t = std::string_view(tmpl);
  std::string out;
  for (std::size_t i = 0; i < t->size();) {
    if (t->compare(i, 7, "{champ}") == 0) {
      out += label;
      i += 7;
    } else if (t->compare(i, 7, "{Champ}") == 0) {
      std::string l(label);
      if (!l.empty() && l[0] >= 'a' && l[0] <= 'z') l[0] = static_cast<char>(l[0] - 32);
      out += l;
      i += 7;
    } else if (t->compare(i, 9, "{attendu}") == 0) {
      out += attendu;
      i += 9;
    } else {
      out += (*t)[i++];
    }
  }
  return out;
}

}  // namespace insgate::identity::codes

namespace insgate::identity::ecart {
inline constexpr std::string_view ins_matricule = codes::ecart("ins.matricule");
inline constexpr std::string_view ins_cle = codes::ecart("ins.cle");
inline constexpr std::string_view ins_oid = codes::ecart("ins.oid");
inline constexpr std::string_view nom_naissance = codes::ecart("traits.nom_naissance");
inline constexpr std::string_view prenoms = codes::ecart("traits.prenoms");
inline constexpr std::string_view sexe = codes::ecart("traits.sexe");
inline constexpr std::string_view date_naissance = codes::ecart("traits.date_naissance");
inline constexpr std::string_view lieu_naissance = codes::ecart("traits.lieu_naissance");
inline constexpr std::string_view identite = codes::ecart("identite");
/// The supplied first names are the beginning of INSi's list, not all of it.
inline constexpr std::string_view liste_prenoms_incomplete = codes::ecart("liste_prenoms_incomplete");
}  // namespace insgate::identity::ecart

namespace insgate::identity::rule {
// Rules of the JSON document and of values outside the INS traits (the
// trait rules are declared beside their checks: normalise.hpp, traits.hpp).
inline constexpr std::string_view type_invalide = codes::regle("type_invalide");
inline constexpr std::string_view membre_inconnu = codes::regle("membre_inconnu");
inline constexpr std::string_view obligatoire = codes::regle("obligatoire");
inline constexpr std::string_view format_invalide = codes::regle("format_invalide");
inline constexpr std::string_view caractere_de_controle = codes::regle("caractere_de_controle");
inline constexpr std::string_view trop_de_prenoms = codes::regle("trop_de_prenoms");
inline constexpr std::string_view piece_inconnue = codes::regle("piece_inconnue");
inline constexpr std::string_view assertion_invalide = codes::regle("assertion_invalide");
/// A key typed with a NIR that does not match it (the INS rules of a typed
/// matricule use the names of identity::anomaly, which are rules here too).
inline constexpr std::string_view cle_invalide = codes::regle("cle_invalide");
}  // namespace insgate::identity::rule

namespace insgate::identity::motif {
inline constexpr std::string_view ins_non_recupere = codes::motif("ins_non_recupere");
inline constexpr std::string_view douteuse = codes::motif("douteuse");
inline constexpr std::string_view fictive = codes::motif("fictive");
inline constexpr std::string_view oid_interdit_en_production =
    codes::motif("oid_interdit_en_production");
}  // namespace insgate::identity::motif

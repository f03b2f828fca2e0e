// SPDX-License-Identifier: GPL-3.0-or-later
#include "ctl/commands.hpp"

#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace insgate::ctl {
namespace {

using nlohmann::json;
using http::verb;

std::string str(const po::variables_map& vm, const char* name) {
  return vm.count(name) ? vm[name].as<std::string>() : std::string();
}

// ---- options ----

void traits_options(po::options_description& o) {
  o.add_options()("nom", po::value<std::string>()->value_name("NOM"), "nom de naissance")(
      "prenoms", po::value<std::vector<std::string>>()->multitoken()->value_name("PRENOMS"),
      "prénoms de naissance, dans l'ordre (un argument avec des espaces, ou plusieurs)")(
      "sexe", po::value<std::string>()->value_name("M|F"), "sexe : M ou F")(
      "date-naissance", po::value<std::string>()->value_name("AAAA-MM-JJ"), "date de naissance")(
      "lieu-naissance", po::value<std::string>()->value_name("COG"),
      "code COG du lieu de naissance (facultatif)");
}

void ins_options(po::options_description& o) {
  o.add_options()("matricule", po::value<std::string>()->value_name("MATRICULE"),
                  "matricule INS (13 caractères)")(
      "cle", po::value<std::string>()->value_name("CC"), "clé du matricule (2 chiffres)")(
      "oid", po::value<std::string>()->value_name("OID"), "OID de l'INS");
}

/// The structure a request acts for (issue 12): required by a daemon
/// serving several structures, optional with one.
void finess_option(po::options_description& o) {
  o.add_options()("finess", po::value<std::string>()->value_name("FINESS"),
                  "la structure pour laquelle agir (démon à plusieurs structures)");
}

void cache_option(po::options_description& o) {
  o.add_options()("sans-cache", "interroger INSi même si la réponse est en cache");
}

void recherche_options(po::options_description& o) {
  traits_options(o);
  cache_option(o);
  finess_option(o);
}

void vitale_options(po::options_description& o) {
  o.add_options()("nir-ouvrant-droit", po::value<std::string>()->value_name("MATRICULE"),
                  "NIR de l'ouvrant droit lu sur la carte (13 caractères)")(
      "cle-ouvrant-droit", po::value<std::string>()->value_name("CC"),
      "sa clé (facultative)")("nir-individu", po::value<std::string>()->value_name("MATRICULE"),
                              "NIR du bénéficiaire, s'il figure sur la carte")(
      "cle-individu", po::value<std::string>()->value_name("CC"), "sa clé (facultative)")(
      "date-naissance", po::value<std::string>()->value_name("AAAA-MM-JJ"),
      "date de naissance du bénéficiaire, telle que sur la carte")(
      "rang-naissance", po::value<std::string>()->value_name("N"), "rang de naissance (1 ou 2 chiffres)")(
      "nom", po::value<std::string>()->value_name("NOM"), "nom de naissance (facultatif)")(
      "grand-regime", po::value<std::string>()->value_name("NN"), "couverture : grand régime")(
      "organisme", po::value<std::string>()->value_name("NNN"), "couverture : caisse")(
      "code-centre", po::value<std::string>()->value_name("NNNN"), "couverture : centre")(
      "assertion-vitale", po::value<std::string>()->value_name("FICHIER"),
      "fichier XML de l'assertion signée de la carte, transmise telle quelle à INSi");
  cache_option(o);
  finess_option(o);
}

void verification_options(po::options_description& o) {
  ins_options(o);
  traits_options(o);
  finess_option(o);
}

void qualification_options(po::options_description& o) {
  ins_options(o);
  o.add_options()("piece", po::value<std::string>()->value_name("TYPE"),
                  "pièce d'identité vérifiée : CNI, PASSEPORT, TITRE_SEJOUR ou "
                  "LIVRET_FAMILLE_ACTE")(
      "verifiee-le", po::value<std::string>()->value_name("AAAA-MM-JJ"),
      "date de la vérification de la pièce")(
      "identifiant-local", po::value<std::string>()->value_name("ID"),
      "identifiant de la personne dans le logiciel (IPP…)");
  finess_option(o);
}

void stats_options(po::options_description& o) {
  o.add_options()("mois", po::value<std::string>()->value_name("AAAA-MM"), "le mois")(
      "finess", po::value<std::string>()->value_name("FINESS"),
      "une seule structure (démon à plusieurs structures ; sinon toutes celles de l'appelant)")(
      "csv", "CSV pour les tableurs (UTF-8 avec BOM, séparateur ;), tel quel")(
      "xlsx", po::value<std::string>()->value_name("FICHIER"),
      "écrire le rapport en classeur .xlsx dans FICHIER (FINESS et mois en texte, "
      "nombres en nombres, taux en pourcentage)");
}

void outbox_list_options(po::options_description& o) {
  o.add_options()("etat", po::value<std::string>()->default_value("pending")->value_name("ETAT"),
                  "pending, dead ou delivered")(
      "limite", po::value<long>()->value_name("N"), "au plus N événements (1 à 1000)");
}

void outbox_retry_options(po::options_description& o) {
  o.add_options()("id", po::value<long>()->value_name("N"), "l'événement en lettre morte à relancer");
}

void outbox_purge_options(po::options_description& o) {
  o.add_options()("jours", po::value<long>()->value_name("N"),
                  "supprimer les événements livrés depuis plus de N jours");
}

void no_options(po::options_description&) {}

// ---- requests ----

json traits(const po::variables_map& vm) {
  json prenoms = json::array();
  for (const auto& p : vm["prenoms"].as<std::vector<std::string>>()) prenoms.push_back(p);
  json t = {{"nom_naissance", str(vm, "nom")},
            {"prenoms", prenoms},
            {"sexe", str(vm, "sexe")},
            {"date_naissance", str(vm, "date-naissance")}};
  if (vm.count("lieu-naissance")) t["lieu_naissance"] = str(vm, "lieu-naissance");
  return t;
}

json ins(const po::variables_map& vm) {
  return {{"matricule", str(vm, "matricule")}, {"cle", str(vm, "cle")}, {"oid", str(vm, "oid")}};
}

ApiCall post(std::string target, const json& body) {
  return {verb::post, std::move(target), body.dump(), {}};
}

/// `body` with the `finess` member when --finess was given.
json for_structure(const po::variables_map& vm, json body) {
  if (vm.count("finess")) body["finess"] = str(vm, "finess");
  return body;
}

ApiCall recherche(const po::variables_map& vm, const std::string& operateur) {
  json body = {{"operateur", operateur}, {"traits", traits(vm)}};
  if (vm.count("sans-cache")) body["cache"] = "bypass";
  return post("/v1/ins/recherche", for_structure(vm, body));
}

/// Standard base64 (OpenSSL), for the assertion file.
std::string base64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

ApiCall recherche_vitale(const po::variables_map& vm, const std::string& operateur) {
  json od = {{"matricule", str(vm, "nir-ouvrant-droit")}};
  if (vm.count("cle-ouvrant-droit")) od["cle"] = str(vm, "cle-ouvrant-droit");
  json carte = {{"nir_ouvrant_droit", od},
                {"date_naissance", str(vm, "date-naissance")},
                {"rang_naissance", str(vm, "rang-naissance")}};
  if (vm.count("nir-individu")) {
    carte["nir_individu"] = {{"matricule", str(vm, "nir-individu")}};
    if (vm.count("cle-individu")) carte["nir_individu"]["cle"] = str(vm, "cle-individu");
  } else if (vm.count("cle-individu")) {
    throw UsageError("--cle-individu va avec --nir-individu");
  }
  if (vm.count("nom")) carte["nom_naissance"] = str(vm, "nom");
  json couverture = json::object();
  for (auto [option, member] : {std::pair{"grand-regime", "grand_regime"},
                                {"organisme", "organisme"}, {"code-centre", "code_centre"}})
    if (vm.count(option)) couverture[member] = str(vm, option);
  if (!couverture.empty()) carte["couverture"] = couverture;
  json body = {{"operateur", operateur}, {"vitale", carte}};
  if (vm.count("assertion-vitale")) {
    const std::string path = str(vm, "assertion-vitale");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("--assertion-vitale : fichier illisible : " + path);
    std::string xml{std::istreambuf_iterator<char>(in), {}};
    body["assertion_vitale"] = base64(xml);
  }
  if (vm.count("sans-cache")) body["cache"] = "bypass";
  return post("/v1/ins/recherche-vitale", for_structure(vm, body));
}

ApiCall verification(const po::variables_map& vm, const std::string& operateur) {
  return post("/v1/ins/verification",
              for_structure(vm, {{"operateur", operateur}, {"ins", ins(vm)}, {"traits", traits(vm)}}));
}

ApiCall qualification(const po::variables_map& vm, const std::string& operateur) {
  return post("/v1/ins/qualification",
              for_structure(vm, {{"operateur", operateur},
                                 {"ins", ins(vm)},
                                 {"piece_identite", {{"type", str(vm, "piece")},
                                                     {"verifiee_le", str(vm, "verifiee-le")}}},
                                 {"identifiant_local", str(vm, "identifiant-local")}}));
}

/// Query values are ours to escape: anything outside [A-Za-z0-9-] as %XX.
std::string query_value(const std::string& v) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

ApiCall stats(const po::variables_map& vm, const std::string&) {
  if (vm.count("csv") && vm.count("xlsx"))
    throw UsageError("--csv et --xlsx s'excluent l'une l'autre");
  if (vm.count("xlsx") && str(vm, "xlsx").empty()) throw UsageError("--xlsx attend un fichier");
  const char* format = vm.count("csv") ? "&format=csv" : vm.count("xlsx") ? "&format=xlsx" : "";
  const std::string finess =
      vm.count("finess") ? "&finess=" + query_value(str(vm, "finess")) : std::string();
  return {verb::get, "/v1/stats/mensuel?mois=" + query_value(str(vm, "mois")) + finess + format,
          "", str(vm, "xlsx")};
}

ApiCall outbox_list(const po::variables_map& vm, const std::string&) {
  std::string target = "/v1/outbox?etat=" + query_value(str(vm, "etat"));
  if (vm.count("limite")) target += "&limite=" + std::to_string(vm["limite"].as<long>());
  return {verb::get, target, "", {}};
}

ApiCall outbox_retry(const po::variables_map& vm, const std::string&) {
  return post("/v1/outbox/retry", {{"id", vm["id"].as<long>()}});
}

ApiCall outbox_purge(const po::variables_map& vm, const std::string&) {
  return post("/v1/outbox/purge", {{"jours", vm["jours"].as<long>()}});
}

ApiCall health(const po::variables_map&, const std::string&) { return {verb::get, "/v1/health", "", {}}; }

const std::array<Command, 9> kCommands{{
    {"recherche", "",
     "--nom NOM --prenoms PRENOMS --sexe M|F --date-naissance AAAA-MM-JJ\n"
     "            [--lieu-naissance COG] [--sans-cache] [--finess FINESS]",
     "récupération de l'INS par les traits (POST /v1/ins/recherche)", recherche_options,
     {"nom", "prenoms", "sexe", "date-naissance"}, recherche, AnswerKind::resultat},
    {"recherche-vitale", "",
     "--nir-ouvrant-droit MATRICULE [--cle-ouvrant-droit CC]\n"
     "            [--nir-individu MATRICULE [--cle-individu CC]] --date-naissance AAAA-MM-JJ\n"
     "            --rang-naissance N [--nom NOM] [--grand-regime NN --organisme NNN\n"
     "            --code-centre NNNN] [--assertion-vitale FICHIER] [--sans-cache]\n"
     "            [--finess FINESS]",
     "récupération de l'INS avec la carte Vitale (POST /v1/ins/recherche-vitale)",
     vitale_options, {"nir-ouvrant-droit", "date-naissance", "rang-naissance"}, recherche_vitale,
     AnswerKind::resultat},
    {"verification", "",
     "--matricule MATRICULE --cle CC --oid OID --nom NOM --prenoms PRENOMS\n"
     "            --sexe M|F --date-naissance AAAA-MM-JJ [--lieu-naissance COG]\n"
     "            [--finess FINESS]",
     "vérification d'un INS et de ses traits (POST /v1/ins/verification)", verification_options,
     {"matricule", "cle", "oid", "nom", "prenoms", "sexe", "date-naissance"}, verification,
     AnswerKind::verification},
    {"qualification", "",
     "--matricule MATRICULE --cle CC --oid OID --piece TYPE --verifiee-le AAAA-MM-JJ\n"
     "            --identifiant-local ID [--finess FINESS]",
     "qualification de l'identité après contrôle de la pièce (POST /v1/ins/qualification)",
     qualification_options,
     {"matricule", "cle", "oid", "piece", "verifiee-le", "identifiant-local"}, qualification,
     AnswerKind::qualification},
    {"stats", "", "--mois AAAA-MM [--finess FINESS] [--csv | --xlsx FICHIER]",
     "activité INSi du mois, fichier régional (GET /v1/stats/mensuel)", stats_options, {"mois"},
     stats, AnswerKind::stats},
    {"outbox", "list", "[--etat pending|dead|delivered] [--limite N]",
     "événements à livrer aux plugins (GET /v1/outbox)", outbox_list_options, {}, outbox_list,
     AnswerKind::outbox},
    {"outbox", "retry", "--id N",
     "relancer un événement en lettre morte (POST /v1/outbox/retry)", outbox_retry_options, {"id"},
     outbox_retry, AnswerKind::outbox},
    {"outbox", "purge", "--jours N",
     "supprimer les événements livrés anciens (POST /v1/outbox/purge)", outbox_purge_options,
     {"jours"}, outbox_purge, AnswerKind::outbox},
    {"health", "", "",
     "état du démon et d'INSi ; code 4 si dégradé (GET /v1/health)", no_options, {}, health,
     AnswerKind::health},
}};

}  // namespace

std::span<const Command> commands() { return kCommands; }

const Command* find_command(std::string_view name, std::string_view sub) {
  if (name == "outbox" && sub.empty()) sub = "list";
  for (const auto& c : kCommands)
    if (c.name == name && c.sub == sub) return &c;
  return nullptr;
}

po::options_description all_command_options() {
  po::options_description all;
  for (const auto& c : kCommands) {
    po::options_description mine;
    c.options(mine);
    for (const auto& o : mine.options())
      if (!all.find_nothrow(o->long_name(), false)) all.add(o);
  }
  return all;
}

}  // namespace insgate::ctl

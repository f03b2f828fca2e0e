// End to end, issue 18: answers a nurse can act on and no gap in the
// identity checks. Impossible birth dates and postal codes never reach INSi
// (insi-sim's journal stays empty); the vérification names an incomplete
// first-name list; advice fits the route and what was sent; one statut rule;
// one rule for wrong JSON types, checked for every member of every route
// that proto/openapi.yaml lists; every error message is a sentence. The
// answers are recorded for tests/e2e/openapi_validate.py (fixture
// e2e_answers).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "e2e_env.hpp"

using namespace insgate::testing;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

json ecetinsi_traits(json prenoms = {"PIERRE-ALAIN"}) {
  return {{"nom_naissance", "ECETINSI"},
          {"prenoms", std::move(prenoms)},
          {"sexe", "M"},
          {"date_naissance", "2009-07-14"}};
}

const json kEcetinsiIns = {{"matricule", "1090763220834"}, {"cle", "89"},
                           {"oid", "1.2.250.1.213.1.4.8"}};

json vitale_body(const std::string& rang = "1", const std::string& date = "2009-07-14") {
  return {{"operateur", "u-test"},
          {"vitale",
           {{"nir_ouvrant_droit", {{"matricule", "1750763220112"}}},
            {"date_naissance", date},
            {"rang_naissance", rang}}}};
}

bool starts_with_capital(const std::string& s) {
  return !s.empty() && ((s[0] >= 'A' && s[0] <= 'Z') || s.rfind("É", 0) == 0);
}

/// Every errors[] entry has champ, regle and a French sentence.
void expect_sentences(const Answer& a) {
  ASSERT_TRUE(a.body.contains("errors")) << a.raw.body;
  for (const auto& e : a.body["errors"]) {
    EXPECT_TRUE(e["champ"].is_string()) << e;
    EXPECT_TRUE(e["regle"].is_string()) << e;
    const std::string m = e.value("message", "");
    EXPECT_TRUE(starts_with_capital(m)) << m;
    EXPECT_EQ(m.back(), '.') << m;
    EXPECT_THAT(m, Not(HasSubstr(e.value("champ", "?") + " :"))) << "a field-path fragment";
  }
  EXPECT_TRUE(starts_with_capital(a.body.value("detail", ""))) << a.raw.body;
}

class AnswersE2E : public SimAndDaemonTest {
 protected:
  Answer recherche(const json& traits) {
    return post_json(*client, "/v1/ins/recherche", {{"operateur", "u-test"}, {"traits", traits}});
  }
  Answer verification(const json& ins, const json& traits) {
    return post_json(*client, "/v1/ins/verification",
                     {{"operateur", "u-test"}, {"ins", ins}, {"traits", traits}});
  }
};

// ---- item 1: impossible birth dates ----

TEST_F(AnswersE2E, future_too_old_and_partly_unknown_future_dates_are_422_without_any_insi_call) {
  for (const char* d : {"2099-01-01", "2099-00-00", "2099-07-00", "1849-12-31"}) {
    auto t = ecetinsi_traits();
    t["date_naissance"] = d;
    auto a = recherche(t);
    ASSERT_EQ(a.status, 422u) << d << ": " << a.raw.body;
    ASSERT_EQ(a.body["errors"].size(), 1u) << a.raw.body;
    EXPECT_EQ(a.body["errors"][0]["champ"], "traits.date_naissance");
    EXPECT_EQ(a.body["errors"][0]["regle"], std::string(d) == "1849-12-31" ? "date_trop_ancienne"
                                                                           : "date_future");
    EXPECT_EQ(a.body["title"], "Traits d'identité invalides");
    expect_sentences(a);
    auto v = verification(kEcetinsiIns, t);
    EXPECT_EQ(v.status, 422u) << d;
  }
  auto v = post_json(*client, "/v1/ins/recherche-vitale", vitale_body("1", "2099-01-01"));
  ASSERT_EQ(v.status, 422u) << v.raw.body;
  EXPECT_EQ(v.body["errors"][0]["champ"], "vitale.date_naissance");
  EXPECT_EQ(v.body["title"], "Données de carte Vitale invalides");
  EXPECT_TRUE(sim->journal().empty()) << "an impossible birth date reached INSi";
}

// ---- item 2: a postal code is not a COG ----

TEST_F(AnswersE2E, postal_code_birthplace_is_422_and_never_reaches_insi) {
  auto t = ecetinsi_traits();
  t["lieu_naissance"] = "63000";
  auto a = recherche(t);
  ASSERT_EQ(a.status, 422u) << a.raw.body;
  EXPECT_EQ(a.body["errors"][0]["champ"], "traits.lieu_naissance");
  EXPECT_EQ(a.body["errors"][0]["regle"], "cog_inexistant");
  EXPECT_THAT(a.body["errors"][0]["message"].get<std::string>(),
              HasSubstr("code officiel géographique (COG), pas le code postal"));
  expect_sentences(a);
  EXPECT_TRUE(sim->journal().empty());
}

TEST_F(AnswersE2E, unknown_but_well_formed_cog_gets_cr01_advice_to_check_it_is_the_cog) {
  auto t = ecetinsi_traits();
  t["lieu_naissance"] = "63001";
  auto a = recherche(t);
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "01");
  EXPECT_THAT(a.body["conseil"].get<std::string>(),
              HasSubstr("code officiel géographique (COG) de la commune de naissance et non son "
                        "code postal"));
  EXPECT_EQ(sim->journal().size(), 1u);
  // Without a birthplace, CR 01 advice does not talk about it.
  auto b = recherche({{"nom_naissance", "HOUILLES"}, {"prenoms", {"PIERRE"}}, {"sexe", "M"},
                      {"date_naissance", "1993-01-27"}});
  ASSERT_EQ(b.body["cr"], "01");
  EXPECT_THAT(b.body["conseil"].get<std::string>(), Not(HasSubstr("COG")));
  EXPECT_THAT(b.body["conseil"].get<std::string>(), HasSubstr("autres prénoms"));
}

// ---- item 3: vérification with the first first name only ----

TEST_F(AnswersE2E, verification_with_a_subset_of_first_names_names_liste_prenoms_incomplete) {
  auto a = verification(kEcetinsiIns, ecetinsi_traits({"PIERRE-ALAIN"}));
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["conforme"], true);
  EXPECT_EQ(a.body["ecarts"], json({"liste_prenoms_incomplete"}));
  EXPECT_EQ(a.body["statut"], "recuperee");
  EXPECT_THAT(a.body["conseil"].get<std::string>(), HasSubstr("liste_prenoms"));
  auto full = verification(kEcetinsiIns, ecetinsi_traits({"PIERRE-ALAIN", "MURIEL", "FLORIANT"}));
  ASSERT_EQ(full.status, 200u);
  EXPECT_EQ(full.body["conforme"], true);
  EXPECT_EQ(full.body["ecarts"], json::array());
  EXPECT_FALSE(full.body.contains("conseil"));
}

// ---- item 6: advice per route, one statut rule ----

TEST_F(AnswersE2E, vitale_cr01_advice_is_about_the_card_not_first_names_or_birthplace) {
  auto a = post_json(*client, "/v1/ins/recherche-vitale", vitale_body("2"));
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "01");
  const std::string c = a.body["conseil"].get<std::string>();
  EXPECT_THAT(c, HasSubstr("carte Vitale"));
  EXPECT_THAT(c, Not(HasSubstr("autres prénoms")));
  EXPECT_THAT(c, Not(HasSubstr("ajoutez le lieu")));
  EXPECT_TRUE(a.body["statut"].is_null());
}

TEST_F(AnswersE2E, no_identity_gives_statut_null_and_advice_on_recherche_and_verification) {
  const json houilles = {{"nom_naissance", "HOUILLES"}, {"prenoms", {"PIERRE"}}, {"sexe", "M"},
                         {"date_naissance", "1993-01-27"}};
  auto r = recherche(houilles);
  auto v = verification(kEcetinsiIns, houilles);
  ASSERT_EQ(r.status, 200u);
  ASSERT_EQ(v.status, 200u) << v.raw.body;
  EXPECT_EQ(v.body["cr"], "01");
  EXPECT_TRUE(r.body["statut"].is_null()) << r.raw.body;
  EXPECT_TRUE(v.body["statut"].is_null()) << v.raw.body;
  EXPECT_TRUE(v.body["conseil"].is_string()) << v.raw.body;
  EXPECT_THAT(v.body["conseil"].get<std::string>(), HasSubstr("vérification"));
  // CR 02: the advice names what was not sent.
  auto two = recherche({{"nom_naissance", "DE VINCI"}, {"prenoms", {"LEONARDO"}}, {"sexe", "M"},
                        {"date_naissance", "2014-02-01"}});
  ASSERT_EQ(two.body["cr"], "02") << two.raw.body;
  EXPECT_THAT(two.body["conseil"].get<std::string>(), HasSubstr("autres prénoms"));
  EXPECT_THAT(two.body["conseil"].get<std::string>(), HasSubstr("lieu de naissance"));
  EXPECT_TRUE(two.body["statut"].is_null());
}

// ---- item 4: titles that fit, anomalies with a message ----

TEST_F(AnswersE2E, titles_name_what_is_wrong) {
  const json ins = kEcetinsiIns;
  auto q = post_json(*client, "/v1/ins/qualification",
                     {{"operateur", "u-test"}, {"ins", ins},
                      {"piece_identite", {{"type", "PERMIS"}, {"verifiee_le", "2026-01-02"}}},
                      {"identifiant_local", "IPP-1"}});
  ASSERT_EQ(q.status, 422u) << q.raw.body;
  EXPECT_EQ(q.body["title"], "Pièce d'identité invalide");
  EXPECT_EQ(q.body["errors"][0]["regle"], "piece_inconnue");
  expect_sentences(q);
  auto l = post_json(*client, "/v1/ins/qualification",
                     {{"operateur", "u-test"}, {"ins", ins},
                      {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-02"}}},
                      {"identifiant_local", ""}});
  ASSERT_EQ(l.status, 422u);
  EXPECT_EQ(l.body["title"], "Identifiant local invalide");
  expect_sentences(l);
  json bad_key = ins;
  bad_key["cle"] = "88";
  auto k = verification(bad_key, ecetinsi_traits());
  ASSERT_EQ(k.status, 422u);
  EXPECT_EQ(k.body["title"], "INS invalide");
  EXPECT_EQ(k.body["errors"][0]["regle"], "cle_invalide");
  expect_sentences(k);
}

TEST_F(AnswersE2E, every_anomaly_has_a_message) {
  // CNDA TEST_2.08 cas 2: INSi returns an INS whose key does not check.
  auto a = recherche({{"nom_naissance", "HERMANN"}, {"prenoms", {"GATIEN"}}, {"sexe", "M"},
                      {"date_naissance", "1981-03-24"}});
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  ASSERT_FALSE(a.body["anomalies"].empty());
  for (const auto& an : a.body["anomalies"]) {
    EXPECT_TRUE(starts_with_capital(an.value("message", ""))) << an;
    EXPECT_TRUE(an["champ"].is_string());
  }
  EXPECT_EQ(a.body["statut"], "provisoire");
}

// ---- item 5: one rule for wrong JSON types, every member of every route ----

/// The schema `n`, its $ref followed (components/schemas only).
YAML::Node resolve(const YAML::Node& doc, const YAML::Node& n) {
  if (n.IsMap() && n["$ref"]) {
    const std::string ref = n["$ref"].as<std::string>();
    const std::string prefix = "#/components/schemas/";
    if (ref.rfind(prefix, 0) != 0) return n;
    return resolve(doc, doc["components"]["schemas"][ref.substr(prefix.size())]);
  }
  return n;
}

/// Every member path of a request schema: "traits", "traits.sexe",
/// "traits.prenoms[0]" (an element of an array member)...
void member_paths(const YAML::Node& doc, const YAML::Node& schema, const std::string& prefix,
                  std::vector<std::string>& out) {
  const YAML::Node s = resolve(doc, schema);
  if (!s.IsMap() || !s["properties"]) return;
  for (const auto& p : s["properties"]) {
    const std::string path = prefix + p.first.as<std::string>();
    out.push_back(path);
    const YAML::Node child = resolve(doc, p.second);
    if (child.IsMap() && child["properties"]) member_paths(doc, child, path + ".", out);
    if (child.IsMap() && child["oneOf"])
      for (const auto& alt : child["oneOf"])
        if (alt["type"] && alt["type"].as<std::string>() == "array") out.push_back(path + "[0]");
  }
}

/// `body` with `true` (a type no member has) at `path`.
json with_wrong_type(json body, const std::string& path) {
  json* node = &body;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (dot == std::string::npos) {
      if (key.size() > 3 && key.compare(key.size() - 3, 3, "[0]") == 0)
        (*node)[key.substr(0, key.size() - 3)] = json::array({true});
      else
        (*node)[key] = true;
      return body;
    }
    if (!(*node)[key].is_object()) (*node)[key] = json::object();
    node = &(*node)[key];
    start = dot + 1;
  }
}

TEST_F(AnswersE2E, a_wrong_json_type_is_400_naming_member_and_type_on_every_route) {
  const YAML::Node doc = YAML::LoadFile(INSGATE_OPENAPI);
  const json ins = kEcetinsiIns;
  const std::map<std::string, json> bases = {
      {"/v1/ins/recherche", {{"operateur", "u-test"}, {"traits", ecetinsi_traits()}}},
      {"/v1/ins/recherche-vitale",
       {{"operateur", "u-test"},
        {"vitale",
         {{"nir_individu", {{"matricule", "1090763220834"}, {"cle", "89"}}},
          {"nir_ouvrant_droit", {{"matricule", "1750763220112"}}},
          {"date_naissance", "2009-07-14"},
          {"rang_naissance", "1"},
          {"couverture", json::object()}}}}},
      {"/v1/ins/verification",
       {{"operateur", "u-test"}, {"ins", ins}, {"traits", ecetinsi_traits()}}},
      {"/v1/ins/qualification",
       {{"operateur", "u-test"},
        {"ins", ins},
        {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-02"}}},
        {"identifiant_local", "IPP-1"}}},
      {"/v1/outbox/retry", json::object()},
      {"/v1/outbox/purge", json::object()},
  };
  int checked = 0;
  for (const auto& path : doc["paths"]) {
    const std::string route = path.first.as<std::string>();
    const YAML::Node post = path.second["post"];
    if (!post || !post["requestBody"]) continue;
    ASSERT_TRUE(bases.count(route)) << route << ": add a base body to this test";
    std::vector<std::string> members;
    member_paths(doc, post["requestBody"]["content"]["application/json"]["schema"], "", members);
    ASSERT_FALSE(members.empty()) << route;
    for (const auto& m : members) {
      auto a = post_json(*client, route, with_wrong_type(bases.at(route), m));
      ++checked;
      EXPECT_EQ(a.status, 400u) << route << " " << m << ": " << a.raw.body;
      EXPECT_EQ(a.body.value("code", ""), "requete_invalide") << route << " " << m;
      EXPECT_THAT(a.body.value("detail", ""), HasSubstr("membre " + m + " doit être"))
          << route << " " << m;
      bool named = false;
      for (const auto& e : a.body.value("errors", json::array()))
        named = named || (e["champ"] == m && e["regle"] == "type_invalide");
      EXPECT_TRUE(named) << route << " " << m << ": " << a.raw.body;
    }
  }
  EXPECT_GE(checked, 30);
  EXPECT_TRUE(sim->journal().empty());
}

// A broad sample of real answers for the OpenAPI validation (fixture
// e2e_answers): every route, success and error shapes.
TEST_F(AnswersE2E, a_sample_of_every_answer_shape_is_recorded) {
  EXPECT_EQ(recherche(ecetinsi_traits()).status, 200u);
  EXPECT_EQ(verification(kEcetinsiIns, ecetinsi_traits()).status, 200u);
  EXPECT_EQ(post_json(*client, "/v1/ins/recherche-vitale", vitale_body()).status, 200u);
  auto q = post_json(*client, "/v1/ins/qualification",
                     {{"operateur", "u-test"},
                      {"ins", kEcetinsiIns},
                      {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-02"}}},
                      {"identifiant_local", "IPP-1"}});
  EXPECT_EQ(q.status, 200u) << q.raw.body;
  auto never = post_json(*client, "/v1/ins/qualification",
                         {{"operateur", "u-test"},
                          {"ins", {{"matricule", "2751263220749"}, {"cle", "74"},
                                   {"oid", "1.2.250.1.213.1.4.8"}}},
                          {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-02"}}},
                          {"identifiant_local", "IPP-2"}});
  EXPECT_EQ(never.status, 409u) << never.raw.body;
  EXPECT_EQ(never.body["motif"], "ins_non_recupere");
  EXPECT_EQ(post_json(*client, "/v1/ins/recherche", json::array()).status, 400u);
  EXPECT_EQ(post_json(*client, "/v1/ins/recherche", {{"operateur", "u"}, {"x", 1}}).status, 400u);
  EXPECT_EQ(post_json(*client, "/v1/outbox/retry", json::object()).status, 422u);
  EXPECT_EQ(post_json(*client, "/v1/outbox/retry", {{"id", 999999}}).status, 404u);
  EXPECT_EQ(post_json(*client, "/v1/outbox/purge", {{"jours", 4000}}).status, 422u);
  EXPECT_EQ(post_json(*client, "/v1/outbox/purge", {{"jours", 30}}).status, 200u);
  EXPECT_EQ(get_json(*client, "/v1/outbox?etat=pending").status, 200u);
  EXPECT_EQ(get_json(*client, "/v1/health").status, 200u);
  EXPECT_EQ(get_json(*client, "/v1/stats/mensuel?mois=2026-11").status, 200u);
  EXPECT_EQ(get_json(*client, "/v1/stats/mensuel?mois=novembre").status, 400u);
  auto down = recherche({{"nom_naissance", "INDISPONIBLE"}, {"prenoms", {"MARC"}},
                         {"sexe", "M"}, {"date_naissance", "1990-01-01"}});
  EXPECT_EQ(down.status, 503u) << down.raw.body;
}

}  // namespace

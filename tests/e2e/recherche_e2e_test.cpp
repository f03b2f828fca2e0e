// End to end: insgated + insi-sim over mutual TLS, a test PKI made by the run.
// Specs: local-api.md (POST /v1/ins/recherche, Errors), insi-protocol.md §8, §9.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

struct Person {
  std::string nom;
  std::vector<std::string> prenoms;
  std::string sexe, date;
  std::string cr;
  std::string matricule, cle, type;  // for CR 00
  int appels;
};

const std::vector<Person>& dataset_persons() {
  static const std::vector<Person> p = {
      {"ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26", "00", "297022A020778", "78", "NIR", 1},
      {"ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01", "00", "160012B020777", "13", "NIR", 1},
      {"ECETINSI", {"PIERRE-ALAIN", "MURIEL", "FLORIANT"}, "M", "2009-07-14", "00",
       "1090763220834", "89", "NIR", 1},
      {"TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21", "00", "2360663220836", "56", "NIR", 2},
      {"HOUILLES", {"PIERRE", "PAUL", "JACQUES"}, "M", "1993-01-27", "01", "", "", "", 4},
      {"DE VINCI", {"LEONARDO"}, "M", "2014-02-01", "02", "", "", "", 1},
      {"ADRUN", {"ZOE"}, "F", "1975-12-31", "00", "2751263220749", "74", "NIR", 1},
      {"CORSE", {"ANTHONY"}, "M", "1980-03-02", "00", "180032B020401", "23", "NIR", 1},
      {"HERMANN", {"GATIEN"}, "M", "1981-03-24", "00", "1810363220456", "60", "NIR", 1},
      {"PROVISOIRE", {"MATRICULE"}, "M", "2009-07-01", "00", "1090763220888", "35", "NIA", 1},
      {"NESSI", {"MICHELANGELO"}, "M", "2010-08-07", "00", "1100863220830", "60", "NIR", 1},
      {"D'ARTAGNAN DE L'HERAULT", {"PIERRE-ALAIN"}, "M", "2001-06-17", "00", "1010663220754",
       "60", "NIR", 1},
  };
  return p;
}

}  // namespace

class RechercheE2E : public SimAndDaemonTest {};

TEST_F(RechercheE2E, each_dataset_person_gives_the_expected_cr_and_ins) {
  for (const auto& p : dataset_persons()) {
    SCOPED_TRACE(p.nom + " " + p.prenoms.front());
    auto a = post_recherche(*client, recherche_body(p.nom, p.prenoms, p.sexe, p.date));
    ASSERT_EQ(a.status, 200u) << a.raw.body;
    EXPECT_EQ(a.body["cr"], p.cr);
    EXPECT_EQ(a.body["appels_insi"], p.appels);
    EXPECT_EQ(a.body["source"], "insi");
    EXPECT_TRUE(a.body["historique"].is_array());
    if (p.cr == "00") {
      EXPECT_EQ(a.body["ins"]["matricule"], p.matricule);
      EXPECT_EQ(a.body["ins"]["cle"], p.cle);
      EXPECT_EQ(a.body["ins"]["type"], p.type);
      EXPECT_EQ(a.body["libelle_cr"], "OK");
      EXPECT_FALSE(a.body["traits_ins"]["premier_prenom"].is_null());
    } else {
      EXPECT_TRUE(a.body["ins"].is_null());
      EXPECT_TRUE(a.body["conseil"].is_string());
    }
  }
}

TEST_F(RechercheE2E, answer_has_the_local_api_shape) {
  auto a = post_recherche(*client, recherche_body("ECETINSI", {"PIERRE-ALAIN", "MURIEL"}, "M",
                                                  "2009-07-14"),
                          "req-shape-1");
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(a.raw.request_id, "req-shape-1");
  EXPECT_EQ(a.body["requete_id"], "req-shape-1");
  EXPECT_EQ(a.body["ins"]["oid"], "1.2.250.1.213.1.4.8");
  EXPECT_EQ(a.body["ins"]["test"], false);
  ASSERT_EQ(a.body["historique"].size(), 1u);
  EXPECT_EQ(a.body["historique"][0]["matricule"], "2090763220834");
  EXPECT_EQ(a.body["historique"][0]["date_debut"], "2019-03-01");
  EXPECT_EQ(a.body["traits_ins"]["liste_prenoms"], "PIERRE-ALAIN MURIEL FLORIANT");
  EXPECT_EQ(a.body["traits_ins"]["premier_prenom"], "PIERRE-ALAIN");
  EXPECT_EQ(a.body["traits_envoyes"]["prenoms"], json({"PIERRE-ALAIN", "MURIEL"}));
  EXPECT_EQ(a.body["statut"], "recuperee");
  EXPECT_EQ(a.body["anomalies"], json::array());
}

TEST_F(RechercheE2E, invalid_key_from_insi_is_reported_as_anomaly) {
  auto a = post_recherche(*client, recherche_body("HERMANN", {"GATIEN"}, "M", "1981-03-24"));
  ASSERT_EQ(a.status, 200u);
  ASSERT_FALSE(a.body["anomalies"].empty());
  EXPECT_EQ(a.body["anomalies"][0]["code"], "cle_invalide");
  EXPECT_EQ(a.body["statut"], "provisoire");
}

// Issue 20: INSi's traits outside the INS rules are reported, not trusted:
// the answer is provisoire, the next request calls INSi again (never
// cached), and the identity cannot be qualified.
TEST_F(RechercheE2E, insi_traits_outside_the_ins_rules_are_an_anomaly_never_cached_or_qualified) {
  const auto body = recherche_body("SYNTAXE", {"JEAN"}, "M", "1990-01-01");
  auto a = post_recherche(*client, body);
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "00");
  EXPECT_EQ(a.body["statut"], "provisoire");
  EXPECT_EQ(a.body["traits_ins"]["nom_naissance"], "SYN|TAXE^&") << "INSi's answer, verbatim";
  std::set<std::string> champs;
  for (const auto& an : a.body["anomalies"]) {
    EXPECT_EQ(an["code"], "trait_invalide");
    champs.insert(an["champ"].get<std::string>());
  }
  EXPECT_EQ(champs, (std::set<std::string>{"traits_ins.nom_naissance", "traits_ins.liste_prenoms"}));
  EXPECT_THAT(a.body["anomalies"].dump(), ::testing::Not(HasSubstr("SYN")));

  auto again = post_recherche(*client, body);
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(again.body["source"], "insi");
  EXPECT_EQ(again.body["appels_insi"], 1);
  EXPECT_EQ(sim->journal().size(), 2u);

  auto q = post_json(*client, "/v1/ins/qualification",
                     {{"operateur", "u-test"},
                      {"ins", {{"matricule", "1900163220123"}, {"cle", "33"},
                               {"oid", "1.2.250.1.213.1.4.8"}}},
                      {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-15"}}},
                      {"identifiant_local", "IPP-SYNTAXE"}});
  EXPECT_EQ(q.status, 409u) << q.raw.body;
}

TEST_F(RechercheE2E, first_name_loop_makes_four_calls_with_distinct_message_ids) {
  auto a = post_recherche(*client, recherche_body("HOUILLES", {"PIERRE", "PAUL", "JACQUES"}, "M",
                                                  "1993-01-27"));
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(a.body["cr"], "01");
  EXPECT_EQ(a.body["appels_insi"], 4);
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 4u);
  std::vector<std::string> prenoms;
  std::set<std::string> ids;
  for (const auto& line : journal) {
    prenoms.push_back(line["prenom"]);
    EXPECT_EQ(line["prenom_count"], 1);
    EXPECT_EQ(line["action"], "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite");
    std::string id = line["message_id"];
    EXPECT_EQ(id.rfind("uuid:", 0), 0u);
    ids.insert(id);
  }
  EXPECT_EQ(prenoms, (std::vector<std::string>{"PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"}));
  EXPECT_EQ(ids.size(), 4u);
}

TEST_F(RechercheE2E, loop_stops_at_a_fault_after_its_retries) {
  // LEONARDO → CR 02, then DICAPRIO → siram_40 fault, retried twice (fault
  // policy), then the loop stops: BUFFALO is never tried.
  auto a = post_recherche(*client, recherche_body("DE VINCI", {"LEONARDO", "DICAPRIO", "BUFFALO"},
                                                  "M", "2014-02-01"));
  EXPECT_EQ(a.status, 503u) << a.raw.body;
  EXPECT_EQ(a.body["code"], "insi_indisponible");
  EXPECT_EQ(a.body["insi_sous_code"], "siram_40");
  EXPECT_EQ(a.body["insi_code"], "insi_102");
  EXPECT_EQ(a.body["appels_insi"], 4);
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 4u);
  EXPECT_EQ(journal[0]["prenom"], "LEONARDO");
  for (std::size_t i = 1; i < 4; ++i) EXPECT_EQ(journal[i]["prenom"], "DICAPRIO");
  EXPECT_NE(journal[1]["message_id"], journal[2]["message_id"]) << "a retry is a new message";
  EXPECT_FALSE(a.raw.retry_after.empty());
}

TEST_F(RechercheE2E, siram_40_service_unavailable_is_503_with_the_fault_fields) {
  auto a = post_recherche(*client, recherche_body("INDISPONIBLE", {"MARC"}, "M", "1990-01-01"));
  EXPECT_EQ(a.status, 503u);
  EXPECT_EQ(a.raw.content_type.rfind("application/problem+json", 0), 0u);
  EXPECT_EQ(a.body["insi_code"], "desir_1020");
  EXPECT_EQ(a.body["insi_severite"], "fatale");
}

TEST_F(RechercheE2E, invalid_traits_give_422_and_no_insi_call) {
  json body = recherche_body("DUP0NT", {"MARIE"}, "X", "1980-13-45");
  auto a = post_recherche(*client, body);
  EXPECT_EQ(a.status, 422u);
  EXPECT_EQ(a.body["code"], "traits_invalides");
  std::set<std::string> champs;
  for (const auto& e : a.body["errors"]) champs.insert(e["champ"]);
  EXPECT_EQ(champs, (std::set<std::string>{"traits.nom_naissance", "traits.sexe",
                                           "traits.date_naissance"}));
  EXPECT_THAT(a.raw.body, ::testing::Not(HasSubstr("DUP0NT")));
  EXPECT_TRUE(sim->journal().empty());
}

TEST_F(RechercheE2E, malformed_requests_get_4xx_and_the_daemon_keeps_answering) {
  using insgate::http::verb;
  EXPECT_EQ(client->request(verb::post, "/v1/ins/recherche", "{not json").status, 400u);
  EXPECT_EQ(client->request(verb::post, "/v1/ins/recherche", "[]").status, 400u);
  EXPECT_EQ(client->request(verb::post, "/v1/ins/recherche", std::string(100, '[')).status, 400u);
  // Missing members are values to fill in (422 obligatoire), wrong types 400.
  EXPECT_EQ(client->request(verb::post, "/v1/ins/recherche", R"({"traits":{}})").status, 422u);
  EXPECT_EQ(client->request(verb::post, "/v1/ins/recherche", R"({"traits":5})").status, 400u);
  EXPECT_EQ(client->request(verb::post, "/v1/ins/recherche", std::string(70 * 1024, ' ')).status,
            413u);
  // Far larger than the socket buffers: the daemon answers at the header and
  // drops the rest of the body, so the caller's write does not fail before
  // it can read the 413.
  EXPECT_EQ(insgate::net::LocalHttpClient(daemon->socket())
                .request(verb::post, "/v1/ins/recherche", std::string(4 * 1024 * 1024, ' '))
                .status,
            413u);
  EXPECT_EQ(client->request(verb::get, "/v1/ins/recherche").status, 405u);
  EXPECT_EQ(client->request(verb::get, "/v1/nothing").status, 404u);
  auto a = post_recherche(*client, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01"));
  EXPECT_EQ(a.status, 200u);
  EXPECT_TRUE(sim->journal().size() == 1u);
}

TEST_F(RechercheE2E, health_reports_certificate_expiry) {
  auto r = client->request(insgate::http::verb::get, "/v1/health");
  ASSERT_EQ(r.status, 200u);
  auto j = json::parse(r.body);
  EXPECT_EQ(j["statut"], "ok");
  EXPECT_EQ(j["insi"]["etat"], "ok");
  EXPECT_GT(j["certificat"]["jours_restants"], 30) << "the test PKI must not set off the 30-day alert";
  EXPECT_TRUE(j["certificat"]["expire_le"].is_string());
}

TEST_F(RechercheE2E, fifty_concurrent_recherches_each_get_their_own_answer) {
  const auto& persons = dataset_persons();
  std::vector<const Person*> cr00;
  for (const auto& p : persons)
    if (p.cr == "00" && p.appels == 1) cr00.push_back(&p);
  std::vector<std::thread> threads;
  std::vector<std::string> failures(50);
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      try {
        const Person& p = *cr00[i % cr00.size()];
        LocalHttpClient c(daemon->socket(), std::chrono::seconds(30));
        std::string rid = "concurrent-" + std::to_string(i);
        auto a = post_recherche(c, recherche_body(p.nom, p.prenoms, p.sexe, p.date), rid);
        if (a.status != 200 || a.body["ins"]["matricule"] != p.matricule ||
            a.body["requete_id"] != rid || a.raw.request_id != rid)
          failures[i] = "request " + std::to_string(i) + ": " + a.raw.body;
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(sim->journal().size(), 50u);
}

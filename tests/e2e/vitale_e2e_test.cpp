// End to end: POST /v1/ins/recherche-vitale (issue #4, insi-protocol.md §5).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "e2e_env.hpp"
#include "validators.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

class VitaleE2E : public SimAndDaemonTest {
 protected:
  // The cache is on, so a second identical card search is answered from it.
  void configure(DaemonOptions& opt) override { opt.cache_ttl_s = 3600; }
  Answer post(const json& body) { return post_json(*client, "/v1/ins/recherche-vitale", body); }
  static json card() {
    return {{"nir_ouvrant_droit", {{"matricule", "1750763220112"}}},
            {"date_naissance", "2009-07-14"},
            {"rang_naissance", "1"},
            {"couverture", {{"grand_regime", "01"}, {"organisme", "631"}, {"code_centre", "0001"}}}};
  }
};

TEST_F(VitaleE2E, card_data_retrieves_the_beneficiary_ins) {
  auto a = post({{"operateur", "u-test"}, {"vitale", card()}});
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "00");
  EXPECT_EQ(a.body["ins"]["matricule"], "1090763220834");
  EXPECT_EQ(a.body["appels_insi"], 1);
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["action"], "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale");
  EXPECT_EQ(journal[0]["vitale_matricule_od"], "1750763220112");
  EXPECT_EQ(journal[0]["vitale_organisme"], "631");
  EXPECT_EQ(journal[0]["wsse_security"], "") << "no assertion given: none fabricated";
}

// The contract's 200 schema for this operation accepts the real answer
// (issue 20: it required traits_envoyes, which a card search never has).
TEST_F(VitaleE2E, answer_matches_the_openapi_schema_of_the_operation) {
  auto a = post({{"operateur", "u-test"}, {"vitale", card()}});
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_FALSE(a.body.contains("traits_envoyes"));
  EXPECT_EQ(a.body["vitale_envoyee"], json({{"assertion_vitale", false}}));
  write_text(ws.path("vitale-200.json"), a.raw.body);
  auto v = run_validator("openapi_answer.py",
                         {INSGATE_OPENAPI, "rechercheCarteVitale", "200", ws.path("vitale-200.json")},
                         ws.path("vitale-200.log"));
  EXPECT_EQ(v.exit_code, 0) << v.output;
  // And from the cache: the same shape.
  auto again = post({{"operateur", "u-test"}, {"vitale", card()}});
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(again.body["source"], "cache");
  write_text(ws.path("vitale-200-cache.json"), again.raw.body);
  v = run_validator("openapi_answer.py",
                    {INSGATE_OPENAPI, "rechercheCarteVitale", "200", ws.path("vitale-200-cache.json")},
                    ws.path("vitale-200-cache.log"));
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

TEST_F(VitaleE2E, caller_assertion_reaches_insi_unchanged) {
  // base64 of <saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_v1">carte</saml2:Assertion>
  const std::string xml =
      R"(<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_v1">carte</saml2:Assertion>)";
  const std::string b64 =
      "PHNhbWwyOkFzc2VydGlvbiB4bWxuczpzYW1sMj0idXJuOm9hc2lzOm5hbWVzOnRjOlNBTUw6Mi4wOmFzc2VydGlvbiIg"
      "SUQ9Il92MSI+Y2FydGU8L3NhbWwyOkFzc2VydGlvbj4=";
  auto a = post({{"operateur", "u-test"}, {"vitale", card()}, {"assertion_vitale", b64}});
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["wsse_security"], xml);
}

TEST_F(VitaleE2E, malformed_assertion_is_422_without_insi_call) {
  auto a = post({{"operateur", "u-test"}, {"vitale", card()}, {"assertion_vitale", "PGE+"}});
  EXPECT_EQ(a.status, 422u);
  EXPECT_EQ(a.body["errors"][0]["champ"], "assertion_vitale");
  EXPECT_TRUE(sim->journal().empty());
}

TEST_F(VitaleE2E, unknown_card_gives_cr_01) {
  auto c = card();
  c["rang_naissance"] = "2";
  auto a = post({{"operateur", "u-test"}, {"vitale", c}});
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(a.body["cr"], "01");
}

TEST_F(VitaleE2E, bad_nir_key_is_422) {
  auto c = card();
  c["nir_ouvrant_droit"]["cle"] = "00";
  auto a = post({{"operateur", "u-test"}, {"vitale", c}});
  EXPECT_EQ(a.status, 422u);
  EXPECT_EQ(a.body["errors"][0]["champ"], "vitale.nir_ouvrant_droit.cle");
  EXPECT_EQ(a.raw.body.find("1750763220112"), std::string::npos);
}

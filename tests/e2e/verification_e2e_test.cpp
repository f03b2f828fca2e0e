// End to end: POST /v1/ins/verification (issue #4, local-api.md).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

class VerificationE2E : public SimAndDaemonTest {
 protected:
  Answer verify(const json& ins, const json& traits) {
    json body = {{"operateur", "u-test"}, {"ins", ins}, {"traits", traits}};
    return post_json(*client, "/v1/ins/verification", body);
  }
  static json ecetinsi_traits() {
    return {{"nom_naissance", "Ecetinsi"}, {"prenoms", {"Pierre-Alain"}}, {"sexe", "M"},
            {"date_naissance", "2009-07-14"}};
  }
};

TEST_F(VerificationE2E, current_ins_with_matching_traits_is_conforme) {
  auto a = verify({{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}},
                  ecetinsi_traits());
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["conforme"], true);
  // Only the first of INSi's three first names was sent (issue 18).
  EXPECT_EQ(a.body["ecarts"], json({"liste_prenoms_incomplete"}));
  EXPECT_EQ(a.body["methode"], "comparaison");
  EXPECT_EQ(a.body["statut"], "recuperee");
  EXPECT_EQ(a.body["appels_insi"], 1);
  EXPECT_EQ(sim->journal().size(), 1u);
}

TEST_F(VerificationE2E, former_matricule_is_not_conforme_and_flagged) {
  auto a = verify({{"matricule", "2090763220834"}, {"cle", "39"}, {"oid", "1.2.250.1.213.1.4.8"}},
                  ecetinsi_traits());
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(a.body["conforme"], false);
  EXPECT_EQ(a.body["ins_historique"], true);
  EXPECT_EQ(a.body["ins"]["matricule"], "1090763220834");
  EXPECT_EQ(a.body["statut"], "provisoire");
}

TEST_F(VerificationE2E, unknown_person_is_not_conforme) {
  auto a = verify({{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}},
                  {{"nom_naissance", "HOUILLES"}, {"prenoms", {"PIERRE"}}, {"sexe", "M"},
                   {"date_naissance", "1993-01-27"}});
  ASSERT_EQ(a.status, 200u);
  EXPECT_EQ(a.body["cr"], "01");
  EXPECT_EQ(a.body["conforme"], false);
  EXPECT_EQ(a.body["ecarts"], json({"identite"}));
}

TEST_F(VerificationE2E, ins_with_a_wrong_key_is_422_and_insi_is_not_called) {
  auto a = verify({{"matricule", "1090763220834"}, {"cle", "88"}, {"oid", "1.2.250.1.213.1.4.8"}},
                  ecetinsi_traits());
  EXPECT_EQ(a.status, 422u);
  EXPECT_EQ(a.body["errors"][0]["champ"], "ins.cle");
  EXPECT_EQ(a.raw.body.find("1090763220834"), std::string::npos) << "no value echoed";
  EXPECT_TRUE(sim->journal().empty());
}

TEST_F(VerificationE2E, insi_fault_is_reported_like_a_recherche) {
  auto a = verify({{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}},
                  {{"nom_naissance", "INDISPONIBLE"}, {"prenoms", {"MARC"}}, {"sexe", "M"},
                   {"date_naissance", "1990-01-01"}});
  EXPECT_EQ(a.status, 503u);
  EXPECT_EQ(a.body["code"], "insi_indisponible");
}

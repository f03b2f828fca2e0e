// End to end: the optional WS-Security signature (insi.signature_xml, issue
// #4) through insgated and insi-sim. The simulator still answers, its journal
// shows a signed request, and xmlsec1 verifies the bytes insgated sent with
// the client certificate of the test PKI (EC P-256, so ECDSA-SHA256).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

std::string find_xmlsec1() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    std::string p = std::string(dir) + "/xmlsec1";
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

}  // namespace

class SignatureE2E : public ::testing::Test {
 protected:
  void start(bool signature_xml) {
    sim = std::make_unique<Simulator>(ws, "sim");
    DaemonOptions opt;
    opt.port = sim->port();
    opt.insi_extra = std::string("  signature_xml: ") + (signature_xml ? "true" : "false") + "\n";
    daemon = std::make_unique<Daemon>(ws, "insgated", opt);
    client = std::make_unique<LocalHttpClient>(daemon->socket(), std::chrono::seconds(30));
  }
  Answer post_vitale(const json& body) {
    return post_json(*client, "/v1/ins/recherche-vitale", body);
  }
  static json card() {
    return {{"nir_ouvrant_droit", {{"matricule", "1750763220112"}}},
            {"date_naissance", "2009-07-14"},
            {"rang_naissance", "1"},
            {"couverture", {{"grand_regime", "01"}, {"organisme", "631"}, {"code_centre", "0001"}}}};
  }
  /// xmlsec1's verdict on `xml` with the test PKI's client certificate.
  bool verify(const std::string& xml, std::string& log) {
    std::string doc = ws.path("signed.xml");
    std::ofstream(doc, std::ios::binary) << xml;
    int rc = run_command({find_xmlsec1(), "--verify", "--pubkey-cert-pem", ws.pki("client.pem"),
                          "--id-attr:Id", "http://www.w3.org/2003/05/soap-envelope:Body",
                          "--id-attr:Id", "http://www.w3.org/2005/08/addressing:Action",
                          "--id-attr:Id", "http://www.w3.org/2005/08/addressing:MessageID", doc},
                         ws.path("xmlsec1.log"));
    log = read_file(ws.path("xmlsec1.log"));
    return rc == 0;
  }
  Workspace ws;
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<LocalHttpClient> client;
};

TEST_F(SignatureE2E, signed_traits_search_gets_cr_00_and_a_verifiable_signature) {
  ASSERT_FALSE(find_xmlsec1().empty()) << "xmlsec1 missing (scripts/install-deps); never skipped";
  start(true);
  auto a = post_recherche(*client, recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26"));
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "00");
  EXPECT_EQ(a.body["ins"]["matricule"], "297022A020778");
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["has_wsse_security"], true);
  EXPECT_EQ(journal[0]["xml_signature"], true);
  EXPECT_EQ(journal[0]["nom_naissance"], "ADRTROIS");
  const std::string sent = journal[0]["request_xml"];
  EXPECT_THAT(sent, HasSubstr("<wsse:BinarySecurityToken"));
  EXPECT_THAT(sent, HasSubstr("xmldsig-more#ecdsa-sha256"));
  std::string log;
  EXPECT_TRUE(verify(sent, log)) << log << "\n" << sent;
  EXPECT_THAT(daemon->log(), HasSubstr("[APP_XML_SIGNATURE]"));
}

TEST_F(SignatureE2E, first_name_loop_signs_every_call) {
  start(true);
  auto a = post_recherche(*client,
                          recherche_body("TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21"));
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "00");
  EXPECT_EQ(a.body["appels_insi"], 2);
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 2u);
  for (const auto& j : journal) EXPECT_EQ(j["xml_signature"], true) << j.dump();
  EXPECT_NE(journal[0]["message_id"], journal[1]["message_id"]);
}

TEST_F(SignatureE2E, signed_vitale_search_without_assertion_gets_cr_00) {
  start(true);
  auto a = post_vitale({{"operateur", "u-test"}, {"vitale", card()}});
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["cr"], "00");
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["xml_signature"], true);
  EXPECT_EQ(journal[0]["vitale_matricule_od"], "1750763220112");
}

TEST_F(SignatureE2E, vitale_assertion_with_signature_is_refused_without_calling_insi) {
  start(true);
  const std::string b64 =  // <saml2:Assertion xmlns:saml2="..." ID="_v1">carte</saml2:Assertion>
      "PHNhbWwyOkFzc2VydGlvbiB4bWxuczpzYW1sMj0idXJuOm9hc2lzOm5hbWVzOnRjOlNBTUw6Mi4wOmFzc2VydGlvbiIg"
      "SUQ9Il92MSI+Y2FydGU8L3NhbWwyOkFzc2VydGlvbj4=";
  auto a = post_vitale({{"operateur", "u-test"}, {"vitale", card()}, {"assertion_vitale", b64}});
  EXPECT_EQ(a.status, 400u) << a.raw.body;
  EXPECT_EQ(a.body["code"], "requete_invalide");
  EXPECT_THAT(a.raw.body, HasSubstr("insi.signature_xml"));
  EXPECT_TRUE(sim->journal().empty()) << "no half-signed envelope may reach INSi";
  EXPECT_THAT(daemon->log(), ::testing::Not(HasSubstr("1750763220112")));
}

TEST_F(SignatureE2E, off_sends_no_wsse_security) {
  start(false);
  auto a = post_recherche(*client, recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26"));
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["has_wsse_security"], false);
  EXPECT_EQ(journal[0]["xml_signature"], false);
  EXPECT_FALSE(journal[0].contains("request_xml"));
  EXPECT_THAT(daemon->log(), ::testing::Not(HasSubstr("[APP_XML_SIGNATURE]")));
}

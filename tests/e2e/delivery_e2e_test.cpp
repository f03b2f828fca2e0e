// End to end: a qualified identity flows from POST /v1/ins/qualification to
// both bundled plugins (spool HL7, dmp-fhir over HTTPS), and no event is lost
// when insgated is killed with SIGKILL at random points (issue #5).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "e2e_env.hpp"
#include "validators.hpp"
#include "https_capture_server.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Person = DatasetPerson;
constexpr auto& kPersons = kCr00Persons;

void retrieve_and_qualify(LocalHttpClient& c, const Person& p, int n) {
  ASSERT_EQ(post_recherche(c, recherche_body(p.nom, {p.prenom}, p.sexe, p.date)).status, 200u);
  json q = {{"operateur", "u-test"},
            {"ins", {{"matricule", p.matricule}, {"cle", p.cle}, {"oid", "1.2.250.1.213.1.4.8"}}},
            {"piece_identite", {{"type", "PASSEPORT"}, {"verifiee_le", "2026-01-15"}}},
            {"identifiant_local", "IPP-" + std::to_string(n)}};
  auto a = post_json(c, "/v1/ins/qualification", q);
  ASSERT_EQ(a.status, 200u) << a.raw.body;
}

std::size_t delivered(LocalHttpClient& c) {
  auto j = json::parse(c.request(insgate::http::verb::get, "/v1/outbox?etat=delivered&limite=1000").body);
  return j["evenements"].size();
}

}  // namespace

TEST(DeliveryE2E, qualified_identity_reaches_spool_and_dmp_fhir) {
  Workspace ws;
  Simulator sim(ws, "sim");
  TestServer dmp(ws.dir() + "/pki", 201);
  fs::create_directories(ws.path("spool"));
  DaemonOptions opt;
  opt.port = sim.port();
  opt.top_extra = std::string("plugins:\n") + "  - {nom: spool, chemin: " + INSGATE_PLUGIN_SPOOL +
                  ", config: {repertoire: " + ws.path("spool") + ", format: hl7}}\n" +
                  "  - {nom: dmp, chemin: " + INSGATE_PLUGIN_DMP_FHIR +
                  ", config: {url: \"https://localhost:" + std::to_string(dmp.port()) +
                  "/fhir/Patient\", ca: " + ws.pki("ca.pem") +
                  ", systeme_identifiant_local: \"urn:oid:1.2.250.1.999.1\"}}\n";
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  retrieve_and_qualify(c, kPersons[0], 1);

  ASSERT_TRUE(wait_until([&] { return delivered(c) == 2; })) << d.log();
  // spool: one HL7 ADT^A31 with the INS in PID-3 and VALI in PID-32.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(ws.path("spool")))
    if (e.path().filename().string()[0] != '.') files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  std::string hl7 = read_file(files[0].string());
  EXPECT_NE(hl7.find("ADT^A31"), std::string::npos);
  EXPECT_NE(hl7.find("109076322083489^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"),
            std::string::npos) << hl7;
  EXPECT_NE(hl7.find("VALI"), std::string::npos);
  // dmp-fhir: one FR Core Patient over HTTPS.
  auto requests = dmp.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  auto patient = json::parse(requests[0].body);
  EXPECT_EQ(patient["resourceType"], "Patient");
  EXPECT_EQ(patient["identifier"][0]["system"], "urn:oid:1.2.250.1.213.1.4.8");
  EXPECT_EQ(patient["identifier"][0]["value"], "109076322083489");

  // Issue 20: the real outputs through the independent validators, with
  // what the daemon knows about the identity (INSi call, document).
  auto leaves = run_validator("hl7_adt_a31.py", {files[0].string(), "--leaves"},
                              ws.path("hl7.log"));
  ASSERT_EQ(leaves.exit_code, 0) << leaves.output;
  const auto fields = json::parse(leaves.output.substr(0, leaves.output.find('\n')))["fields"];
  EXPECT_LE(fields["MSH.F10"].get<std::string>().size(), 20u);
  EXPECT_EQ(fields["MSH.F12.C3"], "2.11");
  EXPECT_EQ(fields["PID.F11.C6"], "FRA");
  EXPECT_EQ(fields["ZFD.F4"], "N");
  EXPECT_EQ(fields["ZFD.F5"], "INSI");
  EXPECT_EQ(fields["ZFD.F6"].get<std::string>().size(), 14u) << "date of the INSi call";
  EXPECT_EQ(fields["ZFD.F7"], "PA") << "the PASSEPORT of the qualification";
  write_text(ws.path("patient.json"), requests[0].body);
  auto fhir = run_validator("fhir_patient.py", {fhir_r4_schema(), ws.path("patient.json")},
                            ws.path("fhir.log"));
  EXPECT_EQ(fhir.exit_code, 0) << fhir.output;
  EXPECT_EQ(patient["identifier"][1]["system"], "urn:oid:1.2.250.1.999.1");
  EXPECT_NE(requests[0].body.find(R"({"url":"validationDate","valueDate":"2026-01-15"})"),
            std::string::npos) << requests[0].body;
}

TEST(DeliveryE2E, no_event_is_lost_when_killed_at_random_points) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.top_extra = std::string("plugins:\n  - {nom: dmp, chemin: ") + INSGATE_FIXTURE_GOOD +
                  ", config: {output: " + ws.path("plugin.out") + "}}\noutbox: {attente_ms: 50}\n";
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(0, 40);
  int n = 0;
  for (const auto& p : kPersons) {
    Daemon d(ws, "insgated", opt);
    LocalHttpClient c(d.socket());
    retrieve_and_qualify(c, p, ++n);
    // Kill before, during or after the delivery of this event.
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    d.stop(9);
  }
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  ASSERT_TRUE(wait_until([&] { return delivered(c) == std::size(kPersons); })) << d.log();
  std::string out = read_file(ws.path("plugin.out"));
  for (const auto& p : kPersons)
    EXPECT_NE(out.find(std::string("ins=") + p.matricule + "|" + p.cle), std::string::npos)
        << p.nom << " " << p.prenom << " never delivered";
}

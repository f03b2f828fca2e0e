// End to end: durable state (issue #5) — cache, qualification, outbox
// delivery to a plugin, restart and kill -9 durability.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

namespace {

json ecetinsi_body() { return recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14"); }

json qualification_body(const std::string& cle = "89") {
  return {{"operateur", "u-test"},
          {"ins", {{"matricule", "1090763220834"}, {"cle", cle}, {"oid", "1.2.250.1.213.1.4.8"}}},
          {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-15"}}},
          {"identifiant_local", "IPP-000123"}};
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

std::string good_plugin(const Workspace& ws, const std::string& answer) {
  return std::string("plugins:\n  - {nom: dmp, chemin: ") + INSGATE_FIXTURE_GOOD +
         ", config: {output: " + ws.path("plugin.out") + ", answer: " + answer + "}}\n" +
         "outbox: {attente_ms: 100}\n";
}

}  // namespace

class StateE2E : public ::testing::Test {
 protected:
  Workspace ws;
};

TEST_F(StateE2E, second_recherche_is_answered_from_the_cache_and_bypass_forces_a_call) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.cache_ttl_s = 3600;
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto first = post_recherche(c, ecetinsi_body());
  ASSERT_EQ(first.status, 200u);
  EXPECT_EQ(first.body["source"], "insi");
  auto second = post_recherche(c, recherche_body("Ecetinsi", {"Pierre-Alain"}, "m", "2009-07-14"));
  ASSERT_EQ(second.status, 200u);
  EXPECT_EQ(second.body["source"], "cache");
  EXPECT_EQ(second.body["appels_insi"], 0);
  EXPECT_EQ(second.body["ins"]["matricule"], "1090763220834");
  EXPECT_EQ(sim.journal().size(), 1u);
  auto body = ecetinsi_body();
  body["cache"] = "bypass";
  auto third = post_recherche(c, body);
  EXPECT_EQ(third.body["source"], "insi");
  EXPECT_EQ(sim.journal().size(), 2u);
}

TEST_F(StateE2E, cr01_faults_and_answers_with_anomalies_are_never_cached) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.cache_ttl_s = 3600;
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(post_recherche(c, recherche_body("HOUILLES", {"PIERRE"}, "M", "1993-01-27"))
                  .body["source"], "insi");
    EXPECT_EQ(post_recherche(c, recherche_body("HERMANN", {"GATIEN"}, "M", "1981-03-24"))
                  .body["source"], "insi");
  }
  EXPECT_EQ(sim.journal().size(), 4u);
}

TEST_F(StateE2E, cache_survives_a_restart) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.cache_ttl_s = 3600;
  {
    Daemon d(ws, "insgated", opt);
    LocalHttpClient c(d.socket());
    ASSERT_EQ(post_recherche(c, ecetinsi_body()).body["source"], "insi");
  }
  Daemon again(ws, "insgated", opt);
  LocalHttpClient c(again.socket());
  EXPECT_EQ(post_recherche(c, ecetinsi_body()).body["source"], "cache");
  EXPECT_EQ(sim.journal().size(), 1u);
}

TEST_F(StateE2E, qualification_needs_an_ins_retrieved_via_insi) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto refused = post_json(c, "/v1/ins/qualification", qualification_body());
  EXPECT_EQ(refused.status, 409u) << refused.raw.body;
  EXPECT_EQ(refused.body["code"], "statut_incompatible");
  auto bad_key = post_json(c, "/v1/ins/qualification", qualification_body("88"));
  EXPECT_EQ(bad_key.status, 422u);
}

TEST_F(StateE2E, qualified_identity_reaches_the_plugin_through_the_outbox) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.top_extra = good_plugin(ws, "ok");
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, ecetinsi_body()).body["statut"], "recuperee");
  auto q = post_json(c, "/v1/ins/qualification", qualification_body());
  ASSERT_EQ(q.status, 200u) << q.raw.body;
  EXPECT_EQ(q.body["statut"], "qualifiee");
  EXPECT_EQ(q.body["mssante"], "109076322083489@patient.mssante.fr");
  EXPECT_EQ(q.body["evenement_emis"], true);
  ASSERT_TRUE(wait_until([&] { return read_file(ws.path("plugin.out")).find("ins=") != std::string::npos; }));
  std::string out = read_file(ws.path("plugin.out"));
  EXPECT_NE(out.find("ins=1090763220834|89|1.2.250.1.213.1.4.8"), std::string::npos) << out;
  EXPECT_NE(out.find("rniv_status=qualifiee"), std::string::npos);
  EXPECT_NE(out.find("local_id=IPP-000123"), std::string::npos);
  auto listing = c.request(insgate::http::verb::get, "/v1/outbox?etat=delivered");
  ASSERT_EQ(listing.status, 200u);
  auto j = json::parse(listing.body);
  ASSERT_EQ(j["evenements"].size(), 1u);
  EXPECT_EQ(j["evenements"][0]["plugin"], "dmp");
  EXPECT_EQ(listing.body.find("1090763220834"), std::string::npos) << "no identity in listings";
}

TEST_F(StateE2E, connector_down_then_killed_daemon_still_delivers_after_restart) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.top_extra = good_plugin(ws, "retry");  // the DMP connector is down
  auto d = std::make_unique<Daemon>(ws, "insgated", opt);
  {
    LocalHttpClient c(d->socket());
    ASSERT_EQ(post_recherche(c, ecetinsi_body()).status, 200u);
    ASSERT_EQ(post_json(c, "/v1/ins/qualification", qualification_body()).status, 200u);
  }
  ASSERT_TRUE(wait_until([&] { return count_of(read_file(ws.path("plugin.out")), "ins=") >= 2; }));
  d->stop(9);  // kill -9 while the event is pending
  opt.top_extra = good_plugin(ws, "ok");  // the connector is back
  d = std::make_unique<Daemon>(ws, "insgated", opt);
  LocalHttpClient c(d->socket());
  ASSERT_TRUE(wait_until([&] {
    auto j = json::parse(c.request(insgate::http::verb::get, "/v1/outbox?etat=delivered").body);
    return j["evenements"].size() == 1;
  }));
  auto pending = json::parse(c.request(insgate::http::verb::get, "/v1/outbox?etat=pending").body);
  EXPECT_TRUE(pending["evenements"].empty());
  // At least once, same idempotency key every time.
  std::istringstream in(read_file(ws.path("plugin.out")));
  std::set<std::string> keys;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("idempotency_key=", 0) == 0) keys.insert(line);
  EXPECT_EQ(keys.size(), 1u);
}

TEST_F(StateE2E, permanent_failure_goes_to_the_dead_letters_and_can_be_retried) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.top_extra = good_plugin(ws, "permanent");
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, ecetinsi_body()).status, 200u);
  ASSERT_EQ(post_json(c, "/v1/ins/qualification", qualification_body()).status, 200u);
  json dead;
  ASSERT_TRUE(wait_until([&] {
    dead = json::parse(c.request(insgate::http::verb::get, "/v1/outbox?etat=dead").body);
    return dead["evenements"].size() == 1;
  }));
  auto id = dead["evenements"][0]["id"].get<long>();
  auto retried = post_json(c, "/v1/outbox/retry", {{"id", id}});
  EXPECT_EQ(retried.status, 200u);
  EXPECT_EQ(post_json(c, "/v1/outbox/retry", {{"id", 999999}}).status, 404u);
}

// One daemon per state directory: a second one on the same etat.repertoire
// (even on another socket) stops at start-up instead of delivering the same
// outbox events twice.
TEST_F(StateE2E, a_second_daemon_on_the_same_state_directory_is_refused) {
  DaemonOptions opt;
  opt.port = unused_port();
  Daemon first(ws, "insgated", opt);
  std::string cfg = write_daemon_config(ws, "second", opt);
  std::string text = read_file(cfg);
  const std::string theirs = ws.path("second.etat"), ours = ws.path("insgated.etat");
  text.replace(text.find(theirs), theirs.size(), ours);
  std::ofstream(cfg) << text;
  std::string log = ws.path("second.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--config", cfg}, log);
  EXPECT_NE(rc, 0);
  EXPECT_NE(read_file(log).find("in use by another insgated"), std::string::npos) << read_file(log);
  LocalHttpClient c(first.socket());
  EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/health").status, 200u);
}

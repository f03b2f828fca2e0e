// End to end: fault policy, circuit breaker and connection reuse (issue #4;
// insi-protocol.md §7; local-api.md Errors).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <set>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

namespace {

json health(const Daemon& d) {
  LocalHttpClient c(d.socket());
  return json::parse(c.request(insgate::http::verb::get, "/v1/health").body);
}

}  // namespace

class ResilienceE2E : public ::testing::Test {
 protected:
  Workspace ws;
};

TEST_F(ResilienceE2E, siram_40_is_retried_twice_with_fresh_message_ids) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto a = post_recherche(c, recherche_body("INDISPONIBLE", {"MARC"}, "M", "1990-01-01"));
  EXPECT_EQ(a.status, 503u);
  EXPECT_EQ(a.body["insi_sous_code"], "siram_40");
  EXPECT_EQ(a.body["appels_insi"], 3);
  auto journal = sim.journal();
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_NE(journal[0]["message_id"], journal[1]["message_id"]);
  EXPECT_NE(journal[1]["message_id"], journal[2]["message_id"]);
  EXPECT_EQ(health(d)["insi"]["etat"], "indisponible");
}

// A reset on a kept-alive connection before any answer looks like INSi
// closing it as the message went out: the message is sent again at once
// with a new MessageID, not counted; the next resets are transport failures,
// retried (new MessageIDs) and counted. No MessageID is ever sent twice.
TEST_F(ResilienceE2E, resets_on_a_kept_alive_connection_count_each_message_once) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01")).status,
            200u);  // one kept-alive connection in the pool now
  auto a = post_recherche(c, recherche_body("COUPURE", {"JEAN"}, "M", "1990-01-01"));
  EXPECT_EQ(a.status, 503u) << a.raw.body;
  auto journal = sim.journal();
  // ADRTROIS, then COUPURE: on the kept-alive connection (not counted), then
  // the first call and its two retries.
  ASSERT_EQ(journal.size(), 5u);
  EXPECT_EQ(a.body["appels_insi"], 3);
  std::set<std::string> ids;
  for (const auto& j : journal) ids.insert(j["message_id"].get<std::string>());
  EXPECT_EQ(ids.size(), journal.size()) << "a MessageID was sent twice";
}

TEST_F(ResilienceE2E, siram_100_is_not_retried) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.idam = "UNKNOWN";
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto a = post_recherche(c, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01"));
  EXPECT_EQ(a.status, 502u);
  EXPECT_EQ(a.body["appels_insi"], 1);
  EXPECT_EQ(sim.journal().size(), 1u);
}

// While the circuit is open, a client retrying in a loop gets its 503s but
// does not flood the journal: the refusal is logged once per 10 s.
TEST_F(ResilienceE2E, refusals_while_the_circuit_is_open_are_logged_once_per_period) {
  DaemonOptions opt;
  opt.port = unused_port();
  opt.circuit_failures = 1;
  opt.circuit_cooldown_ms = 60000;
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(post_recherche(c, body).status, 503u);
  const std::string log = d.log();
  const std::string refusal = "circuit open after repeated transport failures";
  int lines = 0;
  for (auto p = log.find(refusal); p != std::string::npos; p = log.find(refusal, p + 1)) ++lines;
  EXPECT_EQ(lines, 1) << "49 refusals, one line";
}

TEST_F(ResilienceE2E, circuit_opens_answers_503_at_once_then_recovers_without_restart) {
  int port = unused_port();
  DaemonOptions opt;
  opt.port = port;
  opt.circuit_failures = 2;
  opt.circuit_cooldown_ms = 700;
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01");
  auto first = post_recherche(c, body);
  EXPECT_EQ(first.status, 503u);
  auto second = post_recherche(c, body);
  EXPECT_EQ(second.status, 503u);
  EXPECT_EQ(second.body["circuit"], "ouvert");
  EXPECT_EQ(second.body["appels_insi"], 0);
  EXPECT_FALSE(second.raw.retry_after.empty());
  EXPECT_EQ(health(d)["insi"]["etat"], "circuit_ouvert");

  Simulator sim(ws, "sim", "server", port);  // INSi is back
  ASSERT_TRUE(wait_until([&] { return health(d)["insi"]["circuit"] == "demi_ouvert"; },
                         std::chrono::seconds(5)));
  auto probe = post_recherche(c, body);
  EXPECT_EQ(probe.status, 200u) << probe.raw.body;
  EXPECT_EQ(health(d)["insi"]["etat"], "ok");
}

TEST_F(ResilienceE2E, hundred_sequential_recherches_use_at_most_two_tls_handshakes) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  for (int i = 0; i < 100; ++i) {
    auto a = post_recherche(c, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01"));
    ASSERT_EQ(a.status, 200u);
  }
  int handshakes = 0;
  auto journal = sim.journal();
  ASSERT_EQ(journal.size(), 100u);
  for (const auto& line : journal) handshakes += line["handshake"].get<bool>() ? 1 : 0;
  EXPECT_LE(handshakes, 2);
}

TEST_F(ResilienceE2E, connection_closed_by_insi_between_calls_is_replaced_transparently) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.retries = 0;
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01");
  ASSERT_EQ(post_recherche(c, body).status, 200u);
  sim.stop();
  Simulator again(ws, "sim2", "server", sim.port());  // same port, pooled connection now dead
  auto a = post_recherche(c, body);
  EXPECT_EQ(a.status, 200u) << a.raw.body;
}

TEST_F(ResilienceE2E, rejeu_answers_listed_persons_from_recorded_files_only) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.insi_extra = std::string("  rejeu:\n    repertoire: ") + INSGATE_SHARED_DIR +
                   "/insi/recorded\n    reponses:\n"
                   "      - {nom_naissance: PROVISOIRE, prenom: MATRICULE, sexe: M, "
                   "date_naissance: \"2009-07-01\", fichier: TEST_2.05.xml}\n"
                   "      - {nom_naissance: PANNE, prenom: TEST, sexe: F, "
                   "date_naissance: \"1990-01-01\", fichier: "
                   "extracted-from-ts/FAULT_siram_100_desir_550_unknown_IDAM_2026.xml}\n";
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto a = post_recherche(c, recherche_body("PROVISOIRE", {"MATRICULE"}, "M", "2009-07-01"));
  ASSERT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["ins"]["matricule"], "1090763220888");
  EXPECT_EQ(a.body["ins"]["type"], "NIA");
  auto f = post_recherche(c, recherche_body("PANNE", {"TEST"}, "F", "1990-01-01"));
  EXPECT_EQ(f.status, 502u);
  EXPECT_EQ(f.body["insi_code"], "desir_550");
  EXPECT_TRUE(sim.journal().empty()) << "replayed persons never reach INSi";
  auto other = post_recherche(c, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01"));
  EXPECT_EQ(other.status, 200u);
  EXPECT_EQ(sim.journal().size(), 1u);
}

// End to end: what care software sees when INSi refuses, is down, is slow,
// or is not who it claims to be (local-api.md Errors, insi-protocol.md §2.3, §7).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;

namespace {

Answer ask(const Daemon& d, const std::string& nom, const std::string& prenom,
           const std::string& sexe, const std::string& date) {
  LocalHttpClient c(d.socket(), std::chrono::seconds(30));
  return post_recherche(c, recherche_body(nom, {prenom}, sexe, date));
}

}  // namespace

class FailuresE2E : public ::testing::Test {
 protected:
  Workspace ws;
};

TEST_F(FailuresE2E, client_certificate_with_another_cn_gives_502_desir_560) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.client = "client-badcn";
  Daemon d(ws, "insgated", opt);
  auto a = ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01");
  EXPECT_EQ(a.status, 502u) << a.raw.body;
  EXPECT_EQ(a.body["code"], "insi_erreur");
  EXPECT_EQ(a.body["insi_code"], "DESIR_560");
}

TEST_F(FailuresE2E, unknown_idam_gives_502_desir_550) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.idam = "UNKNOWN";
  Daemon d(ws, "insgated", opt);
  auto a = ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01");
  EXPECT_EQ(a.status, 502u) << a.raw.body;
  EXPECT_EQ(a.body["insi_sous_code"], "siram_100");
  EXPECT_EQ(a.body["insi_code"], "desir_550");
  EXPECT_EQ(a.body["insi_severite"], "erreur");
}

TEST_F(FailuresE2E, stopped_simulator_gives_503_with_retry_after) {
  DaemonOptions opt;
  opt.port = unused_port();
  Daemon d(ws, "insgated", opt);
  auto a = ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01");
  EXPECT_EQ(a.status, 503u) << a.raw.body;
  EXPECT_EQ(a.body["code"], "insi_indisponible");
  EXPECT_FALSE(a.raw.retry_after.empty());
  LocalHttpClient c(d.socket());
  auto health = nlohmann::json::parse(c.request(insgate::http::verb::get, "/v1/health").body);
  EXPECT_EQ(health["insi"]["etat"], "indisponible");
}

TEST_F(FailuresE2E, simulator_stopped_after_start_gives_503) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  EXPECT_EQ(ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01").status, 200u);
  sim.stop();
  auto a = ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01");
  EXPECT_EQ(a.status, 503u) << a.raw.body;
}

TEST_F(FailuresE2E, slow_simulator_gives_504_within_the_call_deadline) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.call_ms = 800;
  Daemon d(ws, "insgated", opt);
  auto started = std::chrono::steady_clock::now();
  auto a = ask(d, "LENT", "PAUL", "M", "1990-01-01");
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(a.status, 504u) << a.raw.body;
  EXPECT_EQ(a.body["code"], "insi_delai_depasse");
  EXPECT_LT(elapsed, std::chrono::seconds(4));
  // The daemon still answers, and the next call works.
  EXPECT_EQ(ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01").status, 200u);
}

TEST_F(FailuresE2E, connection_reset_by_insi_gives_503) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  auto a = ask(d, "COUPURE", "JEAN", "M", "1990-01-01");
  EXPECT_EQ(a.status, 503u) << a.raw.body;
}

TEST_F(FailuresE2E, server_certificate_for_another_host_is_refused) {
  Simulator sim(ws, "sim-otherhost", "server-otherhost");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  auto a = ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01");
  EXPECT_EQ(a.status, 503u) << a.raw.body;
  EXPECT_NE(a.body["detail"].get<std::string>().find("TLS"), std::string::npos);
  EXPECT_TRUE(sim.journal().empty()) << "no request may reach an unverified server";
}

TEST_F(FailuresE2E, daemon_logs_carry_no_identity_traits) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  ASSERT_EQ(ask(d, "ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14").status, 200u);
  std::string log = d.log();
  for (const char* secret : {"ECETINSI", "PIERRE-ALAIN", "2009-07-14", "1090763220834"})
    EXPECT_EQ(log.find(secret), std::string::npos) << secret << " found in the daemon log";
}

// SIGTERM while a request waits on an INSi that does not answer: after the
// stop drain (5 s) the caller gets a 503 arret_en_cours, not a connection
// closed without an answer, and the request is in the log.
TEST_F(FailuresE2E, sigterm_answers_a_request_still_waiting_on_insi_with_503) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.call_ms = 20000;
  opt.request_ms = 30000;
  Daemon d(ws, "insgated", opt);
  // A kept-alive TLS connection to INSi, then INSi hangs (SIGSTOP).
  ASSERT_EQ(ask(d, "ADRTROIS", "TOUSSAINT", "M", "1960-01-01").status, 200u);
  sim.signal(SIGSTOP);
  Answer a;
  auto started = std::chrono::steady_clock::now();
  std::thread caller([&] { a = ask(d, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  d.signal(SIGTERM);
  caller.join();
  auto elapsed = std::chrono::steady_clock::now() - started;
  // The process is gone soon after that last answer, and says so.
  auto answered = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_until([&] { return !d.running(); }, std::chrono::seconds(10)));
  RecordProperty("exit_after_answer_ms",
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - answered)
                                    .count()));
  EXPECT_LT(std::chrono::steady_clock::now() - answered, std::chrono::seconds(2));
  sim.signal(SIGCONT);
  EXPECT_EQ(a.status, 503u) << a.raw.body;
  EXPECT_EQ(a.body["code"], "arret_en_cours");
  EXPECT_LT(elapsed, std::chrono::seconds(9));
  EXPECT_NE(d.log().find("answered at stop before INSi did"), std::string::npos);
  EXPECT_NE(d.log().find("[APP_STOP] insgated stopped"), std::string::npos) << d.log();
}

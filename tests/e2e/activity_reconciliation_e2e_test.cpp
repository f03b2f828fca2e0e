// End to end (issue #11): every figure the daemon reports about INSi calls
// can be reproduced from what INSi received — insi-sim's journal, one line
// per SOAP message it read. A scripted month: first-name loops (1 to 3
// messages), retries after siram_40, a connection refused at start, a TLS
// refusal, a TLS handshake that times out (deadline before sending), a
// circuit-open refusal, a reset after sending, a deadline while waiting for
// the answer, a truncated answer, cache hits, a vérification and a carte
// Vitale search, with a daemon restart in the middle. For each request,
// `appels_insi` equals the messages the journal gained; at the end the
// month's report columns equal the journal's totals by operation, and the
// Prometheus INSi call counter those of each daemon's run.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <csignal>
#include <ctime>
#include <future>
#include <sstream>
#include <thread>

#include "e2e_env.hpp"
#include "insi/insi_messages.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

/// Sum of the samples of `family` whose line holds every one of `labels`.
double total(const std::string& text, const std::string& family,
             const std::vector<std::string>& labels = {}) {
  double sum = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(family + "{", 0) != 0 && line.rfind(family + " ", 0) != 0) continue;
    bool all = true;
    for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

/// Messages of the journal by operation, as INSi counts them.
struct JournalTotals {
  int traits = 0, vitale = 0, other = 0;
  int all() const { return traits + vitale + other; }
};

JournalTotals totals(const std::vector<json>& lines, std::size_t from = 0) {
  JournalTotals t;
  for (std::size_t i = from; i < lines.size(); ++i) {
    const std::string action = lines[i].value("action", "");
    if (action == insgate::insi::kActionRechercheTraits) ++t.traits;
    else if (action == insgate::insi::kActionRechercheVitale) ++t.vitale;
    else ++t.other;
  }
  return t;
}

const json kEcetinsiTraits = {{"nom_naissance", "ECETINSI"},
                              {"prenoms", {"PIERRE-ALAIN"}},
                              {"sexe", "M"},
                              {"date_naissance", "2009-07-14"}};

json verification_body() {
  return {{"operateur", "u-verif"},
          {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
          {"traits", kEcetinsiTraits}};
}

json vitale_body() {
  return {{"operateur", "u-accueil"},
          {"vitale",
           {{"nir_ouvrant_droit", {{"matricule", "1750763220112"}}},
            {"date_naissance", "2009-07-14"},
            {"rang_naissance", "1"}}}};
}

json bypass(json body) {
  body["cache"] = "bypass";
  return body;
}

class ActivityReconciliationE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    opt.port = unused_port();       // INSi is not listening yet
    opt.call_ms = 800;              // LENT answers after 5 s
    opt.backoff_ms = 400;
    opt.circuit_failures = 10;
    opt.circuit_cooldown_ms = 1500;
    opt.cache_ttl_s = 3600;
    start_daemon();
  }

  void start_daemon() {
    daemon = std::make_unique<Daemon>(ws, "insgated", opt);
    client = std::make_unique<LocalHttpClient>(daemon->socket(), std::chrono::seconds(30));
  }

  void restart_daemon() {
    client.reset();
    daemon->stop(SIGTERM);  // counters are written at stop
    daemon.reset();
    start_daemon();
  }

  std::size_t journal_size() const { return sim ? sim->journal().size() : 0; }

  /// Sends one request and checks that its appels_insi is the number of
  /// messages INSi received meanwhile.
  Answer step(const std::string& what, const std::string& path, const json& body,
              unsigned expected_status) {
    const std::size_t before = journal_size();
    Answer a = post_json(*client, path, body);
    return check(what, a, before, path == "/v1/ins/verification", expected_status);
  }

  Answer check(const std::string& what, const Answer& a, std::size_t before, bool verification,
               unsigned expected_status) {
    const int messages = static_cast<int>(journal_size() - before);
    EXPECT_EQ(a.status, expected_status) << what << ": " << a.raw.body;
    EXPECT_TRUE(a.body.contains("appels_insi")) << what << ": " << a.raw.body;
    const int appels = a.body.value("appels_insi", -1);
    EXPECT_EQ(appels, messages) << what << ": appels_insi is not what INSi received";
    appels_total += std::max(appels, 0);
    if (appels > 0) ++requetes_insi;
    if (appels > 0 && verification) ++requetes_verification;
    if (a.body.value("source", "") == "cache") ++cache_hits;
    else ++insi_requests;
    return a;
  }

  /// The metrics text of the running daemon.
  std::string scrape() { return scrape_metrics(ws, *daemon); }

  /// The Prometheus INSi call counter against the journal lines since `from`.
  void reconcile_metrics(const std::string& phase, std::size_t from) {
    const std::string text = scrape();
    const JournalTotals t = totals(sim->journal(), from);
    EXPECT_EQ(total(text, "insgate_insi_calls_total"), t.all()) << phase;
    EXPECT_EQ(total(text, "insgate_insi_calls_total", {"operation=\"recuperation_traits\""}),
              t.traits)
        << phase;
    EXPECT_EQ(total(text, "insgate_insi_calls_total", {"operation=\"recuperation_vitale\""}),
              t.vitale)
        << phase;
    EXPECT_EQ(total(text, "insgate_insi_calls_total", {"operation=\"verification\""}), t.other)
        << phase;
    EXPECT_EQ(total(text, "insgate_insi_call_duration_seconds_count"), t.all()) << phase;
    EXPECT_EQ(total(text, "insgate_api_insi_requests_total"), insi_requests - phase_requests)
        << phase << ": one per request that needed INSi";
    phase_requests = insi_requests;
  }

  Workspace ws;
  DaemonOptions opt;
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<LocalHttpClient> client;
  int appels_total = 0, requetes_insi = 0, requetes_verification = 0, cache_hits = 0;
  int insi_requests = 0, phase_requests = 0;
};

}  // namespace

TEST_F(ActivityReconciliationE2E, every_reported_call_is_a_message_insi_received) {
  const json toussaint = recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01");
  const json zoe = recherche_body("ADRUN", {"ZOE"}, "F", "1975-12-31");

  // ---- Connection refused at start: INSi is not listening. ----
  step("connection refused", "/v1/ins/recherche", zoe, 503);
  // The case: refused first, INSi starts during the retries.
  {
    const std::size_t before = 0;
    auto pending = std::async(std::launch::async, [&] {
      LocalHttpClient c(daemon->socket(), std::chrono::seconds(30));
      return post_recherche(c, recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14"));
    });
    std::this_thread::sleep_for(50ms);
    sim = std::make_unique<Simulator>(ws, "sim", "server", opt.port);
    Answer a = pending.get();
    const unsigned status = a.status;
    check("refused then INSi up", a, before, false, status);
    EXPECT_LE(a.body.value("appels_insi", -1), 1) << "one CR 00 ends the request";
  }

  // ---- First-name loops: 1, 2 and 3 messages. ----
  step("one first name", "/v1/ins/recherche", toussaint, 200);
  step("two first names", "/v1/ins/recherche",
       recherche_body("TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21"), 200);
  step("two first names then both", "/v1/ins/recherche",
       recherche_body("HOUILLES", {"JEAN", "PAUL"}, "M", "1993-01-27"), 200);
  // ---- siram_40: each retry is a new message. ----
  step("siram_40 retried", "/v1/ins/recherche",
       recherche_body("INDISPONIBLE", {"MARC"}, "M", "1990-01-01"), 503);
  // ---- Cache hit: no message. ----
  EXPECT_EQ(step("cache hit", "/v1/ins/recherche", toussaint, 200).body["source"], "cache");
  // ---- Vérification (by comparison: a récupération for INSi). ----
  step("verification", "/v1/ins/verification", verification_body(), 200);
  step("carte Vitale", "/v1/ins/recherche-vitale", vitale_body(), 200);
  // ---- Truncated answer: the messages were sent, they are calls. ----
  step("truncated answer", "/v1/ins/recherche",
       recherche_body("TRONQUE", {"LUC"}, "M", "1990-01-01"), 503);
  step("one first name, bypassing the cache", "/v1/ins/recherche",
       bypass(recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14")), 200);
  // ---- Deadline while waiting for the answer: calls. ----
  step("deadline while waiting", "/v1/ins/recherche",
       recherche_body("LENT", {"PAUL"}, "M", "1990-01-01"), 504);
  // ---- Reset after sending (new connections: LENT's were closed): calls. ----
  step("reset after sending", "/v1/ins/recherche",
       recherche_body("COUPURE", {"JEAN"}, "M", "1990-01-01"), 503);
  // ---- INSi hangs: the TLS handshakes time out, the deadline is reached
  //      before any message is sent. ----
  sim->signal(SIGSTOP);
  {
    const std::size_t before = journal_size();
    Answer a = post_recherche(*client, zoe);
    sim->signal(SIGCONT);
    std::this_thread::sleep_for(300ms);  // whatever INSi had queued is journaled by now
    check("deadline before sending", a, before, false, 504);
  }
  // ---- TLS refusal, then the circuit opens and refuses at once: the
  //      structure's own breaker (issue 12), after circuit_failures
  //      consecutive refused handshakes (a TLS refusal is not retried). ----
  sim->refuse_tls(true);
  for (int i = 0; i < opt.circuit_failures; ++i)
    step("TLS refusal " + std::to_string(i + 1), "/v1/ins/recherche", zoe, 503);
  Answer open = step("circuit open", "/v1/ins/recherche", zoe, 503);
  EXPECT_EQ(open.body.value("circuit", ""), "ouvert") << open.raw.body;
  sim->refuse_tls(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(opt.circuit_cooldown_ms + 200));
  step("probe after the cool-down", "/v1/ins/recherche", zoe, 200);

  const std::size_t phase1_journal = journal_size();
  {
    const std::string text = scrape();
    reconcile_metrics("before the restart", 0);
    const std::string failures = "insgate_insi_transport_failures_total";
    EXPECT_GE(total(text, failures, {"stage=\"connect\""}), 3) << "refused at start";
    EXPECT_EQ(total(text, failures, {"stage=\"tls\""}), 3 + opt.circuit_failures)
        << "timed out, then refused";
    EXPECT_EQ(total(text, failures, {"stage=\"receive\""}), 3 + 3 + 3)
        << "truncated, late, reset: messages sent";
    EXPECT_EQ(total(text, failures, {"stage=\"send\""}), 0);
    EXPECT_EQ(total(text, "insgate_insi_calls_not_made_total", {"reason=\"circuit_open\""}), 1);
  }

  // ---- Restart in the middle of the month. ----
  restart_daemon();
  step("reset after sending, after the restart", "/v1/ins/recherche",
       recherche_body("COUPURE", {"JEAN"}, "M", "1990-01-01"), 503);
  EXPECT_EQ(step("cache hit after the restart", "/v1/ins/recherche", toussaint, 200)
                .body["source"],
            "cache");
  step("two first names after the restart", "/v1/ins/recherche",
       bypass(recherche_body("TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21")), 200);
  step("siram_40 after the restart", "/v1/ins/recherche",
       recherche_body("INDISPONIBLE", {"MARC"}, "M", "1990-01-01"), 503);
  step("verification after the restart", "/v1/ins/verification", verification_body(), 200);
  step("three messages after the restart", "/v1/ins/recherche",
       recherche_body("HOUILLES", {"JEAN", "PAUL"}, "M", "1993-01-27"), 200);
  step("carte Vitale after the restart", "/v1/ins/recherche-vitale", bypass(vitale_body()), 200);
  reconcile_metrics("after the restart", phase1_journal);

  // ---- The month's report against the whole journal. ----
  const auto journal = sim->journal();
  const JournalTotals t = totals(journal);
  EXPECT_EQ(appels_total, t.all()) << "sum of appels_insi";
  auto r = client->request(insgate::http::verb::get, "/v1/stats/mensuel?mois=" + this_month());
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto report = json::parse(r.body);
  ASSERT_EQ(report["lignes"].size(), 1u) << r.body;
  const auto& l = report["lignes"][0];
  EXPECT_EQ(l["appels_recuperation"], t.traits + t.vitale) << r.body;
  EXPECT_EQ(l["appels_verification"], t.other) << r.body;
  EXPECT_EQ(l["sollicitations_insi"], t.all()) << "every message INSi received";
  EXPECT_EQ(l["sollicitations_insi"].get<int>(),
            l["appels_recuperation"].get<int>() + l["appels_verification"].get<int>());
  EXPECT_EQ(l["detail"]["requetes_insi"], requetes_insi) << r.body;
  EXPECT_EQ(l["detail"]["requetes_verification"], requetes_verification) << r.body;
  EXPECT_EQ(l["detail"]["cache_hits"], cache_hits) << r.body;
  // The CSV carries the same three numbers.
  auto csv = client->request(insgate::http::verb::get,
                             "/v1/stats/mensuel?mois=" + this_month() + "&format=csv");
  ASSERT_EQ(csv.status, 200u);
  const std::string columns = ";" + std::to_string(t.all()) + ";" +
                              std::to_string(t.traits + t.vitale) + ";" +
                              std::to_string(t.other) + ";";
  EXPECT_NE(csv.body.find(columns), std::string::npos) << csv.body;
}

// TLS 1.3: INSi checks the client certificate after the client's side of
// the handshake is done, and refuses it with an alert instead of an answer.
// The message never reached INSi: not a call, and never retried.
TEST(ActivityReconciliationTls, a_client_certificate_refused_after_the_handshake_is_no_call) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.client = "client-otherca";
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket(), std::chrono::seconds(30));
  auto a = post_recherche(c, recherche_body("ADRUN", {"ZOE"}, "F", "1975-12-31"));
  EXPECT_EQ(a.status, 503u) << a.raw.body;
  EXPECT_EQ(a.body.value("appels_insi", -1), 0) << a.raw.body;
  EXPECT_TRUE(sim.journal().empty());
  // The simulator may log its side of the handshake after the daemon has
  // answered: wait for the first refusal line, then leave time for a retry
  // (there must be none) before counting.
  auto refusals = [&sim](std::string& log) {
    log = sim.log();
    std::size_t n = 0;
    for (auto at = log.find("TLS handshake refused"); at != std::string::npos;
         at = log.find("TLS handshake refused", at + 1))
      ++n;
    return n;
  };
  std::string log;
  for (int i = 0; i < 100 && refusals(log) == 0; ++i) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(refusals(log), 1u) << "a TLS refusal is never retried\n" << log;
}

// End to end (issue 12): the monthly report of one insgated serving three
// structures, over two months and a restart, compared byte for byte with a
// CSV written here from what insi-sim's journal saw per certificate subject;
// and a request in flight for a structure that a reload removes.
//
// Month M-1 is the daemon's own clock set back with libfaketime (Debian
// package faketime: LD_PRELOAD, FAKETIME="@start", the clock ticking from
// there): the daemon counts and takes its rate snapshot in the month it
// believes it is in, exactly as it would have on that day. The test PKI is
// generated again under libfaketime 40 days back, so that its certificates
// are already valid on that day (insi-sim runs on the real clock). Month M
// is the real clock, after a restart on the same state directory.
// Spec: local-api.md GET /v1/stats/mensuel; ins-identity-rules.md §6;
// monthly_report.hpp (columns, CSV form).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <string>

#include "e2e_env.hpp"
#include "insi/insi_messages.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kA = "010000001";
constexpr const char* kB = "010000002";
constexpr const char* kC = "2A0000012";
constexpr const char* kFakeTime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

/// Names with a ';' and a '"' (quoted in the CSV) and non-ASCII letters.
std::string structure_a() {
  return "  - finess: \"010000001\"\n    nom: \"EHPAD Les Tilleuls; site Nord\"\n"
         "    categorie: \"500 - EHPAD\"\n"
         "    certificat: {certificat: pki/structure-a.pem, cle: pki/structure-a.key}\n";
}
std::string structure_b() {
  return "  - finess: \"010000002\"\n    nom: 'SSIAD \"Le Val\"'\n    categorie: \"354 - SSIAD\"\n"
         "    certificat: {certificat: pki/structure-b.pem, cle: pki/structure-b.key}\n";
}
std::string structure_c() {
  return "  - finess: \"2A0000012\"\n    nom: \"Résidence Âge d'Or\"\n    categorie: \"500 - EHPAD\"\n"
         "    certificat: {certificat: pki/structure-c.pem, cle: pki/structure-c.key}\n";
}

std::string write_config(const Workspace& ws, int sim_port, const std::string& structures,
                         int call_ms = 5000) {
  const std::string path = ws.path("insgated.yaml");
  std::ofstream(path) << "api:\n  socket: " << ws.path("insgated.sock") << "\n  mode_socket: \"0600\"\n"
                      << "insi:\n  url: https://localhost:" << sim_port << "/lps\n"
                      << "  environnement: test\n  ca: pki/ca.pem\n"
                      << "  delais: {connexion_ms: 2000, appel_ms: " << call_ms
                      << ", requete_ms: " << 3 * call_ms << "}\n"
                      << "structures:\n" << structures
                      << "lps: {idam: \"IDAM-TEST\", instance: \"6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"}\n"
                      << "journal: {niveau: debug}\n"
                      << "etat: {repertoire: " << ws.path("insgated.etat") << "}\n"
                      << "cache: {duree_s: 0}\n"
                      << "metriques: {ecoute: \"127.0.0.1:0\"}\n";
  return path;
}

/// Noon on the last day of the previous month, local time, as libfaketime's
/// FAKETIME "@YYYY-MM-DD hh:mm:ss" wants it; and that month, "AAAA-MM".
struct PreviousMonth {
  std::string faketime;
  std::string iso;
};
PreviousMonth previous_month() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  tm.tm_mday = 0;  // the day before the 1st
  tm.tm_hour = 12;
  tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  localtime_r(&t, &tm);
  char at[32], iso[8];
  std::strftime(at, sizeof at, "@%Y-%m-%d %H:%M:%S", &tm);
  std::strftime(iso, sizeof iso, "%Y-%m", &tm);
  return {at, iso};
}

std::string compact(const std::string& iso) { return iso.substr(0, 4) + iso.substr(5, 2); }


/// INSi calls per FINESS, as INSi counts them, from journal[from, to).
struct Calls {
  int recuperation = 0, verification = 0;
};
std::map<std::string, Calls> calls_by_finess(const std::vector<json>& journal, std::size_t from,
                                             std::size_t to) {
  std::map<std::string, Calls> out;
  for (std::size_t i = from; i < to; ++i) {
    const json& e = journal[i];
    const std::string finess = journal_client_ou(e);
    EXPECT_EQ(e.value("emetteur", ""), finess) << "a call went out over another structure's certificate";
    if (insgate::insi::is_recuperation_action(e.value("action", ""))) ++out[finess].recuperation;
    else ++out[finess].verification;
  }
  return out;
}

json with(json body, const std::string& finess, const std::string& operateur) {
  body["finess"] = finess;
  body["operateur"] = operateur;
  return body;
}

json verification_ecetinsi() {
  return {{"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
          {"traits", {{"nom_naissance", "ECETINSI"}, {"prenoms", {"PIERRE-ALAIN"}}, {"sexe", "M"},
                      {"date_naissance", "2009-07-14"}}}};
}


/// Sends a request that must reach INSi and succeed; remembers its operator
/// under its FINESS (the report's "utilisateurs uniques" are operators).
struct Activity {
  std::map<std::string, std::set<std::string>> operateurs;
  void send(LocalHttpClient& c, const std::string& path, const json& body) {
    Answer a = post_json(c, path, body);
    ASSERT_EQ(a.status, 200u) << path << ": " << a.raw.body;
    ASSERT_GE(a.body.value("appels_insi", 0), 1) << a.raw.body;
    operateurs[body["finess"]].insert(body["operateur"].get<std::string>());
  }
};

/// The expected CSV of one month: the header, then one row per FINESS
/// (FINESS order), the INSi columns from the journal, the operators from
/// the test's own requests, the rate as expected by the scenario.
std::string expected_csv(const std::string& iso, const std::vector<std::string>& finess,
                         const std::map<std::string, Calls>& calls, const Activity& activity,
                         const std::map<std::string, std::string>& taux) {
  static const std::map<std::string, std::string> prefix{
      {kA, "01 - Ain;010000001;\"EHPAD Les Tilleuls; site Nord\";500 - EHPAD;"},
      {kB, "01 - Ain;010000002;\"SSIAD \"\"Le Val\"\"\";354 - SSIAD;"},
      {kC, "2A - Corse-du-Sud;2A0000012;Résidence Âge d'Or;500 - EHPAD;"}};
  std::string out =
      "\xEF\xBB\xBF"
      "Mois;Département;N° FINESS;Structure;Catégorie FINESS;Nombre de sollicitations INSi;"
      "Nombre d'appels à l'opération de récupération;Nombre d'appels à l'opération de "
      "vérification;Nombre d'utilisateurs uniques;Taux d'identités qualifiées (ratio de 0 à 1)\r\n";
  for (const auto& f : finess) {
    const Calls c = calls.count(f) ? calls.at(f) : Calls{};
    const auto ops = activity.operateurs.count(f) ? activity.operateurs.at(f).size() : 0u;
    out += compact(iso) + ";" + prefix.at(f) + std::to_string(c.recuperation + c.verification) +
           ";" + std::to_string(c.recuperation) + ";" + std::to_string(c.verification) + ";" +
           std::to_string(ops) + ";" + taux.at(f) + "\r\n";
  }
  return out;
}

std::string get_csv(LocalHttpClient& c, const std::string& query) {
  auto r = c.request(insgate::http::verb::get, "/v1/stats/mensuel?format=csv&" + query);
  EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  return r.body;
}

}  // namespace

// Three structures, requests for each in month M-1 (the daemon's clock set
// back) and in month M (after a restart on the real clock): the CSV of each
// month, and of one structure (?finess=), is exactly the text the journal
// of insi-sim gives, per certificate subject; M-1's report read after the
// restart is the one read during M-1, byte for byte.
TEST(StructuresReportE2E, monthly_csv_per_finess_over_two_months_and_a_restart_matches_the_journal) {
  ASSERT_EQ(::access(kFakeTime, R_OK), 0)
      << kFakeTime << " missing: scripts/install-deps installs the Debian package faketime";
  Workspace ws;
  // The PKI again, dated 40 days back, so that it is valid on M-1's last day.
  ASSERT_EQ(run_command({"/usr/bin/env", std::string("LD_PRELOAD=") + kFakeTime, "FAKETIME=-40d",
                         std::string(INSGATE_SOURCE_DIR) + "/tests/pki/make-test-pki", ws.pki("")},
                        ws.path("pki-backdated.log")),
            0)
      << read_file(ws.path("pki-backdated.log"));
  Simulator sim(ws, "sim");
  const std::string config = write_config(ws, sim.port(), structure_a() + structure_b() + structure_c());
  const PreviousMonth m1 = previous_month();
  const std::vector<std::string> all{kA, kB, kC};

  const auto ecetinsi = recherche_body("ECETINSI", {"PIERRE-ALAIN", "MURIEL", "FLORIANT"}, "M", "2009-07-14");
  const auto dominique = recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26");
  const auto toussaint = recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01");
  const auto tchitchi = recherche_body("TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21");  // 2 calls
  const auto houilles = recherche_body("HOUILLES", {"PIERRE", "PAUL", "JACQUES"}, "M", "1993-01-27");

  // Month M-1, on the daemon's clock.
  Activity before;
  std::string m1_csv_then, m1_b_csv_then;
  std::size_t m1_calls = 0;
  {
    DaemonOptions opt;
    opt.launcher = {"/usr/bin/env", std::string("LD_PRELOAD=") + kFakeTime,
                    "FAKETIME=" + m1.faketime, "DONT_FAKE_MONOTONIC=1"};
    Daemon d(ws, "insgated", opt, config);
    LocalHttpClient c(d.socket(), std::chrono::seconds(30));
    before.send(c, "/v1/ins/recherche", with(ecetinsi, kA, "u-1"));
    ASSERT_EQ(post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(kA, "IPP-000123", "u-qualif")).status, 200u);
    before.send(c, "/v1/ins/recherche", with(dominique, kA, "u-1"));
    before.send(c, "/v1/ins/verification", with(verification_ecetinsi(), kA, "u-2"));
    before.send(c, "/v1/ins/recherche", with(tchitchi, kB, "u-3"));
    before.send(c, "/v1/ins/recherche", with(houilles, kC, "u-1"));
    before.send(c, "/v1/ins/recherche", with(toussaint, kC, "u-4"));
    // The daemon believes it is M-1: this is the running month's report,
    // and reading it takes the month's rate snapshot.
    auto j = get_json(c, "/v1/stats/mensuel?mois=" + this_month());
    ASSERT_EQ(j.status, 200u);
    for (const auto& l : j.body["lignes"])
      EXPECT_EQ(l["sollicitations_insi"], 0) << "nothing counted in the real month yet";
    m1_csv_then = get_csv(c, "mois=" + m1.iso);
    m1_b_csv_then = get_csv(c, "mois=" + m1.iso + "&finess=" + kB);
    m1_calls = sim.journal().size();
    d.stop(SIGTERM);  // the restart: counters are written at stop
  }

  // Month M, on the real clock, same state directory.
  Activity now;
  DaemonOptions opt;
  Daemon d(ws, "insgated", opt, config);
  LocalHttpClient c(d.socket(), std::chrono::seconds(30));
  now.send(c, "/v1/ins/recherche", with(tchitchi, kA, "u-5"));
  now.send(c, "/v1/ins/recherche", with(ecetinsi, kB, "u-3"));
  now.send(c, "/v1/ins/recherche", with(ecetinsi, kB, "u-6"));
  now.send(c, "/v1/ins/verification", with(verification_ecetinsi(), kB, "u-6"));
  now.send(c, "/v1/ins/recherche", with(dominique, kC, "u-4"));

  const auto journal = sim.journal();
  const auto calls_m1 = calls_by_finess(journal, 0, m1_calls);
  const auto calls_m = calls_by_finess(journal, m1_calls, journal.size());
  ASSERT_EQ(calls_m1.size(), 3u) << "every structure called INSi in M-1";
  ASSERT_EQ(calls_m.size(), 3u) << "every structure called INSi in M";
  EXPECT_EQ(calls_m1.at(kB).recuperation, 2) << "TCHITCHI: OLA, then CATARINA";

  // Rates (identities qualifiées / active file, per structure): M-1: A has
  // ECETINSI (qualified) and DOMINIQUE, B TCHITCHI, C TOUSSAINT (HOUILLES
  // is not found); M adds TCHITCHI at A, ECETINSI at B, DOMINIQUE at C.
  const std::string m1_expected = expected_csv(
      m1.iso, all, calls_m1, before, {{kA, "0,500"}, {kB, "0,000"}, {kC, "0,000"}});
  const std::string m_expected = expected_csv(
      this_month(), all, calls_m, now, {{kA, "0,333"}, {kB, "0,000"}, {kC, "0,000"}});

  EXPECT_EQ(m1_csv_then, m1_expected);
  EXPECT_EQ(get_csv(c, "mois=" + m1.iso), m1_expected) << "a past month never changes";
  EXPECT_EQ(get_csv(c, "mois=" + this_month()), m_expected);
  EXPECT_EQ(m1_b_csv_then, expected_csv(m1.iso, {kB}, calls_m1, before, {{kB, "0,000"}}));
  EXPECT_EQ(get_csv(c, "mois=" + m1.iso + "&finess=" + kB),
            expected_csv(m1.iso, {kB}, calls_m1, before, {{kB, "0,000"}}));
  EXPECT_EQ(get_csv(c, "mois=" + this_month() + "&finess=" + kC),
            expected_csv(this_month(), {kC}, calls_m, now, {{kC, "0,000"}}));
}

// A request in flight for a structure that SIGHUP removes finishes with its
// answer (insi-sim answers LENT after 5 s, the reload lands meanwhile), over
// its structure's certificate; the next request for that FINESS is a 400;
// and the call is counted under that FINESS (seen once it is configured again).
TEST(StructuresReportE2E, a_request_in_flight_for_a_structure_removed_by_reload_finishes) {
  Workspace ws;
  Simulator sim(ws, "sim");
  const std::string config = write_config(ws, sim.port(), structure_a() + structure_b(), 10000);
  Daemon d(ws, "insgated", {}, config);
  const auto lent = recherche_body("LENT", {"PAUL"}, "M", "1990-01-01");
  auto in_flight = std::async(std::launch::async, [&] {
    LocalHttpClient c(d.socket(), std::chrono::seconds(30));
    return post_recherche(c, with(lent, kB, "u-1"));
  });
  // insi-sim journals the call when it reads it, then waits 5 s to answer.
  ASSERT_TRUE(wait_until([&] { return sim.journal().size() == 1u; }));
  auto reloads = [&] {
    const std::string log = d.log();
    std::size_t n = 0;
    for (auto at = log.find("configuration and certificates reloaded"); at != std::string::npos;
         at = log.find("configuration and certificates reloaded", at + 1))
      ++n;
    return n;
  };
  write_config(ws, sim.port(), structure_a(), 10000);
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return reloads() == 1u; }));
  ASSERT_EQ(in_flight.wait_for(0s), std::future_status::timeout)
      << "the reload must land while the call is in flight";
  LocalHttpClient c(d.socket(), std::chrono::seconds(30));
  auto refused = post_recherche(c, with(recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26"), kB, "u-1"));
  EXPECT_EQ(refused.status, 400u) << refused.raw.body;
  EXPECT_EQ(refused.body["code"], "requete_invalide");

  Answer a = in_flight.get();
  EXPECT_EQ(a.status, 200u) << a.raw.body;
  EXPECT_EQ(a.body["appels_insi"], 1);
  EXPECT_EQ(a.body["cr"], "00") << a.raw.body;
  const auto journal = sim.journal();
  ASSERT_EQ(journal.size(), 1u) << "the refused request reached INSi";
  EXPECT_EQ(journal_client_ou(journal[0]), kB);
  EXPECT_EQ(post_recherche(c, with(recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26"), kB, "u-1")).status,
            400u);

  // B configured again: its data stayed in the state store, the call counted.
  write_config(ws, sim.port(), structure_a() + structure_b(), 10000);
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return reloads() == 2u; }));
  auto stats = get_json(c, "/v1/stats/mensuel?mois=" + this_month() + "&finess=" + kB);
  ASSERT_EQ(stats.status, 200u) << stats.raw.body;
  EXPECT_EQ(stats.body["lignes"][0]["sollicitations_insi"], 1);
}

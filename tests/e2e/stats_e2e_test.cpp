// End to end: Ségur activity (issue #6) — GET /v1/stats/mensuel (JSON and
// CSV), insgatectl stats, and the Prometheus listener.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

TEST(StatsE2E, monthly_report_counts_recuperations_verifications_and_unique_operators) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  ASSERT_EQ(post_recherche(c, body).status, 200u);
  body["operateur"] = "u-other";
  ASSERT_EQ(post_recherche(c, body).status, 200u);
  json v = {{"operateur", "u-test"},
            {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
            {"traits", body["traits"]}};
  ASSERT_EQ(post_json(c, "/v1/ins/verification", v).status, 200u);

  auto r = c.request(insgate::http::verb::get, "/v1/stats/mensuel?mois=" + this_month());
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = json::parse(r.body);
  ASSERT_EQ(j["lignes"].size(), 1u);
  const auto& l = j["lignes"][0];
  EXPECT_EQ(l["finess"], "010000001");
  EXPECT_EQ(l["departement"], "01 - Ain");
  // The vérification by comparison sends a récupération by traits: INSi
  // counts it there (issue #11); the request itself is in detail.
  EXPECT_EQ(l["appels_recuperation"], 3);
  EXPECT_EQ(l["appels_verification"], 0);
  EXPECT_EQ(l["sollicitations_insi"], 3);
  EXPECT_EQ(l["detail"]["requetes_insi"], 3);
  EXPECT_EQ(l["detail"]["requetes_verification"], 1);
  EXPECT_EQ(l["utilisateurs_uniques"], 2);
  EXPECT_EQ(r.body.find("u-other"), std::string::npos) << "operators are never shown";

  auto csv = c.request(insgate::http::verb::get,
                       "/v1/stats/mensuel?mois=" + this_month() + "&format=csv");
  ASSERT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBFMois;", 0), 0u) << "UTF-8 BOM then the first column";
  EXPECT_NE(csv.body.find("010000001"), std::string::npos);

  EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/stats/mensuel?mois=2026-13").status, 400u);
  std::string encoded;  // every character of the month as %XX
  for (unsigned char ch : this_month()) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%%%02X", ch);
    encoded += buf;
  }
  EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/stats/mensuel?mois=" + encoded).status, 200u)
      << "query values are percent-decoded";
  EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/stats/mensuel?mois=%zz").status, 400u);

  std::string out = ws.path("stats.out");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgatectl", "--socket", d.socket(),
                        "stats", "--mois", this_month(), "--csv"},
                       out);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(read_file(out).find("Mois;"), std::string::npos);
}

TEST(StatsE2E, prometheus_listener_serves_the_metrics_without_identity_labels) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14"))
                .status, 200u);
  const std::string text = scrape_metrics(ws, d);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(metric_sample(text, "insgate_insi_calls_total",
                   {"operation=\"recuperation_traits\"", "outcome=\"cr_00\"", "finess=\"010000001\""}),
            1);
  EXPECT_EQ(metric_sample(text, "insgate_insi_calls_total",
                   {"operation=\"recuperation_traits\"", "outcome=\"fault\""}),
            0);
  EXPECT_EQ(metric_sample(text, "insgate_cache_lookups_total", {"result=\"miss\""}), 1);
  EXPECT_EQ(metric_sample(text, "insgate_api_requests_total", {"route=\"/v1/ins/recherche\"", "status=\"200\""}), 1);
  EXPECT_EQ(metric_sample(text, "insgate_insi_circuit_open", {}), -1) << "a gauge without labels";
  EXPECT_NE(text.find("insgate_insi_circuit_open 0"), std::string::npos);
  EXPECT_GT(metric_sample(text, "insgate_certificate_expiry_timestamp_seconds", {"usage=\"insi_client\""}), 0);
  EXPECT_EQ(metric_sample(text, "insgate_insi_client_certificate_expiry_timestamp_seconds",
                   {"finess=\"010000001\""}),
            metric_sample(text, "insgate_certificate_expiry_timestamp_seconds", {"usage=\"insi_client\""}))
      << "the one structure's certificate";
  // Issue 20: the CA series carries the loaded insi.ca expiry (the test PKI's
  // CA is made just before the client certificate, both for 90 days).
  const double ca = metric_sample(text, "insgate_certificate_expiry_timestamp_seconds", {"usage=\"insi_ca\""});
  EXPECT_GT(ca, 0);
  EXPECT_NEAR(ca, metric_sample(text, "insgate_certificate_expiry_timestamp_seconds", {"usage=\"insi_client\""}),
              3600);
  for (const char* secret : {"ECETINSI", "PIERRE", "1090763220834", "u-test"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
}

TEST(StatsE2E, qualified_identity_rate_is_in_the_report) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14")).status, 200u);
  ASSERT_EQ(post_recherche(c, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01")).status, 200u);
  json q = {{"operateur", "u-test"},
            {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
            {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-15"}}},
            {"identifiant_local", "IPP-1"}};
  ASSERT_EQ(post_json(c, "/v1/ins/qualification", q).status, 200u);
  auto j = json::parse(
      c.request(insgate::http::verb::get, "/v1/stats/mensuel?mois=" + this_month()).body);
  ASSERT_EQ(j["lignes"].size(), 1u);
  const auto& l = j["lignes"][0];
  EXPECT_EQ(l["identites_file_active"], 2);
  EXPECT_EQ(l["identites_qualifiees"], 1);
  EXPECT_DOUBLE_EQ(l["ratio_identites_qualifiees"].get<double>(), 0.5);
  EXPECT_FALSE(l["taux_releve_le"].is_null());
  EXPECT_TRUE(j["notes"].empty());

  // Issue 17 item 1: months the daemon did not run in have no rate (an empty
  // cell and a note), not today's.
  for (const char* mois : {"2020-01", "2030-06"}) {
    auto past = get_json(c, std::string("/v1/stats/mensuel?mois=") + mois);
    ASSERT_EQ(past.status, 200u);
    const auto& p = past.body;
    EXPECT_TRUE(p["lignes"][0]["ratio_identites_qualifiees"].is_null()) << mois;
    ASSERT_EQ(p["notes"].size(), 1u) << mois;
    auto csv = c.request(insgate::http::verb::get,
                         std::string("/v1/stats/mensuel?format=csv&mois=") + mois);
    EXPECT_EQ(csv.body.find("0,500"), std::string::npos) << csv.body;
    EXPECT_NE(csv.body.find(";0;0;0;0;\r\n\r\n"), std::string::npos) << csv.body;
  }

  // Issue 17 item 2: insgatectl stats --xlsx FILE, read back with openpyxl.
  const std::string xlsx = ws.path("rapport.xlsx");
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  ASSERT_EQ(run_command({ctl, "--socket", d.socket(), "stats", "--mois", this_month(), "--xlsx",
                         xlsx}),
            0);
  const std::string cells = ws.path("cells.json");
  ASSERT_EQ(run_command({"/usr/bin/python3", INSGATE_SOURCE_DIR "/tests/unit/stats/read_xlsx.py", xlsx},
                        cells),
            0)
      << read_file(cells);
  const auto x = json::parse(read_file(cells))["cells"];
  EXPECT_EQ(x["C2"]["value"], "010000001");
  EXPECT_EQ(x["C2"]["type"], "s");
  EXPECT_DOUBLE_EQ(x["J2"]["value"].get<double>(), 0.5);
  EXPECT_EQ(x["J2"]["format"], "0.0%");
  EXPECT_EQ(run_command({ctl, "--socket", d.socket(), "stats", "--mois", this_month(), "--xlsx",
                         xlsx, "--csv"}),
            2)
      << "--csv and --xlsx exclude each other";
}

// Counters are buffered in memory and written every second (and at stop):
// a cache hit counted just before a clean stop is in the report after the
// restart, so batching never loses activity on a normal stop.
TEST(StatsE2E, cache_hits_counted_just_before_a_stop_survive_the_restart) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.cache_ttl_s = 3600;
  {
    Daemon d(ws, "insgated", opt);
    LocalHttpClient c(d.socket());
    auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
    for (int i = 0; i < 4; ++i) {
      auto r = post_recherche(c, body);
      ASSERT_EQ(r.status, 200u) << r.raw.body;
      EXPECT_EQ(r.body["source"], i == 0 ? "insi" : "cache");
    }
    d.stop(SIGTERM);  // at once, well within the one-second flush period
  }
  Daemon again(ws, "insgated", opt);
  LocalHttpClient c(again.socket());
  auto r = c.request(insgate::http::verb::get, "/v1/stats/mensuel?mois=" + this_month());
  ASSERT_EQ(r.status, 200u) << r.body;
  const json report = json::parse(r.body);
  const json& l = report["lignes"].at(0);
  EXPECT_EQ(l["detail"]["cache_hits"], 3);
  EXPECT_EQ(l["appels_recuperation"], 1);
}

// local-api.md "Caller identity": a finess other than the one this daemon
// serves is refused before any INSi call, not counted under the wrong
// structure; the configured one, or none, is accepted.
TEST(StatsE2E, a_foreign_finess_is_refused_and_not_counted) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  body["finess"] = "999999999";
  auto r = post_recherche(c, body);
  EXPECT_EQ(r.status, 400u) << r.raw.body;
  EXPECT_EQ(r.body["code"], "requete_invalide");
  EXPECT_TRUE(sim.journal().empty()) << "INSi must not be called";
  body["finess"] = "010000001";
  EXPECT_EQ(post_recherche(c, body).status, 200u);
  auto q = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body("999999999"));
  EXPECT_EQ(q.status, 400u) << q.raw.body;
}

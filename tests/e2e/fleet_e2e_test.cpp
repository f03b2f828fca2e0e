// End to end: the state in PostgreSQL (fleet mode, issue 15). insgated on a
// private test cluster (tests/support/pg_cluster) with insi-sim: a
// recherche and a qualification, then a restart, and the identity is
// still there; the connection string never reaches the log.
// (Two instances, kills during delivery, outages: a later step.)
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "e2e_env.hpp"
#include "pg_cluster.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

namespace {

json ecetinsi_body() { return recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14"); }

json qualification_body() {
  return {{"operateur", "u-test"},
          {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
          {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-15"}}},
          {"identifiant_local", "IPP-000123"}};
}

/// The daemon's configuration with its state in PostgreSQL: the usual
/// file, `etat:` pointing at a conninfo file (mode 0600) for `conninfo`.
std::string pg_config(const Workspace& ws, const std::string& name, const DaemonOptions& opt,
                      const std::string& conninfo) {
  const std::string secret = ws.path(name + ".conninfo");
  std::ofstream(secret) << conninfo << "\n";
  ::chmod(secret.c_str(), 0600);
  const std::string cfg = write_daemon_config(ws, name, opt);
  std::string text = read_file(cfg);
  const std::string etat = "etat: {repertoire: " + ws.path(name + ".etat") + "}";
  const auto at = text.find(etat);
  if (at == std::string::npos) throw std::runtime_error("no etat line in " + cfg);
  text.replace(at, etat.size(),
               "etat: {repertoire: " + ws.path(name + ".etat") +
                   ", postgresql: {conninfo_fichier: " + secret + ", connexions: 3}}");
  std::ofstream(cfg, std::ios::trunc) << text;
  return cfg;
}

}  // namespace

TEST(FleetE2E, an_identity_qualified_on_postgresql_is_still_there_after_a_restart) {
  Workspace ws;
  const std::string conninfo = shared_pg_cluster().fresh_database();
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  const std::string cfg = pg_config(ws, "insgated", opt, conninfo);
  {
    Daemon d(ws, "insgated", opt, cfg);
    LocalHttpClient c(d.socket());
    auto found = post_recherche(c, ecetinsi_body());
    ASSERT_EQ(found.status, 200u) << found.raw.body;
    EXPECT_EQ(found.body["statut"], "recuperee");
    auto q = post_json(c, "/v1/ins/qualification", qualification_body());
    ASSERT_EQ(q.status, 200u) << q.raw.body;
    EXPECT_EQ(q.body["statut"], "qualifiee");
    d.stop(SIGTERM);
    EXPECT_EQ(d.log().find("dbname="), std::string::npos) << "the conninfo must not be logged";
  }
  // The rows are in PostgreSQL, not in the state directory.
  {
    pqxx::connection pg(conninfo);
    pqxx::work w(pg);
    auto r = w.exec("SELECT statut, finess FROM identite");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0][0].as<std::string>(), "qualifiee");
    EXPECT_EQ(r[0][1].as<std::string>(), "010000001");
  }
  EXPECT_FALSE(std::ifstream(ws.path("insgated.etat/insgate-state.db")).good());
  Daemon again(ws, "insgated", opt, cfg);
  LocalHttpClient c(again.socket());
  // No recherche since the restart: a qualification is only accepted for an
  // identity the store holds (else 409 statut_incompatible).
  auto after = post_json(c, "/v1/ins/qualification", qualification_body());
  ASSERT_EQ(after.status, 200u) << after.raw.body;
  EXPECT_EQ(after.body["statut"], "qualifiee");
  EXPECT_EQ(sim.journal().size(), 1u);  // the one recherche before the restart
}

// PostgreSQL stopped under a running daemon: an INSi-backed recherche still
// answers (the cache read that fails falls through to INSi), a
// qualification answers 503 etat_indisponible and records nothing; once the
// server is back the daemon reconnects by itself.
TEST(FleetE2E, postgresql_down_recherche_answers_qualification_is_503_then_recovers) {
  Workspace ws;
  auto& cluster = shared_pg_cluster();
  const std::string conninfo = cluster.fresh_database();
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.cache_ttl_s = 3600;
  Daemon d(ws, "insgated", opt, pg_config(ws, "insgated", opt, conninfo));
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, ecetinsi_body()).status, 200u);
  auto identities = [&] {
    pqxx::connection pg(conninfo);
    pqxx::work w(pg);
    return w.exec("SELECT count(*) FROM identite")[0][0].as<int>();
  };
  ASSERT_TRUE(wait_until([&] { return identities() == 1; }));  // recorded after the answer

  cluster.stop_server();
  auto other = post_recherche(c, recherche_body("TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21"));
  EXPECT_EQ(other.status, 200u) << other.raw.body;
  EXPECT_EQ(other.body["source"], "insi");
  auto refused = post_json(c, "/v1/ins/qualification", qualification_body());
  EXPECT_EQ(refused.status, 503u) << refused.raw.body;
  EXPECT_EQ(refused.body["code"], "etat_indisponible");
  EXPECT_NE(d.log().find("[STATE_READ] cache unavailable, asking INSi"), std::string::npos);
  auto health = get_json(c, "/v1/health");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body["statut"], "degrade");
  EXPECT_EQ(health.body["etat"]["stockage"], "postgresql");
  EXPECT_EQ(health.body["etat"]["disponible"], false);

  cluster.start_server();
  Answer q;
  ASSERT_TRUE(wait_until([&] {
    q = post_json(c, "/v1/ins/qualification", qualification_body());
    return q.status == 200u;
  }, std::chrono::seconds(20))) << q.raw.body;
  EXPECT_EQ(q.body["statut"], "qualifiee");
  EXPECT_EQ(get_json(c, "/v1/health").body["etat"]["disponible"], true);
  pqxx::connection pg(conninfo);
  pqxx::work w(pg);
  EXPECT_EQ(w.exec("SELECT statut FROM identite")[0][0].as<std::string>(), "qualifiee");
  EXPECT_EQ(d.log().find("dbname="), std::string::npos) << "the conninfo must not be logged";
  EXPECT_EQ(d.log().find("1090763220834"), std::string::npos) << "no INS in the log";
}

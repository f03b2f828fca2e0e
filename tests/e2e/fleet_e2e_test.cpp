// End to end: the state in PostgreSQL (fleet mode, issue 15). insgated on a
// private test cluster (tests/support/pg_cluster) with insi-sim: a
// recherche and a qualification, then a restart, and the identity is
// still there; the connection string never reaches the log. PostgreSQL
// stopped under a running daemon. Two instances on one database, one of them
// killed (SIGKILL) during deliveries again and again: nothing lost, no event
// delivered by two instances at once (journal of plugins/tests/
// fixture_journal.c).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

#include "e2e_env.hpp"
#include "pg_cluster.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;

namespace {

json ecetinsi_body() { return recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14"); }

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
    auto q = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(""));
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
  auto after = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(""));
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
  auto refused = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(""));
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
    q = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(""));
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

namespace {

namespace fs = std::filesystem;

using Person = DatasetPerson;
constexpr auto& kPersons = kCr00Persons;
constexpr int kPersonCount = sizeof kPersons / sizeof kPersons[0];

json recherche_of(const Person& p) { return recherche_body(p.nom, {p.prenom}, p.sexe, p.date); }

/// A qualification of `p` under local identifier `ipp`: the first one
/// queues `qualifiee`, each later one with a new identifier `mise_a_jour`.
json qualification_of(const Person& p, const std::string& ipp) {
  return {{"operateur", "u-test"},
          {"ins", {{"matricule", p.matricule}, {"cle", p.cle}, {"oid", "1.2.250.1.213.1.4.8"}}},
          {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-15"}}},
          {"identifiant_local", ipp}};
}

long long realtime_ns() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<long long>(t.tv_sec) * 1'000'000'000LL + t.tv_nsec;
}

/// One deliver() call read from the journal: who (instance:pid), the
/// event's idempotency key, its start and, unless cut short, its end (ns).
struct Delivery {
  std::string who;
  std::string key;
  long long start = 0;
  std::optional<long long> end;
};

std::vector<Delivery> read_journal(const std::string& path) {
  std::vector<Delivery> out;
  std::map<std::pair<std::string, std::string>, std::size_t> open;  // (who, key) → index
  std::istringstream in(read_file(path));
  std::string what, who, key;
  long long ns = 0;
  while (in >> what >> who >> key >> ns) {
    if (what == "debut") {
      open[{who, key}] = out.size();
      out.push_back({who, key, ns, std::nullopt});
    } else if (auto it = open.find({who, key}); what == "fin" && it != open.end()) {
      out[it->second].end = ns;
      open.erase(it);
    } else {
      ADD_FAILURE() << "journal line out of order: " << what << " " << who << " " << key;
    }
  }
  return out;
}

/// Both plugins (spool, the journal plugin of the fleet tests) and short
/// outbox delays: a 300 ms deliver() outlasts the 250 ms lease, which only
/// the renewals (every 83 ms) keep; retries after 50 ms.
DaemonOptions fleet_options(const Workspace& ws, int sim_port, const std::string& instance) {
  DaemonOptions opt;
  opt.port = sim_port;
  opt.top_extra = std::string("plugins:\n") + "  - {nom: spool, chemin: " + INSGATE_PLUGIN_SPOOL +
                  ", config: {repertoire: " + ws.path("spool") + ", format: json}}\n" +
                  "  - {nom: journal, chemin: " + INSGATE_FIXTURE_JOURNAL +
                  ", config: {journal: " + ws.path("journal") + ", instance: " + instance +
                  ", delai_ms: 300}}\n" +
                  "outbox: {tentatives_max: 1000, attente_ms: 50, bail_ms: 250}\n";
  return opt;
}

int pg_count(const std::string& conninfo, const std::string& sql) {
  pqxx::connection pg(conninfo);
  pqxx::work w(pg);
  return w.exec(sql)[0][0].as<int>();
}

}  // namespace

// Issue 15: two insgated on one database, concurrent recherches and
// qualifications through both; instance B is killed with SIGKILL at a random
// point of a delivery 50 times (restarted each time). At the end every event
// is delivered, every qualified identity reached both plugins, and the
// journal shows no event delivered by two processes at overlapping times:
// an event is delivered again only after the process that had it was killed.
TEST(FleetE2E, two_instances_one_killed_during_deliveries_lose_nothing_and_never_overlap) {
  constexpr int kCycles = 50;
  Workspace ws;
  const std::string conninfo = shared_pg_cluster().fresh_database();
  Simulator sim(ws, "sim");
  fs::create_directories(ws.path("spool"));
  const DaemonOptions opt_a = fleet_options(ws, sim.port(), "A");
  const DaemonOptions opt_b = fleet_options(ws, sim.port(), "B");
  Daemon a(ws, "a", opt_a, pg_config(ws, "a", opt_a, conninfo));
  const std::string cfg_b = pg_config(ws, "b", opt_b, conninfo);
  auto b = std::make_unique<Daemon>(ws, "b", opt_b, cfg_b);

  {  // every person found once, half through each instance
    for (int i = 0; i < kPersonCount; ++i) {
      LocalHttpClient c(i % 2 ? b->socket() : a.socket());
      auto r = post_recherche(c, recherche_of(kPersons[i]));
      ASSERT_EQ(r.status, 200u) << r.raw.body;
    }
    ASSERT_TRUE(wait_until([&] {
      return pg_count(conninfo, "SELECT count(*) FROM identite") == kPersonCount;
    }));
  }

  // Background traffic through both instances (B's socket fails while B is
  // down): recherches and qualifications with a new local identifier each.
  std::atomic<bool> stop{false};
  std::atomic<int> qualified_via_a{0}, qualified_via_b{0};
  std::thread traffic([&] {
    for (int i = 0; !stop; ++i) {
      const bool via_b = i % 2;
      const Person& p = kPersons[i % kPersonCount];
      try {
        LocalHttpClient c(via_b ? ws.path("b.sock") : a.socket(), std::chrono::seconds(5));
        (void)post_recherche(c, recherche_of(p));
        auto q = post_json(c, "/v1/ins/qualification",
                           qualification_of(p, "IPP-T" + std::to_string(i)));
        if (q.status == 200u) ++(via_b ? qualified_via_b : qualified_via_a);
      } catch (const std::exception&) {
        // B killed meanwhile: that request is lost to the caller, not the store.
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });

  std::mt19937 rng(20261206);
  std::uniform_int_distribution<int> kill_after_ms(0, 350);
  std::map<std::string, long long> killed;  // who → when its process was gone
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    if (!b) b = std::make_unique<Daemon>(ws, "b", opt_b, cfg_b);
    const std::string who = "B:" + std::to_string(b->pid());
    {  // an event of B's own: its worker is woken at once
      LocalHttpClient c(b->socket(), std::chrono::seconds(5));
      const Person& p = kPersons[cycle % kPersonCount];
      (void)post_json(c, "/v1/ins/qualification",
                      qualification_of(p, "IPP-K" + std::to_string(cycle)));
    }
    wait_until([&] { return read_file(ws.path("journal")).find("debut " + who + " ") !=
                            std::string::npos; },
               std::chrono::seconds(3));
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    b->stop(SIGKILL);
    killed[who] = realtime_ns();
    b.reset();
  }
  b = std::make_unique<Daemon>(ws, "b", opt_b, cfg_b);
  stop = true;
  traffic.join();

  // Every event delivered (leases of the killed runs expired, taken over).
  ASSERT_TRUE(wait_until([&] {
    return pg_count(conninfo, "SELECT count(*) FROM outbox WHERE etat <> 'delivered'") == 0;
  }, std::chrono::seconds(30)))
      << pg_count(conninfo, "SELECT count(*) FROM outbox WHERE etat <> 'delivered'")
      << " event(s) still not delivered";
  EXPECT_GT(qualified_via_a.load(), 0);
  EXPECT_GT(qualified_via_b.load(), 0);
  EXPECT_EQ(pg_count(conninfo, "SELECT count(*) FROM identite WHERE statut = 'qualifiee'"),
            kPersonCount);
  for (const char* plugin : {"spool", "journal"})
    EXPECT_EQ(pg_count(conninfo, std::string("SELECT count(DISTINCT identite_id) FROM outbox "
                                             "WHERE plugin = '") + plugin + "'"),
              kPersonCount)
        << plugin << ": every qualified identity has its events";
  // spool: one file per event (a redelivery rewrites the same file).
  std::size_t spool_files = 0;
  for (const auto& e : fs::directory_iterator(ws.path("spool")))
    if (e.path().filename().string()[0] != '.') ++spool_files;
  EXPECT_EQ(spool_files, static_cast<std::size_t>(pg_count(
                             conninfo, "SELECT count(*) FROM outbox WHERE plugin = 'spool'")));

  // The journal: every event of the journal plugin delivered to the end at
  // least once; two deliveries of one event never overlap, and the earlier
  // one is always a killed process's.
  const auto deliveries = read_journal(ws.path("journal"));
  std::map<std::string, std::vector<const Delivery*>> by_key;
  for (const auto& d : deliveries) by_key[d.key].push_back(&d);
  std::set<std::string> events;
  {
    pqxx::connection pg(conninfo);
    pqxx::work w(pg);
    for (const auto& r : w.exec("SELECT cle_idempotence FROM outbox WHERE plugin = 'journal'"))
      events.insert(r[0].as<std::string>());
  }
  ASSERT_GE(events.size(), static_cast<std::size_t>(kCycles));
  int cut_short = 0, redelivered = 0;
  for (const auto& key : events) {
    auto it = by_key.find(key);
    ASSERT_NE(it, by_key.end()) << "event " << key << " never delivered";
    const auto& list = it->second;
    EXPECT_TRUE(std::any_of(list.begin(), list.end(), [](const Delivery* d) { return d->end; }))
        << "event " << key << " never delivered to the end";
    for (std::size_t i = 0; i + 1 < list.size(); ++i) {
      const Delivery& first = *list[i];
      const Delivery& next = *list[i + 1];
      ++redelivered;
      auto k = killed.find(first.who);
      ASSERT_NE(k, killed.end()) << "event " << key << " delivered by " << first.who << " then "
                                 << next.who << " although " << first.who << " was not killed";
      const long long first_end = first.end ? *first.end : k->second;
      EXPECT_LE(first_end, next.start)
          << "event " << key << ": " << first.who << " and " << next.who << " overlap";
    }
    for (const Delivery* d : list)
      if (!d->end) ++cut_short;
  }
  std::cout << "[ fleet    ] " << events.size() << " events, " << deliveries.size()
            << " deliver() calls, " << cut_short << " cut short by a kill, " << redelivered
            << " redelivered; qualifications via A " << qualified_via_a << ", via B "
            << qualified_via_b << "\n";
  // The kills did land during deliveries (else the test proves little).
  EXPECT_GE(cut_short, kCycles / 3);
  EXPECT_GE(redelivered, kCycles / 3);
  EXPECT_EQ(a.log().find("dbname="), std::string::npos) << "the conninfo must not be logged";
  EXPECT_EQ(a.log().find(kPersons[0].matricule), std::string::npos) << "no INS in the log";
}

// Issue 15: the monthly report (GET /v1/stats/mensuel, what `insgatectl
// stats` shows) is the same whichever instance answers, after a scenario
// across both: the counters are upserts in the shared database and the
// distinct operators and persons keyed hashes under the shared HMAC key (the
// same operator or person seen by both instances counts once). Each
// instance writes its counters within a second; the report flushes the
// answering instance's own.
TEST(FleetE2E, the_monthly_report_is_the_same_from_either_instance) {
  Workspace ws;
  const std::string conninfo = shared_pg_cluster().fresh_database();
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon a(ws, "a", opt, pg_config(ws, "a", opt, conninfo));
  Daemon b(ws, "b", opt, pg_config(ws, "b", opt, conninfo));
  LocalHttpClient ca(a.socket()), cb(b.socket());
  auto found = [&](LocalHttpClient& c, const Person& p, const std::string& op) {
    json body = recherche_of(p);
    body["operateur"] = op;
    auto r = post_recherche(c, body);
    EXPECT_EQ(r.status, 200u) << r.raw.body;
  };
  found(ca, kPersons[2], "u-1");
  found(ca, kPersons[0], "u-2");
  found(cb, kPersons[2], "u-1");  // same operator, same person, other instance
  found(cb, kPersons[3], "u-3");
  found(cb, kPersons[4], "u-2");
  ASSERT_TRUE(wait_until([&] { return pg_count(conninfo, "SELECT count(*) FROM identite") == 4; }));
  auto q = post_json(cb, "/v1/ins/qualification", qualification_of(kPersons[2], "IPP-1"));
  ASSERT_EQ(q.status, 200u) << q.raw.body;

  const std::string route = "/v1/stats/mensuel?mois=" + this_month();
  json from_a, from_b;
  ASSERT_TRUE(wait_until([&] {
    from_a = get_json(ca, route).body;
    from_b = get_json(cb, route).body;
    return from_a == from_b && from_a["lignes"].size() == 1 &&
           from_a["lignes"][0]["sollicitations_insi"] == 5;
  }, std::chrono::seconds(10)))
      << "A: " << from_a.dump() << "\nB: " << from_b.dump();
  const auto& l = from_a["lignes"][0];
  // What INSi saw (the simulator's journal), whichever instance sent it.
  EXPECT_EQ(l["sollicitations_insi"], sim.journal().size());
  EXPECT_EQ(l["appels_recuperation"], 5);
  EXPECT_EQ(l["utilisateurs_uniques"], 3);
  EXPECT_EQ(l["detail"]["operateurs_distincts"], 3);
  EXPECT_EQ(l["detail"]["personnes_distinctes"], 4);
  EXPECT_EQ(l["identites_qualifiees"], 1);

  // insgatectl stats prints the same from either socket.
  auto ctl = [&](const Daemon& d, const std::string& name) {
    const std::string out = ws.path(name);
    EXPECT_EQ(run_command({std::string(INSGATE_BIN_DIR) + "/insgatectl", "--socket", d.socket(),
                           "stats", "--mois", this_month(), "--csv"},
                          out),
              0);
    return read_file(out);
  };
  const std::string csv_a = ctl(a, "stats-a.csv");
  EXPECT_NE(csv_a.find("010000001"), std::string::npos);
  EXPECT_EQ(csv_a, ctl(b, "stats-b.csv"));
}

// Issue 15: PostgreSQL stopped and started again while qualifications keep
// coming through one instance: during the outage qualifications answer 503
// etat_indisponible (nothing recorded) and recherches still answer; the
// daemon reconnects by itself; every qualification answered 200 has its
// event, and every event is delivered (none lost).
TEST(FleetE2E, postgresql_restarted_under_load_loses_no_event_and_recovers) {
  Workspace ws;
  auto& cluster = shared_pg_cluster();
  const std::string conninfo = cluster.fresh_database();
  Simulator sim(ws, "sim");
  fs::create_directories(ws.path("spool"));
  DaemonOptions opt = fleet_options(ws, sim.port(), "A");
  // The journal plugin answers at once here; the lease stays short.
  const auto at = opt.top_extra.find("delai_ms: 300");
  ASSERT_NE(at, std::string::npos);
  opt.top_extra.replace(at, 13, "delai_ms: 0");
  Daemon d(ws, "a", opt, pg_config(ws, "a", opt, conninfo));
  for (const Person& p : kPersons) {
    LocalHttpClient c(d.socket());
    ASSERT_EQ(post_recherche(c, recherche_of(p)).status, 200u);
  }
  ASSERT_TRUE(wait_until([&] {
    return pg_count(conninfo, "SELECT count(*) FROM identite") == kPersonCount;
  }));

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0}, recherches_ok{0}, ok_after_restart{0};
  std::atomic<bool> restarted{false};
  std::thread load([&] {
    for (int i = 0; !stop; ++i) {
      const Person& p = kPersons[i % kPersonCount];
      try {
        LocalHttpClient c(d.socket(), std::chrono::seconds(20));
        auto q = post_json(c, "/v1/ins/qualification",
                           qualification_of(p, "IPP-L" + std::to_string(i)));
        if (q.status == 200u) {
          ++ok;
          if (restarted) ++ok_after_restart;
        } else if (q.status == 503u && q.body["code"] == "etat_indisponible") {
          ++unavailable;
        } else {
          ++other;
          ADD_FAILURE() << q.status << " " << q.raw.body;
        }
        if (i % 5 == 0 && post_recherche(c, recherche_of(p)).status == 200u) ++recherches_ok;
      } catch (const std::exception& e) {
        ++other;
        ADD_FAILURE() << "no answer: " << e.what();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  const std::string up = "insgate_state_store_up{stockage=\"postgresql\"}";
  const std::string refused = "insgate_state_store_errors_total{source=\"request\"}";
  ASSERT_TRUE(wait_until([&] { return ok >= 20; }, std::chrono::seconds(20)));
  auto metrics = scrape_metrics(ws, d);
  EXPECT_EQ(metric_sample(metrics, up), 1.0);
  EXPECT_EQ(metric_sample(metrics, refused), 0.0);
  cluster.stop_server();
  const int recherches_before = recherches_ok;
  EXPECT_TRUE(wait_until([&] { return unavailable >= 5 && recherches_ok > recherches_before; },
                         std::chrono::seconds(20)))
      << "no 503 during the outage (or no recherche answered)";
  // The gauge follows the health check (every 5 s): 0 during the outage;
  // each 503 counted.
  EXPECT_TRUE(wait_until([&] { return metric_sample(scrape_metrics(ws, d), up) == 0.0; },
                         std::chrono::seconds(12)));
  EXPECT_GE(metric_sample(scrape_metrics(ws, d), refused), 5.0);
  cluster.start_server();
  restarted = true;
  EXPECT_TRUE(wait_until([&] { return ok_after_restart >= 20; }, std::chrono::seconds(30)))
      << "no recovery without a restart";
  EXPECT_TRUE(wait_until([&] { return metric_sample(scrape_metrics(ws, d), up) == 1.0; },
                         std::chrono::seconds(12)));
  stop = true;
  load.join();
  EXPECT_EQ(other, 0);

  ASSERT_TRUE(wait_until([&] {
    return pg_count(conninfo, "SELECT count(*) FROM outbox WHERE etat <> 'delivered'") == 0;
  }, std::chrono::seconds(30)));
  // Every 200 queued its event (first qualifiee, then mise_a_jour with each
  // new local identifier); a 503 recorded nothing (at most a commit whose
  // answer was lost with the connection).
  const int events = pg_count(conninfo, "SELECT count(*) FROM outbox WHERE plugin = 'journal'");
  EXPECT_GE(events, ok.load());
  EXPECT_LE(events, ok.load() + 1);
  const auto deliveries = read_journal(ws.path("journal"));
  std::set<std::string> delivered;
  for (const auto& dl : deliveries)
    if (dl.end) delivered.insert(dl.key);
  pqxx::connection pg(conninfo);
  pqxx::work w(pg);
  for (const auto& r : w.exec("SELECT cle_idempotence FROM outbox WHERE plugin = 'journal'"))
    EXPECT_TRUE(delivered.count(r[0].as<std::string>())) << "event never delivered";
  metrics = scrape_metrics(ws, d);
  EXPECT_EQ(metric_sample(metrics, refused), static_cast<double>(unavailable.load()));
  EXPECT_GE(metric_sample(metrics, "insgate_state_store_errors_total{source=\"outbox\"}"), 0.0);
  EXPECT_EQ(d.log().find("dbname="), std::string::npos) << "the conninfo must not be logged";
}

// End to end: one insgated serving several structures (issue 12), each with
// its own certificate from the generated test PKI (structure-a/b/c), against
// insi-sim, whose journal records the client certificate's subject and the
// ContexteBAM Emetteur of every call.
// Spec: local-api.md ("Caller identity": finess required with several
// structures); insi-protocol.md §2.3 (the certificate names the structure).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

constexpr const char* kA = "010000001";
constexpr const char* kB = "010000002";
constexpr const char* kC = "2A0000012";

/// One entry of `structures:`; `key` defaults to the certificate's own key.
std::string structure_yaml(const char* finess, const char* nom, const std::string& cert,
                           const std::string& appelants = "", const std::string& key = "") {
  std::string s = std::string("  - finess: \"") + finess + "\"\n    nom: \"" + nom +
                  "\"\n    categorie: \"500 - EHPAD\"\n    certificat: {certificat: pki/" + cert +
                  ".pem, cle: pki/" + (key.empty() ? cert : key) + ".key}\n";
  if (!appelants.empty()) s += "    appelants: " + appelants + "\n";
  return s;
}

/// A configuration with the given `structures:` entries.
std::string write_structures(const Workspace& ws, const std::string& name, int sim_port,
                             const std::string& structures, const std::string& api_extra = "") {
  const std::string path = ws.path(name + ".yaml");
  std::ofstream(path) << "api:\n  socket: " << ws.path(name + ".sock") << "\n  mode_socket: \"0600\"\n"
                      << api_extra << "insi:\n  url: https://localhost:" << sim_port << "/lps\n"
                      << "  environnement: test\n  ca: pki/ca.pem\n"
                      << "  delais: {connexion_ms: 2000, appel_ms: 5000, requete_ms: 15000}\n"
                      << "structures:\n" << structures
                      << "lps: {idam: \"IDAM-TEST\", instance: \"6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"}\n"
                      << "journal: {niveau: debug}\n"
                      << "etat: {repertoire: " << ws.path(name + ".etat") << "}\n"
                      << "cache: {duree_s: 0}\n"
                      << "metriques: {ecoute: \"127.0.0.1:0\"}\n";
  return path;
}

/// Structures A, B, C (certificates structure-a/b/c) with these appelants.
std::string write_config(const Workspace& ws, const std::string& name, int sim_port,
                         const std::string& appelants_a = "", const std::string& appelants_b = "",
                         const std::string& appelants_c = "", const std::string& api_extra = "") {
  return write_structures(ws, name, sim_port,
                          structure_yaml(kA, "EHPAD A", "structure-a", appelants_a) +
                              structure_yaml(kB, "SSIAD B", "structure-b", appelants_b) +
                              structure_yaml(kC, "EHPAD C", "structure-c", appelants_c),
                          api_extra);
}

/// Structures A (structure-a) and B (certificate `certificate_b`) only.
std::string ab_yaml(const std::string& certificate_b = "structure-b") {
  return structure_yaml(kA, "EHPAD A", "structure-a") + structure_yaml(kB, "SSIAD B", certificate_b);
}

json with_finess(json body, const std::string& finess) {
  body["finess"] = finess;
  return body;
}

json verification_body() {
  return {{"operateur", "u-verif"},
          {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
          {"traits", {{"nom_naissance", "ECETINSI"}, {"prenoms", {"PIERRE-ALAIN"}}, {"sexe", "M"},
                      {"date_naissance", "2009-07-14"}}}};
}


/// curl over the TLS listener with a caller certificate of the test PKI.
CurlAnswer curl_tls(const Workspace& ws, int port, const std::string& caller, const std::string& path,
                    const std::string& body = "") {
  return curl(ws, port, path, body, curl_tls_args(ws, caller));
}

}  // namespace

// Every call for a structure goes out over that structure's own certificate:
// 50 concurrent mixed requests (récupérations, vérifications) spread over
// three structures; each journal entry's Emetteur (the structure the call
// was made for) is the FINESS in its client certificate's OU, and each
// structure's calls in the journal match the appels_insi of its answers.
TEST(StructuresE2E, every_call_carries_its_structures_certificate_under_50_concurrent_requests) {
  Workspace ws;
  Simulator sim(ws, "sim");
  Daemon d(ws, "insgated", {}, write_config(ws, "insgated", sim.port()));
  const std::vector<std::string> finess{kA, kB, kC};
  const std::vector<json> bodies{
      recherche_body("ECETINSI", {"PIERRE-ALAIN", "MURIEL", "FLORIANT"}, "M", "2009-07-14"),
      recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26"),
      recherche_body("TCHITCHI", {"OLA", "CATARINA"}, "F", "1936-06-21"),
      recherche_body("HOUILLES", {"PIERRE", "PAUL", "JACQUES"}, "M", "1993-01-27"),
  };
  std::mutex m;
  std::map<std::string, int> calls_answered;  // FINESS -> sum of appels_insi
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int t = 0; t < 50; ++t) {
    threads.emplace_back([&, t] {
      try {
        LocalHttpClient c(d.socket(), std::chrono::seconds(30));
        const std::string f = finess[static_cast<std::size_t>(t) % finess.size()];
        Answer a = t % 5 == 4 ? post_json(c, "/v1/ins/verification", with_finess(verification_body(), f))
                              : post_recherche(c, with_finess(bodies[static_cast<std::size_t>(t) % bodies.size()], f));
        std::lock_guard lock(m);
        if (a.status != 200u) failures.push_back(a.raw.body);
        else calls_answered[f] += a.body["appels_insi"].get<int>();
      } catch (const std::exception& e) {
        std::lock_guard lock(m);
        failures.push_back(e.what());
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(failures.empty()) << failures.front();
  std::map<std::string, int> calls_seen;
  for (const auto& e : sim.journal()) {
    const std::string emetteur = e.value("emetteur", "");
    EXPECT_EQ(journal_client_ou(e), emetteur) << "a call for " << emetteur << " went out over "
                                       << e.value("client_subject", "");
    calls_seen[emetteur] += 1;
  }
  EXPECT_EQ(calls_seen, calls_answered);
  EXPECT_EQ(calls_seen.size(), 3u);
  // Structure C's certificate is the INSI-MANU one.
  for (const auto& e : sim.journal()) {
    if (e.value("emetteur", "") == kC) {
      EXPECT_EQ(e["client_cn"], "INSI-MANU");
    }
  }
}

// With several structures, finess is required; an unknown one is refused;
// in both cases before any INSi call.
TEST(StructuresE2E, missing_or_unknown_finess_is_400_before_any_call) {
  Workspace ws;
  Simulator sim(ws, "sim");
  Daemon d(ws, "insgated", {}, write_config(ws, "insgated", sim.port()));
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  auto missing = post_recherche(c, body);
  EXPECT_EQ(missing.status, 400u) << missing.raw.body;
  EXPECT_EQ(missing.body["code"], "requete_invalide");
  EXPECT_EQ(missing.body["errors"][0]["champ"], "finess");
  auto unknown = post_recherche(c, with_finess(body, "999999999"));
  EXPECT_EQ(unknown.status, 400u) << unknown.raw.body;
  EXPECT_THAT(unknown.body.value("detail", ""), HasSubstr("finess"));
  auto q = post_json(c, "/v1/ins/verification", verification_body());
  EXPECT_EQ(q.status, 400u);
  EXPECT_TRUE(sim.journal().empty()) << "INSi must not be called";
  // /v1/health lists each structure's certificate.
  auto h = get_json(c, "/v1/health");
  ASSERT_EQ(h.status, 200u);
  ASSERT_EQ(h.body["structures"].size(), 3u);
  EXPECT_EQ(h.body["structures"][2]["finess"], kC);
  EXPECT_GT(h.body["structures"][2]["certificat"]["jours_restants"].get<int>(), 30);
}

// A caller bound to A naming B gets 403 appelant_non_autorise: nothing is
// called, cached or counted. On the Unix socket (uid) and on the TLS
// listener (client certificate subject).
TEST(StructuresE2E, caller_bound_to_a_naming_b_is_refused_and_nothing_is_called_or_counted) {
  Workspace ws;
  Simulator sim(ws, "sim");
  const int port = unused_port();
  const std::string tls = "  tcp:\n    ecoute: \"127.0.0.1:" + std::to_string(port) +
                          "\"\n    tls: {certificat: pki/server.pem, cle: pki/server.key, ca_clients: pki/ca.pem}\n";
  const std::string me = std::to_string(::getuid());
  Daemon d(ws, "insgated", {},
           write_config(ws, "insgated", sim.port(),
                        "{utilisateurs: [\"" + me + "\"], certificats: [\"OU=client-a\"]}",
                        "{utilisateurs: [\"65534\"], certificats: [\"CN=soins-b\"]}", "", tls));
  ASSERT_TRUE(wait_until([&] { return d.log().find("[API_TCP]") != std::string::npos; }));
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");

  auto refused = post_recherche(c, with_finess(body, kB));
  EXPECT_EQ(refused.status, 403u) << refused.raw.body;
  EXPECT_EQ(refused.body["code"], "appelant_non_autorise");
  auto q = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(kB));
  EXPECT_EQ(q.status, 403u) << q.raw.body;
  auto tls_refused = curl_tls(ws, port, "caller-a", "/v1/ins/recherche", with_finess(body, kB).dump());
  EXPECT_EQ(tls_refused.status, 403u) << tls_refused.raw;
  EXPECT_EQ(tls_refused.body["code"], "appelant_non_autorise");
  EXPECT_TRUE(sim.journal().empty()) << "INSi must not be called";

  // The socket's caller may act for A and for the open structure C.
  EXPECT_EQ(post_recherche(c, with_finess(body, kA)).status, 200u);
  auto by_tls = curl_tls(ws, port, "caller-a", "/v1/ins/recherche", with_finess(body, kA).dump());
  EXPECT_EQ(by_tls.status, 200u) << by_tls.raw;
  EXPECT_EQ(post_recherche(c, with_finess(body, kC)).status, 200u);
  ASSERT_EQ(sim.journal().size(), 3u);

  // Nothing was counted for B: its row, seen by B's own caller, is empty.
  const std::string mois = [] {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[8];
    std::strftime(buf, sizeof buf, "%Y-%m", &tm);
    return std::string(buf);
  }();
  auto b_stats = curl_tls(ws, port, "caller-b", "/v1/stats/mensuel?mois=" + mois + "&finess=" + kB);
  ASSERT_EQ(b_stats.status, 200u) << b_stats.raw;
  ASSERT_EQ(b_stats.body["lignes"].size(), 1u) << b_stats.raw;
  EXPECT_EQ(b_stats.body["lignes"][0]["finess"], kB);
  EXPECT_EQ(b_stats.body["lignes"][0]["sollicitations_insi"], 0);
  // B's caller sees B and the open C, not A; A's figures are A's own.
  auto visible = curl_tls(ws, port, "caller-b", "/v1/stats/mensuel?mois=" + mois);
  ASSERT_EQ(visible.status, 200u) << visible.raw;
  std::vector<std::string> rows;
  for (const auto& l : visible.body["lignes"]) rows.push_back(l["finess"]);
  EXPECT_EQ(rows, (std::vector<std::string>{kB, kC}));
  auto a_stats = get_json(c, "/v1/stats/mensuel?mois=" + mois + "&finess=" + kA);
  ASSERT_EQ(a_stats.status, 200u);
  EXPECT_EQ(a_stats.body["lignes"][0]["sollicitations_insi"], 2);
  EXPECT_EQ(get_json(c, "/v1/stats/mensuel?mois=" + mois + "&finess=" + kB).status, 403u);
}

// SIGHUP adds and removes structures as a transaction while requests keep
// coming: a removed structure's FINESS becomes unknown, an added one is
// served with its own certificate, and a new configuration with a broken
// certificate (key of another certificate) keeps the running one.
TEST(StructuresE2E, reload_adds_and_removes_structures_under_load_and_refuses_a_broken_certificate) {
  Workspace ws;
  Simulator sim(ws, "sim");
  const auto ab = ab_yaml();
  Daemon d(ws, "insgated", {}, write_structures(ws, "insgated", sim.port(), ab));
  auto body = recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26");
  std::atomic<bool> stop{false};
  std::atomic<int> served{0}, failed{0};
  std::thread load([&] {  // A stays configured throughout
    LocalHttpClient c(d.socket(), std::chrono::seconds(30));
    while (!stop) {
      auto a = post_recherche(c, with_finess(body, kA));
      (a.status == 200u ? served : failed)++;
    }
  });
  LocalHttpClient c(d.socket());
  ASSERT_EQ(post_recherche(c, with_finess(body, kB)).status, 200u);
  EXPECT_EQ(post_recherche(c, with_finess(body, kC)).status, 400u);

  // B removed, C added.
  write_structures(ws, "insgated", sim.port(),
                   structure_yaml(kA, "EHPAD A", "structure-a") + structure_yaml(kC, "EHPAD C", "structure-c"));
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return d.log().find("configuration and certificates reloaded") != std::string::npos; }));
  EXPECT_EQ(post_recherche(c, with_finess(body, kB)).status, 400u);
  EXPECT_EQ(post_recherche(c, with_finess(body, kC)).status, 200u);

  // A broken certificate for a new structure: refused, the running setup kept.
  write_structures(ws, "insgated", sim.port(),
                   structure_yaml(kA, "EHPAD A", "structure-a") + structure_yaml(kC, "EHPAD C", "structure-c") +
                       structure_yaml(kB, "SSIAD B", "structure-b", "", "client"));
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return d.log().find("new configuration refused") != std::string::npos; }));
  EXPECT_THAT(d.log(), HasSubstr("structures[2] (FINESS 010000002)"));
  EXPECT_EQ(post_recherche(c, with_finess(body, kB)).status, 400u);
  EXPECT_EQ(post_recherche(c, with_finess(body, kC)).status, 200u);

  stop = true;
  load.join();
  EXPECT_EQ(failed, 0);
  EXPECT_GT(served, 0);
  for (const auto& e : sim.journal())
    EXPECT_EQ(journal_client_ou(e), e.value("emetteur", "")) << e.value("client_subject", "");
}

// State partitioned by structure: A's cached answer never answers B (B's
// request goes to INSi with B's certificate), and an identity retrieved and
// qualified at A is unknown at C (409: never retrieved via INSi there).
TEST(StructuresE2E, cache_and_qualification_are_per_structure) {
  Workspace ws;
  Simulator sim(ws, "sim");
  const std::string path = write_config(ws, "insgated", sim.port());
  {  // the cache on
    std::string text = read_file(path);
    text.replace(text.find("cache: {duree_s: 0}"), 19, "cache: {duree_s: 3600}");
    std::ofstream(path) << text;
  }
  Daemon d(ws, "insgated", {}, path);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  auto a1 = post_recherche(c, with_finess(body, kA));
  ASSERT_EQ(a1.status, 200u) << a1.raw.body;
  EXPECT_EQ(a1.body["source"], "insi");
  EXPECT_EQ(post_recherche(c, with_finess(body, kA)).body["source"], "cache");
  auto b1 = post_recherche(c, with_finess(body, kB));
  EXPECT_EQ(b1.body["source"], "insi") << "A's answer must not answer B";
  EXPECT_EQ(b1.body["appels_insi"], 1);
  const auto journal = sim.journal();
  ASSERT_EQ(journal.size(), 2u);
  EXPECT_EQ(journal_client_ou(journal[0]), kA);
  EXPECT_EQ(journal_client_ou(journal[1]), kB);

  auto qualification = [&](const char* finess) {
    return post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(finess));
  };
  auto qa = qualification(kA);
  ASSERT_EQ(qa.status, 200u) << qa.raw.body;
  EXPECT_EQ(qa.body["statut"], "qualifiee");
  auto qc = qualification(kC);
  EXPECT_EQ(qc.status, 409u) << qc.raw.body;
  EXPECT_EQ(qc.body["code"], "statut_incompatible");
}

// A plugin instance limited to one structure receives only that structure's
// events, and each event names its FINESS (plugin ABI 1.2): one spool
// directory per structure (issue 12).
TEST(StructuresE2E, plugin_instances_receive_only_their_structures_events_with_the_finess) {
  Workspace ws;
  Simulator sim(ws, "sim");
  const std::string path =
      write_structures(ws, "insgated", sim.port(),
                       ab_yaml());
  for (const char* dir : {"spool-a", "spool-b"}) std::filesystem::create_directories(ws.path(dir));
  std::ofstream(path, std::ios::app)
      << "plugins:\n"
      << "  - {nom: spool-a, chemin: " << INSGATE_PLUGIN_SPOOL << ", structures: [\"" << kA
      << "\"], config: {repertoire: " << ws.path("spool-a") << ", format: json}}\n"
      << "  - {nom: spool-b, chemin: " << INSGATE_PLUGIN_SPOOL << ", structures: [\"" << kB
      << "\"], config: {repertoire: " << ws.path("spool-b") << ", format: json}}\n";
  Daemon d(ws, "insgated", {}, path);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  for (const char* finess : {kA, kB}) {
    auto r = post_recherche(c, with_finess(body, finess));
    ASSERT_EQ(r.status, 200u) << r.raw.body;
  }
  auto qualify = [&](const char* finess, const char* ipp) {
    auto q = post_json(c, "/v1/ins/qualification", ecetinsi_qualification_body(finess, ipp));
    ASSERT_EQ(q.status, 200u) << q.raw.body;
  };
  qualify(kA, "IPP-A-1");
  qualify(kB, "IPP-B-1");
  auto files_in = [&](const char* dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(ws.path(dir)))
      if (e.path().filename().string()[0] != '.') out.push_back(read_file(e.path().string()));
    return out;
  };
  ASSERT_TRUE(wait_until([&] { return files_in("spool-a").size() + files_in("spool-b").size() >= 2; }))
      << d.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // nothing more arrives
  for (const auto& [dir, finess, ipp] : {std::tuple{"spool-a", kA, "IPP-A-1"},
                                         std::tuple{"spool-b", kB, "IPP-B-1"}}) {
    auto files = files_in(dir);
    ASSERT_EQ(files.size(), 1u) << dir;
    auto doc = json::parse(files[0]);
    EXPECT_EQ(doc["finess"], finess) << dir;
    EXPECT_EQ(doc["identifiant_local"], ipp) << dir;
    EXPECT_EQ(doc["evenement"], "qualifiee");
  }
}

// A structure whose certificate INSi refuses at the TLS handshake (here one
// signed by a CA insi-sim does not trust) trips its own breaker only: the
// other structure's calls go on, the endpoint's shared breaker stays closed,
// and /v1/health names the refused structure (issue 12).
TEST(StructuresE2E, a_refused_certificate_opens_only_its_structures_breaker) {
  Workspace ws;
  Simulator sim(ws, "sim");
  const std::string path =
      write_structures(ws, "insgated", sim.port(),
                       ab_yaml("client-otherca"));
  {
    std::string text = read_file(path);
    const std::string delais = "  delais: {";
    text.insert(text.find(delais), "  circuit: {echecs: 2, pause_ms: 60000}\n");
    std::ofstream(path) << text;
  }
  Daemon d(ws, "insgated", {}, path);
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  for (int i = 0; i < 3; ++i) {
    auto b = post_recherche(c, with_finess(body, kB));
    EXPECT_EQ(b.status, 503u) << b.raw.body;
    EXPECT_EQ(b.body["code"], "insi_indisponible");
  }
  EXPECT_THAT(d.log(), HasSubstr("TLS handshake failures with this structure's certificate"))
      << "the third request is refused by B's own breaker";
  for (int i = 0; i < 3; ++i) {
    auto a = post_recherche(c, with_finess(body, kA));
    ASSERT_EQ(a.status, 200u) << "A must not be cut off by B's certificate: " << a.raw.body;
    EXPECT_EQ(a.body["appels_insi"], 1);
  }
  const auto journal = sim.journal();
  ASSERT_EQ(journal.size(), 3u) << "only A's calls reached INSi";
  for (const auto& e : journal) EXPECT_EQ(journal_client_ou(e), kA);

  auto h = get_json(c, "/v1/health");
  ASSERT_EQ(h.status, 200u);
  EXPECT_EQ(h.body["statut"], "degrade");
  EXPECT_EQ(h.body["insi"]["circuit"], "ferme") << "the endpoint's breaker is shared";
  ASSERT_EQ(h.body["structures"].size(), 2u);
  EXPECT_EQ(h.body["structures"][0]["circuit"], "ferme");
  EXPECT_TRUE(h.body["structures"][0]["refus"].is_null());
  EXPECT_EQ(h.body["structures"][1]["circuit"], "ouvert");
  EXPECT_EQ(h.body["structures"][1]["refus"]["famille"], "tls");
  EXPECT_EQ(h.body["insi"]["refus"]["famille"], "tls");
}

// Adversarial: a hostile or broken INSi endpoint (issue 22). Found by the
// attack session: a 306 KB gzip answer became a 300 MB NomNaissance
// (gSOAP, built with zlib, inflated it), with gigabytes of RSS, the event
// loop frozen, the call deadline ignored, and the value cached in memory and
// in SQLite. Here insi-sim serves such answers from a dataset written by the
// test; each must be a 502 within the call deadline, with RSS bounded and
// nothing cached, while a clean answer is still served and cached.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "adversarial_env.hpp"

namespace insgate::testing::adv {
namespace {

namespace fs = std::filesystem;

/// A CR 00 RESULTAT as INSi sends it (the synthetic INS of the default
/// dataset, valid key), with `nom` as TIQ/NomNaissance.
std::string resultat(const std::string& nom) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"><soap:Body>"
         "<RESULTAT xmlns=\"http://www.cnamts.fr/INSiResultat\"><CR><CodeCR>00</CodeCR>"
         "<LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu>"
         "<NumIdentifiant>1900163220123</NumIdentifiant><Cle>33</Cle></IdIndividu>"
         "<OID>1.2.250.1.213.1.4.8</OID></INSACTIF><TIQ><NomNaissance>" +
         nom +
         "</NomNaissance><ListePrenom>PAUL</ListePrenom><Sexe>M</Sexe>"
         "<DateNaissance>1990-01-01</DateNaissance><LieuNaissance>63220</LieuNaissance></TIQ>"
         "</INDIVIDU></RESULTAT></soap:Body></soap:Envelope>";
}

/// The gzip bomb: resultat() with a NomNaissance of `megabytes` MiB of 'A',
/// compressed (about 1000:1).
std::string gzip_bomb(std::size_t megabytes) {
  const std::string marker = "@NOM@";
  const std::string whole = resultat(marker);
  const std::string head = whole.substr(0, whole.find(marker));
  const std::string tail = whole.substr(whole.find(marker) + marker.size());
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out;
  std::string chunk(256 * 1024, '\0');
  auto put = [&](const std::string& in, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      deflate(&z, flush);
      out.append(chunk.data(), chunk.size() - z.avail_out);
    } while (z.avail_out == 0);
  };
  put(head, Z_NO_FLUSH);
  const std::string mib(1024 * 1024, 'A');
  for (std::size_t i = 0; i < megabytes; ++i) put(mib, Z_NO_FLUSH);
  put(tail, Z_FINISH);
  deflateEnd(&z);
  return out;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

/// Everything under `dir` (the daemon's state: SQLite file, WAL) as bytes.
std::string all_bytes_under(const std::string& dir) {
  std::string all;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) all += read_file(e.path().string());
  return all;
}

struct Person {
  const char* nom;
  std::string answer_yaml;  ///< lines inside `answer:` (8-space indented)
};

class InsiAnswerBounds : public ::testing::Test {
 protected:
  void SetUp() override {
    write(ws.path("bomb.gz"), gzip_bomb(256));
    ASSERT_LT(fs::file_size(ws.path("bomb.gz")), 1024u * 1024) << "fits the 1 MiB transport cap";
    write(ws.path("longnom.xml"), resultat(std::string(100 * 1000, 'A')));
    write(ws.path("ok.xml"), resultat("CORRECT"));
    // A chunked answer whose first chunk-size line never ends (2 MiB of
    // extension), then the connection closes.
    write(ws.path("chunkext.http"),
          "HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nTransfer-Encoding: chunked"
          "\r\n\r\n1;" + std::string(2 * 1024 * 1024, 'e'));
    const Person persons[] = {
        {"BOMBE", "        replay: \"" + ws.path("bomb.gz") + "\"\n        content_encoding: gzip\n"},
        {"GZIPNU", "        replay: \"" + ws.path("bomb.gz") + "\"\n"},
        {"LONGNOM", "        replay: \"" + ws.path("longnom.xml") + "\"\n"},
        {"CHUNKEXT",
         "        replay: \"" + ws.path("chunkext.http") + "\"\n        raw_http: true\n"},
        {"CORRECT", "        replay: \"" + ws.path("ok.xml") + "\"\n"},
    };
    std::string yaml = "persons:\n";
    for (const auto& p : persons)
      yaml += std::string("  - nom_naissance: ") + p.nom +
              "\n    prenoms: [PAUL]\n    sexe: M\n    date_naissance: \"1990-01-01\"\n"
              "    answer:\n" + p.answer_yaml;
    write(ws.path("dataset.yaml"), yaml);
    sim = std::make_unique<SimProcess>(ws, "sim", 0, ws.path("dataset.yaml"));
    DaemonOptions opt;
    opt.port = sim->port();
    opt.call_ms = 5000;
    opt.request_ms = 15000;
    opt.cache_ttl_s = 3600;  // a clean answer is cached: the bad ones must not be
    daemon = std::make_unique<AdvDaemon>(ws, "d", opt);
    client = std::make_unique<net::LocalHttpClient>(daemon->socket(), std::chrono::seconds(30));
  }

  Answer search(const std::string& nom) {
    return post_recherche(*client, recherche_body(nom, {"PAUL"}, "M", "1990-01-01"));
  }

  Workspace ws;
  std::unique_ptr<SimProcess> sim;
  std::unique_ptr<AdvDaemon> daemon;
  std::unique_ptr<net::LocalHttpClient> client;
};

TEST_F(InsiAnswerBounds, bombs_and_oversized_values_are_502_within_the_deadline_and_never_cached) {
  // Control: a clean answer is served, then served from the cache.
  auto ok = search("CORRECT");
  ASSERT_EQ(ok.status, 200u) << ok.raw.body;
  EXPECT_EQ(ok.body["source"], "insi");
  const std::size_t posts_after_ok = sim->posts_received();
  EXPECT_GE(posts_after_ok, 1u);
  EXPECT_EQ(search("CORRECT").body["source"], "cache");
  EXPECT_EQ(sim->posts_received(), posts_after_ok)
      << "control: a cached answer does not reach INSi (so the check below means something)";
  const long baseline = rss_kib(daemon->pid());

  std::atomic<bool> done{false};
  std::atomic<long> peak{0};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), rss_kib(daemon->pid()));
      std::this_thread::sleep_for(20ms);
    }
  });
  for (const char* nom : {"BOMBE", "GZIPNU", "LONGNOM", "CHUNKEXT"}) {
    SCOPED_TRACE(nom);
    for (int attempt = 0; attempt < 2; ++attempt) {  // the second one is not served from cache
      const std::size_t posts_before = sim->posts_received();
      const auto started = std::chrono::steady_clock::now();
      auto a = search(nom);
      const auto took = std::chrono::steady_clock::now() - started;
      EXPECT_GT(sim->posts_received(), posts_before)
          << "attempt " << attempt << " reached INSi: nothing was cached by the one before";
      EXPECT_EQ(a.status, 502u) << a.raw.body;
      EXPECT_EQ(a.body["code"], "insi_erreur") << a.raw.body;
      EXPECT_GE(a.body["appels_insi"].get<int>(), 1) << "reached INSi, not the cache";
      EXPECT_LT(took, 5s) << "within the call deadline (call_ms 5000)";
      EXPECT_EQ(a.raw.body.find("AAAAAAAA"), std::string::npos);
    }
  }
  done = true;
  sampler.join();
  const long settled = rss_kib(daemon->pid());
  const long peak_slack = kSanitized ? 1024 * 1024 : 64 * 1024;
  const long settled_slack = kSanitized ? 512 * 1024 : 16 * 1024;
  EXPECT_LE(peak.load(), baseline + peak_slack) << "RSS " << baseline << " KiB, peak " << peak;
  EXPECT_LE(settled, baseline + settled_slack) << "RSS " << baseline << " KiB -> " << settled;

  EXPECT_EQ(health_status(daemon->socket()), 200);
  EXPECT_EQ(all_bytes_under(ws.path("d.etat")).find(std::string(64, 'A')), std::string::npos)
      << "no oversized value reached the state store";
  EXPECT_TRUE(daemon->running());
}

}  // namespace
}  // namespace insgate::testing::adv

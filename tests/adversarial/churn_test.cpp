// Adversarial: 2,000 connections opened and dropped without a complete
// request; the daemon's descriptors (and memory) return to baseline (issue 7).
// INSi calls that expire or are reset release their connections (issue 4).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "adversarial_env.hpp"

namespace insgate::testing::adv {
namespace {

TEST(Churn, two_thousand_dropped_connections_leave_no_descriptor_behind) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  AdvDaemon d(ws, "churn", opt, "  delai_entete_ms: 2000\n  delai_inactivite_ms: 3000\n");
  ASSERT_EQ(health_status(d.socket()), 200);
  std::this_thread::sleep_for(200ms);
  int baseline_fds = fd_count(d.pid());
  long baseline_rss = rss_kib(d.pid());
  ASSERT_GT(baseline_fds, 0);

  constexpr int kTotal = 2000, kBatch = 250;  // batch below api.connexions_max (512)
  int opened = 0;
  for (int done = 0; done < kTotal; done += kBatch) {
    std::vector<std::unique_ptr<RawConn>> batch;
    for (int i = 0; i < kBatch; ++i) {
      batch.push_back(std::make_unique<RawConn>(d.socket()));
      ++opened;
      // A third send the start of a request line before dropping.
      if (i % 3 == 1) batch.back()->send("GET /v1/he");
      if (i % 3 == 2) batch.back()->send("POST /v1/ins/recherche HTTP/1.1\r\nContent-Length: 90\r\n\r\n{");
    }
    // While they are open the daemon still answers.
    EXPECT_EQ(health_status(d.socket()), 200) << "after " << opened << " connections";
    batch.clear();  // dropped
  }
  EXPECT_EQ(opened, kTotal);

  int fds = -1;
  bool back = wait_until(
      [&] {
        fds = fd_count(d.pid());
        return fds <= baseline_fds;
      },
      10s);
  EXPECT_TRUE(back) << "descriptors: baseline " << baseline_fds << ", now " << fds;
  long rss = rss_kib(d.pid());
  EXPECT_LE(rss, baseline_rss + (kSanitized ? 256 * 1024 : 16 * 1024))
      << "RSS " << baseline_rss << " KiB -> " << rss << " KiB";
  EXPECT_EQ(health_status(d.socket()), 200);
  EXPECT_TRUE(d.running());
}

// Issue 4, deadlines: an INSi call that expires or is cut releases its
// connection. 40 calls time out and 20 are reset, four at a time; afterwards
// the daemon holds no more descriptors than with its one pooled connection.
TEST(Churn, expired_and_reset_insi_calls_leave_no_connection_behind) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.call_ms = 200;  // LENT answers after 5 s
  opt.request_ms = 400;
  opt.circuit_failures = 1000;  // every call must really go out
  AdvDaemon d(ws, "deadlines", opt);
  const std::string valid = valid_recherche_body();
  auto recherche = [&](const std::string& nom) {
    return exchange(d.socket(), post("/v1/ins/recherche",
                                     nom.empty() ? valid
                                                 : "{\"operateur\":\"u-1\",\"traits\":{"
                                                   "\"nom_naissance\":\"" + nom + "\","
                                                   "\"prenoms\":[\"" + (nom == "LENT" ? "PAUL" : "JEAN") + "\"],"
                                                   "\"sexe\":\"M\",\"date_naissance\":\"1990-01-01\"}}",
                                     true),
                    10s);
  };
  ASSERT_EQ(recherche(""), 200);
  std::this_thread::sleep_for(200ms);
  const int baseline_fds = fd_count(d.pid());
  ASSERT_GT(baseline_fds, 0);

  std::vector<std::thread> callers;
  std::vector<std::vector<int>> statuses(4);
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) statuses[t].push_back(recherche(i % 3 == 2 ? "COUPURE" : "LENT"));
    });
  std::atomic<int> peak{0};
  std::atomic<bool> done{false};
  std::thread watch([&] {  // proves the test sees the calls' connections
    while (!done) {
      peak = std::max(peak.load(), fd_count(d.pid()));
      std::this_thread::sleep_for(20ms);
    }
  });
  for (auto& c : callers) c.join();
  done = true;
  watch.join();
  EXPECT_GT(peak.load(), baseline_fds) << "no INSi connection was ever seen open";
  RecordProperty("fds_baseline_peak", std::to_string(baseline_fds) + "/" + std::to_string(peak));
  for (const auto& per_thread : statuses)
    for (std::size_t i = 0; i < per_thread.size(); ++i)
      EXPECT_EQ(per_thread[i], i % 3 == 2 ? 503 : 504) << "call " << i;

  EXPECT_EQ(recherche(""), 200) << "the next call works";
  int fds = -1;
  bool back = wait_until(
      [&] {
        fds = fd_count(d.pid());
        return fds <= baseline_fds + 1;  // the pool may have replaced its connection
      },
      5s);
  EXPECT_TRUE(back) << "descriptors: baseline " << baseline_fds << ", now " << fds;
  EXPECT_TRUE(d.running());
}

}  // namespace
}  // namespace insgate::testing::adv

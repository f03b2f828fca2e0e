// Adversarial: 2,000 connections opened and dropped without a complete
// request; the daemon's descriptors (and memory) return to baseline (issue 7).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

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
  AdvDaemon d(ws, "churn", opt, "  header_timeout_ms: 2000\n  idle_timeout_ms: 3000\n");
  ASSERT_EQ(health_status(d.socket()), 200);
  std::this_thread::sleep_for(200ms);
  int baseline_fds = fd_count(d.pid());
  long baseline_rss = rss_kib(d.pid());
  ASSERT_GT(baseline_fds, 0);

  constexpr int kTotal = 2000, kBatch = 250;  // batch below api.max_connections (512)
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

}  // namespace
}  // namespace insgate::testing::adv

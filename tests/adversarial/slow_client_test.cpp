// Adversarial: slow clients. Headers trickled byte by byte are cut at the
// header deadline; a body announced but never sent times out (408 or close);
// neither blocks other clients meanwhile (issue 7).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "adversarial_env.hpp"

namespace insgate::testing::adv {
namespace {

constexpr int kHeaderTimeoutMs = 800;
constexpr int kIdleTimeoutMs = 1200;
const std::string kApiExtra = "  delai_entete_ms: " + std::to_string(kHeaderTimeoutMs) +
                              "\n  delai_inactivite_ms: " + std::to_string(kIdleTimeoutMs) + "\n";

/// Polls /v1/health on fresh connections until `stop`; records the worst
/// latency and the number of failures.
struct HealthProbe {
  explicit HealthProbe(std::string socket) : socket_(std::move(socket)) {
    thread_ = std::thread([this] {
      while (!stop_) {
        auto t0 = std::chrono::steady_clock::now();
        int s = health_status(socket_, 3s);
        auto ms = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0).count();
        if (s != 200) ++failures_;
        ++count_;
        long w = worst_ms_.load();
        while (ms > w && !worst_ms_.compare_exchange_weak(w, ms)) {
        }
        std::this_thread::sleep_for(20ms);
      }
    });
  }
  ~HealthProbe() { finish(); }
  void finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::string socket_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0}, count_{0};
  std::atomic<long> worst_ms_{0};
  std::thread thread_;
};

class SlowClient : public ::testing::Test {
 protected:
  Workspace ws;
};

TEST_F(SlowClient, header_trickled_byte_by_byte_is_cut_at_the_deadline_others_served) {
  DaemonOptions opt;
  opt.port = unused_port();  // no INSi needed
  AdvDaemon d(ws, "slow", opt, kApiExtra);
  HealthProbe probe(d.socket());

  const std::string header =
      "POST /v1/ins/recherche HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + std::string(400, 'a') +
      "\r\n\r\n";
  constexpr int kTricklers = 16;
  std::vector<long> cut_after_ms(kTricklers, -1);
  std::vector<int> statuses(kTricklers, -1);
  std::vector<std::thread> tricklers;
  for (int i = 0; i < kTricklers; ++i)
    tricklers.emplace_back([&, i] {
      RawConn c(d.socket());
      auto t0 = std::chrono::steady_clock::now();
      auto limit = t0 + 6s;
      for (std::size_t k = 0; k < header.size() && std::chrono::steady_clock::now() < limit; ++k) {
        if (!c.send(std::string_view(header).substr(k, 1))) break;  // cut: EPIPE
        // Cut? A 408 (or EOF) may already be waiting.
        int s = c.read_status(20ms);
        if (s != 0 || c.closed()) {
          statuses[i] = s;
          break;
        }
      }
      if (statuses[i] == -1) {
        int s = c.read_status(Ms(3 * kHeaderTimeoutMs));
        statuses[i] = s;
      }
      if (statuses[i] != 0 || c.closed() || c.wait_closed(2s))
        cut_after_ms[i] =
            std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0).count();
    });
  for (auto& t : tricklers) t.join();
  probe.finish();

  for (int i = 0; i < kTricklers; ++i) {
    SCOPED_TRACE("trickler " + std::to_string(i));
    EXPECT_EQ(statuses[i], 408) << "a started request that times out is answered 408";
    ASSERT_GE(cut_after_ms[i], 0) << "connection never cut";
    EXPECT_GE(cut_after_ms[i], kHeaderTimeoutMs - 100);
    EXPECT_LE(cut_after_ms[i], kHeaderTimeoutMs + (kSanitized ? 3000 : 1500));
  }
  EXPECT_EQ(probe.failures_, 0);
  EXPECT_GT(probe.count_, 10);
  EXPECT_LT(probe.worst_ms_, kSanitized ? 1500 : 500) << "health was delayed by slow clients";
  EXPECT_EQ(health_status(d.socket()), 200);
}

TEST_F(SlowClient, body_announced_but_never_sent_times_out_without_blocking_others) {
  DaemonOptions opt;
  opt.port = unused_port();
  AdvDaemon d(ws, "stall", opt, kApiExtra);
  HealthProbe probe(d.socket());

  constexpr int kStallers = 16;
  std::vector<int> statuses(kStallers, -1);
  std::vector<long> after_ms(kStallers, -1);
  std::vector<std::thread> stallers;
  for (int i = 0; i < kStallers; ++i)
    stallers.emplace_back([&, i] {
      RawConn c(d.socket());
      std::string req = "POST /v1/ins/recherche HTTP/1.1\r\nHost: localhost\r\n"
                        "Content-Type: application/json\r\nContent-Length: 500\r\n";
      if (i % 4 == 3) req += "Expect: 100-continue\r\n";
      req += "\r\n";
      if (i % 2 == 1) req += "{\"operateur\":\"u-1\",";  // part of the body, then nothing
      auto t0 = std::chrono::steady_clock::now();
      c.send(req);
      statuses[i] = c.read_status(Ms(kIdleTimeoutMs + 4000));
      if (statuses[i] != 0 || c.closed() || c.wait_closed(2s))
        after_ms[i] = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0).count();
    });
  for (auto& t : stallers) t.join();
  probe.finish();

  for (int i = 0; i < kStallers; ++i) {
    SCOPED_TRACE("staller " + std::to_string(i));
    EXPECT_EQ(statuses[i], 408) << "a started request that times out is answered 408";
    ASSERT_GE(after_ms[i], 0) << "connection never timed out";
    EXPECT_GE(after_ms[i], kIdleTimeoutMs - 100);
    EXPECT_LE(after_ms[i], kIdleTimeoutMs + (kSanitized ? 3000 : 1500));
  }
  EXPECT_EQ(probe.failures_, 0);
  EXPECT_GT(probe.count_, 10);
  EXPECT_LT(probe.worst_ms_, kSanitized ? 1500 : 500);
}

}  // namespace
}  // namespace insgate::testing::adv

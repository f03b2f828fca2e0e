// Adversarial: what a caller can make the daemon hold while reading one
// request (issue 22). Found by the attack session: an endless chunk
// extension (`1;aaaa…`) was buffered until idle_timeout, and 20 such callers
// under a 1.2 GB address-space limit ended the daemon (std::bad_alloc out of
// io.run()). Now chunk-size lines, trailers and header fields have small
// bounds (api/request_reader.hpp); each such request is answered 4xx and
// closed, memory comes back, and other callers are served throughout.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>
#include <vector>

#include "adversarial_env.hpp"

namespace insgate::testing::adv {
namespace {

const std::string kChunkedHead =
    "POST /v1/ins/recherche HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

/// One caller that never finishes its chunk extension: it sends `prefix`,
/// then `filler` bytes until the daemon stops reading or `cap` bytes are
/// sent. The status it got back (0: none) and whether the daemon closed.
struct FloodResult {
  int status = 0;
  bool closed = false;
};
FloodResult flood(const std::string& socket, const std::string& prefix, char filler,
                  std::size_t cap = 16 * 1024 * 1024) {
  RawConn c(socket);
  FloodResult r;
  if (!c.send(prefix)) return r;
  const std::string block(16 * 1024, filler);
  for (std::size_t sent = 0; sent < cap; sent += block.size())
    if (!c.send(block)) break;  // the daemon answered, drained for a while, closed
  r.status = c.read_status(5s);
  r.closed = c.wait_closed(5s);
  return r;
}

/// Peak RSS of `pid` while `work` runs (sampled every 20 ms).
template <class Work>
long peak_rss_during(pid_t pid, Work work) {
  std::atomic<bool> done{false};
  std::atomic<long> peak{0};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), rss_kib(pid));
      std::this_thread::sleep_for(20ms);
    }
  });
  work();
  done = true;
  sampler.join();
  return peak;
}

// Under AddressSanitizer freed memory stays in quarantine and allocations
// carry shadow memory (see refusal_storm_test.cpp): looser bounds there.
const long kSettledSlackKib = kSanitized ? 512 * 1024 : 16 * 1024;
const long kPeakSlackKib = kSanitized ? 1024 * 1024 : 48 * 1024;

class RequestBounds : public ::testing::Test {
 protected:
  Workspace ws;
  DaemonOptions opt;
};

TEST_F(RequestBounds, chunk_extension_flood_is_refused_and_memory_comes_back) {
  AdvDaemon d(ws, "ext", opt);
  ASSERT_EQ(health_status(d.socket()), 200);
  const long baseline = rss_kib(d.pid());
  std::vector<FloodResult> results(20);
  const long peak = peak_rss_during(d.pid(), [&] {
    std::vector<std::thread> callers;
    for (auto& r : results)
      callers.emplace_back([&] { r = flood(d.socket(), kChunkedHead + "1;", 'a'); });
    for (auto& t : callers) t.join();
  });
  for (const auto& r : results) {
    EXPECT_EQ(r.status, 400) << "an endless chunk extension is answered 400";
    EXPECT_TRUE(r.closed) << "and the connection closed";
  }
  std::this_thread::sleep_for(1500ms);  // every drain is over (1 s bound)
  const long settled = rss_kib(d.pid());
  EXPECT_LE(peak, baseline + kPeakSlackKib) << "RSS " << baseline << " KiB, peak " << peak;
  EXPECT_LE(settled, baseline + kSettledSlackKib) << "RSS " << baseline << " KiB -> " << settled;
  EXPECT_EQ(health_status(d.socket()), 200);
  EXPECT_TRUE(d.running());
}

TEST_F(RequestBounds, oversized_chunk_size_lines_trailers_and_header_fields_are_refused) {
  AdvDaemon d(ws, "sizes", opt);
  struct Case {
    const char* name;
    std::string bytes;
    int status;
  };
  std::string trailers;
  for (int i = 0; trailers.size() < 10 * 1024; ++i)
    trailers += "X-T" + std::to_string(i) + ": " + std::string(60, 't') + "\r\n";
  std::string many_fields = "GET /v1/health HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; many_fields.size() < 20 * 1024; ++i)
    many_fields += "X-F" + std::to_string(i) + ": " + std::string(60, 'f') + "\r\n";
  const Case cases[] = {
      {"chunk-size line of 5000 leading zeros", kChunkedHead + std::string(5000, '0'), 400},
      {"chunk extension of 5000 bytes, then its end",
       kChunkedHead + "2;e=" + std::string(5000, 'e') + "\r\nab\r\n0\r\n\r\n", 400},
      {"trailer section of 10 KiB", kChunkedHead + "2\r\nab\r\n0\r\n" + trailers + "\r\n", 431},
      {"one header field of 20 KiB",
       "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(20 * 1024, 'v') +
           "\r\n\r\n",
       431},
      {"20 KiB of small header fields", many_fields + "\r\n", 431},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RawConn conn(d.socket());
    conn.send(c.bytes);
    EXPECT_EQ(conn.read_status(5s), c.status);
    EXPECT_TRUE(conn.wait_closed(3s)) << "closed after the answer";
  }
  EXPECT_EQ(health_status(d.socket()), 200);
}

TEST_F(RequestBounds, bounded_chunked_requests_are_still_read_and_keep_the_connection) {
  AdvDaemon d(ws, "ok", opt);
  RawConn conn(d.socket());
  // Read in full (extensions, trailer) and routed: POST on /v1/health is 405.
  conn.send("POST /v1/health HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3;e=" + std::string(3000, 'e') + "\r\nabc\r\n0\r\nX-Fin: 1\r\n\r\n");
  EXPECT_EQ(conn.read_status(5s), 405);
  conn.send("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(conn.read_status(5s), 200) << "same connection";
}

TEST_F(RequestBounds, a_trickled_chunk_size_line_gets_408_at_the_header_timeout) {
  AdvDaemon d(ws, "slow", opt, "  delai_entete_ms: 500\n");  // delai_inactivite_ms stays 60 s
  RawConn conn(d.socket());
  conn.send(kChunkedHead + "1;");
  const auto started = std::chrono::steady_clock::now();
  int status = 0;
  std::thread reader([&] { status = conn.read_status(10s); });
  for (int i = 0; i < 50; ++i) {  // one byte every 100 ms: progress, never the end
    if (!conn.send("a")) break;
    std::this_thread::sleep_for(100ms);
    if (std::chrono::steady_clock::now() - started > 4s) break;
  }
  reader.join();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(status, 408);
  EXPECT_LT(took, 4s) << "the header timeout covers the chunk-size line";
}

TEST_F(RequestBounds, under_a_lowered_address_space_limit_the_daemon_serves_others_throughout) {
  if (kSanitized)
    GTEST_SKIP() << "RLIMIT_AS cannot be lowered under a sanitizer (its shadow memory needs "
                    "terabytes of address space); the plain build runs this test";
  AdvDaemon d(ws, "rlimit", opt);
  ASSERT_EQ(health_status(d.socket()), 200);
  // The address space it uses now, plus 192 MiB: 20 callers of 16 MiB each
  // would have exhausted it before issue 22 (the daemon died).
  long vm_kib = 0;
  {
    std::ifstream in("/proc/" + std::to_string(d.pid()) + "/status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("VmSize:", 0) == 0) vm_kib = std::strtol(line.c_str() + 7, nullptr, 10);
  }
  ASSERT_GT(vm_kib, 0);
  const rlim_t limit = static_cast<rlim_t>(vm_kib + 192 * 1024) * 1024;
  rlimit as{limit, limit};
  ASSERT_EQ(::prlimit(d.pid(), RLIMIT_AS, &as, nullptr), 0) << std::strerror(errno);

  std::atomic<bool> flooding{true};
  std::atomic<int> health_ok{0}, health_failed{0};
  std::thread poller([&] {
    while (flooding) {
      (health_status(d.socket()) == 200 ? health_ok : health_failed)++;
      std::this_thread::sleep_for(100ms);
    }
  });
  std::vector<FloodResult> results(20);
  std::vector<std::thread> callers;
  for (std::size_t i = 0; i < results.size(); ++i)
    callers.emplace_back([&, i] {
      // Half endless chunk extensions, half endless trailers.
      results[i] = i % 2 ? flood(d.socket(), kChunkedHead + "1;", 'a')
                         : flood(d.socket(), kChunkedHead + "2\r\nab\r\n0\r\nX-T: ", 't');
    });
  for (auto& t : callers) t.join();
  flooding = false;
  poller.join();

  for (std::size_t i = 0; i < results.size(); ++i)
    EXPECT_EQ(results[i].status, i % 2 ? 400 : 431) << "caller " << i;
  EXPECT_GT(health_ok.load(), 0);
  EXPECT_EQ(health_failed.load(), 0) << "other callers are served throughout";
  EXPECT_TRUE(d.running());
  EXPECT_EQ(health_status(d.socket()), 200);
}

}  // namespace
}  // namespace insgate::testing::adv

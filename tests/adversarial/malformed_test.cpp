// Adversarial: 10,000 malformed requests (bad JSON, wrong types, huge
// numbers, deep nesting, invalid UTF-8, oversize bodies, conflicting
// Content-Length / Transfer-Encoding): each gets a 4xx, valid requests keep
// working throughout, and the daemon's RSS returns near its baseline (issue 7).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "adversarial_env.hpp"

namespace insgate::testing::adv {
namespace {

struct Case {
  std::string name;
  std::string bytes;       ///< complete raw request
  bool allow_501 = false;  ///< unsupported transfer coding: 501 is the RFC answer
};

std::string with_traits(const std::string& traits_json) {
  return "{\"operateur\":\"u-1\",\"traits\":" + traits_json + "}";
}
const std::string kGoodTraits =
    "{\"nom_naissance\":\"ECETINSI\",\"prenoms\":[\"PIERRE\"],\"sexe\":\"M\","
    "\"date_naissance\":\"2009-07-14\"}";

std::vector<Case> cases() {
  const std::string R = "/v1/ins/recherche";
  std::vector<Case> c;
  auto body = [&](std::string name, std::string b) { c.push_back({name, post(R, b)}); };
  // Bad JSON.
  body("json_truncated", "{\"operateur\":");
  body("json_not_json", "not json at all");
  body("json_trailing_comma", "{\"operateur\":\"u\",}");
  body("json_array", "[]");
  body("json_string", "\"x\"");
  body("json_null", "null");
  body("json_empty", "");
  body("json_two_docs", "{} {}");
  body("json_nul_byte", std::string("{\"operateur\":\"u\0\"}", 18));
  body("json_comment", "{/* c */\"operateur\":\"u\"}");
  // Wrong types.
  body("type_traits_string", with_traits("\"ECETINSI\""));
  body("type_prenoms_number", with_traits(
      "{\"nom_naissance\":\"X\",\"prenoms\":5,\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("type_sexe_number", with_traits(
      "{\"nom_naissance\":\"X\",\"prenoms\":[\"A\"],\"sexe\":1,\"date_naissance\":\"2009-07-14\"}"));
  body("type_date_array", with_traits(
      "{\"nom_naissance\":\"X\",\"prenoms\":[\"A\"],\"sexe\":\"M\",\"date_naissance\":[2009]}"));
  body("type_operateur_number", "{\"operateur\":123,\"traits\":" + kGoodTraits + "}");
  body("type_prenoms_nested", with_traits(
      "{\"nom_naissance\":\"X\",\"prenoms\":[[\"A\"]],\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("unknown_member", "{\"operateur\":\"u\",\"trait\":" + kGoodTraits + "}");
  body("missing_traits", "{\"operateur\":\"u\"}");
  body("empty_operateur", "{\"operateur\":\"\",\"traits\":" + kGoodTraits + "}");
  body("long_operateur", "{\"operateur\":\"" + std::string(5000, 'u') + "\",\"traits\":" + kGoodTraits + "}");
  body("invalid_traits", with_traits(
      "{\"nom_naissance\":\"X_1\",\"prenoms\":[\"A9\"],\"sexe\":\"Z\",\"date_naissance\":\"2009-13-45\"}"));
  body("too_many_prenoms", with_traits(
      "{\"nom_naissance\":\"X\",\"prenoms\":[\"A\",\"B\",\"C\",\"D\",\"E\",\"F\",\"G\",\"H\",\"I\",\"J\",\"K\",\"L\"],"
      "\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  // Huge numbers.
  body("huge_integer", "{\"operateur\":" + std::string(60000, '9') + "}");
  body("huge_exponent", "{\"operateur\":\"u\",\"traits\":{\"nom_naissance\":1e999999999}}");
  body("huge_negative", "{\"operateur\":-1e400,\"traits\":" + kGoodTraits + "}");
  body("huge_in_sexe", with_traits(
      "{\"nom_naissance\":\"X\",\"prenoms\":[\"A\"],\"sexe\":18446744073709551616,\"date_naissance\":\"2009-07-14\"}"));
  // Deep nesting.
  body("deep_arrays", std::string(20000, '[') + std::string(20000, ']'));
  body("deep_objects", [] {
    std::string s;
    for (int i = 0; i < 3000; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(3000, '}');
    return s;
  }());
  body("deep_unclosed", std::string(60000, '['));
  body("deep_in_traits", with_traits(std::string(100, '[') + std::string(100, ']')));
  // Invalid UTF-8.
  body("utf8_ff", with_traits("{\"nom_naissance\":\"\xff\xfe\",\"prenoms\":[\"A\"],\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("utf8_overlong", with_traits("{\"nom_naissance\":\"\xc0\xaf\",\"prenoms\":[\"A\"],\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("utf8_truncated", with_traits("{\"nom_naissance\":\"\xe2\x82\",\"prenoms\":[\"A\"],\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("utf8_lone_surrogate", with_traits("{\"nom_naissance\":\"\\ud800\",\"prenoms\":[\"A\"],\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("utf8_cesu_surrogate", with_traits("{\"nom_naissance\":\"\xed\xa0\x80\",\"prenoms\":[\"A\"],\"sexe\":\"M\",\"date_naissance\":\"2009-07-14\"}"));
  body("utf8_in_key", "{\"op\xff\":\"u\"}");
  body("utf8_in_operateur", "{\"operateur\":\"\xf8\x88\x80\x80\x80\",\"traits\":" + kGoodTraits + "}");
  // Oversize bodies.
  c.push_back({"oversize_announced", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                     "Content-Length: 70000\r\n\r\n"});
  c.push_back({"oversize_sent", post(R, "{\"operateur\":\"" + std::string(70000, 'x') + "\"}")});
  c.push_back({"oversize_chunked", [&] {
                 std::string s = "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
                 for (int i = 0; i < 20; ++i) s += "1000\r\n" + std::string(4096, 'x') + "\r\n";
                 return s + "0\r\n\r\n";
               }()});
  c.push_back({"oversize_header", "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                      std::string(20000, 'h') + "\r\n\r\n"});
  c.push_back({"oversize_content_length_overflow",
               "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"});
  // Smuggling: conflicting framing.
  c.push_back({"smuggle_cl_te", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"});
  c.push_back({"smuggle_te_cl", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                "Content-Length: 4\r\n\r\n0\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"});
  c.push_back({"smuggle_two_cl", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                                 "Content-Length: 40\r\n\r\n{}"});
  c.push_back({"smuggle_cl_list", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 40\r\n\r\n{}"});
  c.push_back({"smuggle_negative_cl", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}"});
  c.push_back({"smuggle_cl_space_name", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}"});
  c.push_back({"smuggle_te_obfuscated", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n"
                                        "Content-Length: 2\r\n\r\n{}", true});
  c.push_back({"smuggle_te_identity", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n{}",
               true});
  c.push_back({"smuggle_te_gzip_chunked", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
               true});
  c.push_back({"smuggle_te_twice", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"});
  c.push_back({"chunk_size_garbage", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"});
  c.push_back({"chunk_size_overflow", "POST " + R + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "ffffffffffffffffffff\r\n{}\r\n0\r\n\r\n"});
  c.push_back({"obs_fold", "POST " + R + " HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n 2\r\n\r\n{}"});
  c.push_back({"header_no_colon", "GET /v1/health HTTP/1.1\r\nHost x\r\n\r\n"});
  c.push_back({"garbage_line", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"});
  c.push_back({"bad_version", "GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n"});
  c.push_back({"bad_method", "G\x01T /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"});
  c.push_back({"unknown_target", "GET /v1/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"});
  c.push_back({"wrong_method", "GET " + R + " HTTP/1.1\r\nHost: x\r\n\r\n"});
  return c;
}

class Malformed : public ::testing::Test {
 protected:
  Workspace ws;
};

TEST_F(Malformed, ten_thousand_malformed_requests_get_4xx_and_valid_ones_keep_working) {
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.cache_ttl_s = 3600;  // the valid requests after the first are cache hits
  AdvDaemon d(ws, "malformed", opt, "  delai_entete_ms: 2000\n  delai_inactivite_ms: 2000\n");
  const auto all = cases();
  constexpr int kTotal = 10'000;

  std::mutex mu;
  std::map<std::string, std::map<int, int>> unexpected;  // case → status → count
  std::atomic<int> sent{0};
  auto run = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      const Case& k = all[static_cast<std::size_t>(i) % all.size()];
      int s = 0;
      try {
        s = exchange(d.socket(), k.bytes, 5s);
      } catch (const std::exception&) {
        s = -1;
      }
      ++sent;
      bool ok = (s >= 400 && s < 500) || (k.allow_501 && s == 501);
      if (!ok) {
        std::lock_guard lock(mu);
        ++unexpected[k.name][s];
      }
    }
  };

  // Valid requests throughout, on one kept-alive connection.
  std::atomic<bool> stop{false};
  std::atomic<int> valid_ok{0}, valid_bad{0};
  std::atomic<long> valid_worst_ms{0};
  std::thread valid([&] {
    net::LocalHttpClient client(d.socket(), std::chrono::seconds(10));
    while (!stop) {
      auto t0 = std::chrono::steady_clock::now();
      unsigned s = 0;
      try {
        s = client.request(http::verb::post, "/v1/ins/recherche", valid_recherche_body()).status;
      } catch (const std::exception&) {
      }
      long ms = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - t0).count();
      if (ms > valid_worst_ms) valid_worst_ms = ms;
      (s == 200 ? valid_ok : valid_bad)++;
      std::this_thread::sleep_for(10ms);
    }
  });

  // Warm-up (allocator, caches, log buffers), then the baseline.
  run(0, 500);
  std::this_thread::sleep_for(300ms);
  long baseline = rss_kib(d.pid());
  ASSERT_GT(baseline, 0);

  std::thread a([&] { run(0, kTotal / 2); });
  std::thread b([&] { run(kTotal / 2, kTotal); });
  a.join();
  b.join();
  stop = true;
  valid.join();
  std::this_thread::sleep_for(500ms);
  long after = rss_kib(d.pid());

  EXPECT_EQ(sent, kTotal + 500);
  for (const auto& [name, by_status] : unexpected)
    for (const auto& [status, n] : by_status)
      ADD_FAILURE() << "case " << name << ": " << n << " answered " << status
                    << " (0: no answer, -1: connect failed)";
  EXPECT_EQ(valid_bad, 0);
  EXPECT_GT(valid_ok, 20);
  EXPECT_LT(valid_worst_ms, kSanitized ? 3000 : 1000);
  // Memory back near the baseline: allocator slack only, no growth per request.
  long slack = kSanitized ? 512 * 1024 : std::max(16 * 1024L, baseline / 2);
  EXPECT_LE(after, baseline + slack) << "RSS " << baseline << " KiB -> " << after << " KiB";
  RecordProperty("rss_baseline_kib", std::to_string(baseline));
  RecordProperty("rss_after_kib", std::to_string(after));
  EXPECT_EQ(health_status(d.socket()), 200);
  EXPECT_TRUE(d.running());
}

}  // namespace
}  // namespace insgate::testing::adv

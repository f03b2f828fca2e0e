// Unit tests of state/activity.hpp: counters per FINESS and month, distinct
// operators and persons through keyed hashes, raw values never stored.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/activity.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <gtest/gtest.h>

#include "state/hashing.hpp"
#include "state/sqlite_store.hpp"
#include "state/state_error.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kFiness = "750000001";
constexpr const char* kOther = "690000002";

class ActivityTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::optional<SqliteStore> store{std::in_place, SqliteOptions{dir.path()}};
  ActivityCounter counter{*store, "installation-secret-0123456789abcdef"};

  ActivityEvent ev(std::string_view op, RequestOutcome o = RequestOutcome::cr00,
                   int appels = 1, const char* finess = kFiness) {
    ActivityEvent e;
    e.finess = finess;
    e.when = test::t0();
    e.appels_recuperation = appels;
    e.outcome = o;
    e.operateur = op;
    e.personne = "2800275056123";
    return e;
  }
  std::string mois() const { return ActivityCounter::month_of(test::t0()); }
};

TEST_F(ActivityTest, month_is_aaaa_mm) { EXPECT_EQ(mois(), "2024-03"); }

TEST_F(ActivityTest, add_buffers_until_flush_writes_the_batch) {
  counter.add(ev("u-4711", RequestOutcome::cr00, 1));
  counter.add(ev("u-0042", RequestOutcome::cr01, 2));
  EXPECT_EQ(counter.buffered(), 2u);
  EXPECT_FALSE(store->activity(kFiness, mois())) << "add() wrote to the store";
  counter.flush();
  EXPECT_EQ(counter.buffered(), 0u);
  auto m = store->activity(kFiness, mois());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->requetes_insi, 2);
  EXPECT_EQ(m->recuperations, 3);
  EXPECT_EQ(m->sollicitations(), 3);
  EXPECT_EQ(m->cr00, 1);
  EXPECT_EQ(m->cr01, 1);
  EXPECT_EQ(m->operateurs_distincts, 2);
  counter.flush();  // nothing buffered: nothing added twice
  EXPECT_EQ(store->activity(kFiness, mois())->requetes_insi, 2);
}

TEST_F(ActivityTest, a_failed_flush_keeps_the_batch_for_the_next_one) {
  store.emplace(SqliteOptions{dir.path(), 20ms});  // same object, short busy wait
  counter.add(ev("u-4711"));
  {
    // Another connection holds the write lock: the flush cannot begin.
    SQLite::Database other((dir.path() / kStateFileName).string(), SQLite::OPEN_READWRITE, 0);
    other.exec("BEGIN IMMEDIATE");
    EXPECT_THROW(counter.flush(), StateError);
    EXPECT_EQ(counter.buffered(), 1u);
    counter.add(ev("u-0042"));
    other.exec("ROLLBACK");
  }
  counter.flush();
  auto m = store->activity(kFiness, mois());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->requetes_insi, 2);
}

TEST_F(ActivityTest, counts_calls_and_outcomes) {
  counter.record(ev("u-4711", RequestOutcome::cr00, 1));
  counter.record(ev("u-4711", RequestOutcome::cr01, 3));
  auto v = ev("u-4711", RequestOutcome::cr02, 0);
  v.operation = InsiOperation::verification;
  v.appels_verification = 2;  // calls to INSi's vérification operation
  counter.record(v);
  auto by_comparison = ev("u-4711", RequestOutcome::cr00, 1);  // récupération calls
  by_comparison.operation = InsiOperation::verification;
  counter.record(by_comparison);
  counter.record(ev("u-4711", RequestOutcome::erreur, 1));
  counter.record(ev("u-4711", RequestOutcome::erreur, 0));  // connection refused: no call
  auto hit = ev("u-4711", RequestOutcome::cr00, 0);
  hit.from_cache = true;
  counter.record(hit);
  auto m = store->activity(kFiness, mois());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->requetes_insi, 5) << "requests that made at least one INSi call";
  EXPECT_EQ(m->requetes_verification, 2);
  EXPECT_EQ(m->recuperations, 6);
  EXPECT_EQ(m->verifications, 2);
  EXPECT_EQ(m->sollicitations(), 8);
  EXPECT_EQ(m->cr00, 3);
  EXPECT_EQ(m->cr01, 1);
  EXPECT_EQ(m->cr02, 1);
  EXPECT_EQ(m->erreurs, 2);
  EXPECT_EQ(m->cache_hits, 1);
}

TEST_F(ActivityTest, same_operator_twice_counts_once) {
  counter.record(ev("u-4711"));
  counter.record(ev("u-4711"));
  counter.record(ev("u-0042"));
  auto m = store->activity(kFiness, mois());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->operateurs_distincts, 2);
  EXPECT_EQ(m->personnes_distinctes, 1);
}

TEST_F(ActivityTest, finess_and_months_are_kept_apart) {
  counter.record(ev("u-4711"));
  counter.record(ev("u-4711", RequestOutcome::cr00, 1, kOther));
  auto next = ev("u-4711");
  next.when = test::t0() + 24h * 31;
  counter.record(next);
  auto march = store->activity_month(mois());
  ASSERT_EQ(march.size(), 2u);
  EXPECT_EQ(march[0].finess, kOther);
  EXPECT_EQ(march[1].finess, kFiness);
  EXPECT_EQ(march[1].requetes_insi, 1);
  auto april = store->activity(kFiness, "2024-04");
  ASSERT_TRUE(april);
  EXPECT_EQ(april->operateurs_distincts, 1);
}

TEST_F(ActivityTest, raw_operator_and_person_never_reach_the_file) {
  counter.record(ev("operateur-tres-reconnaissable"));
  fs::path db = store->path();
  store.reset();  // closes: WAL checkpointed into the main file
  std::string bytes = test::read_bytes(db) + test::read_bytes(db.string() + "-wal");
  EXPECT_EQ(bytes.find("operateur-tres-reconnaissable"), std::string::npos);
  EXPECT_EQ(bytes.find("2800275056123"), std::string::npos);
  std::string h = counter.operator_hash("operateur-tres-reconnaissable");
  EXPECT_NE(bytes.find(h), std::string::npos);
}

TEST_F(ActivityTest, hash_is_keyed) {
  EXPECT_NE(hmac_sha256_hex("k1", "u"), hmac_sha256_hex("k2", "u"));
  EXPECT_EQ(hmac_sha256_hex("k1", "u").size(), 64u);
  EXPECT_THROW(ActivityCounter(*store, ""), StateError);
}

}  // namespace
}  // namespace insgate::state

namespace insgate::state {
namespace {

// RFC 4231 test case 1, and the same result as the one-shot function.
TEST(HmacSha256Test, keyed_once_matches_rfc4231_and_the_one_shot_function) {
  const std::string key(20, '\x0b');
  HmacSha256 h(key);
  EXPECT_EQ(h.hex("Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(h.hex("Hi There"), hmac_sha256_hex(key, "Hi There")) << "reusable";
  EXPECT_EQ(h.hex("operateur:u-4711"), hmac_sha256_hex(key, "operateur:u-4711"));
  EXPECT_THROW(HmacSha256(""), StateError);
}

}  // namespace
}  // namespace insgate::state

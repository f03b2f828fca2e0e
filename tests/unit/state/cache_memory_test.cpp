// Unit tests of state/cache_memory.hpp (LRU memory tier) and of how
// ResultCache uses it: hits answered from memory, SQLite read once.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/cache_memory.hpp"

#include <gtest/gtest.h>

#include "state/cache.hpp"
#include "state/sqlite_store.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using namespace std::chrono_literals;

MemoryEntry entry(TimePoint expires) {
  return {test::cr00(test::ins_a()), test::t0(), expires};
}

TEST(CacheMemoryTest, evicts_the_least_recently_used_beyond_capacity) {
  CacheMemory m(2);
  m.put("a", entry(test::t0() + 1h));
  m.put("b", entry(test::t0() + 1h));
  ASSERT_TRUE(m.get("a"));  // a is now more recent than b
  m.put("c", entry(test::t0() + 1h));
  EXPECT_EQ(m.size(), 2u);
  EXPECT_TRUE(m.get("a"));
  EXPECT_FALSE(m.get("b"));
  EXPECT_TRUE(m.get("c"));
}

TEST(CacheMemoryTest, put_replaces_and_purge_drops_expired) {
  CacheMemory m(10);
  m.put("a", entry(test::t0() + 1s));
  m.put("a", entry(test::t0() + 1h));
  m.put("b", entry(test::t0() + 1s));
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.purge(test::t0() + 2s), 1u);
  EXPECT_TRUE(m.get("a"));
  EXPECT_FALSE(m.get("b"));
}

TEST(CacheMemoryTest, capacity_zero_keeps_nothing) {
  CacheMemory m(0);
  m.put("a", entry(test::t0() + 1h));
  EXPECT_FALSE(m.get("a"));
}

class ResultCacheMemoryTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  SqliteStore store{SqliteOptions{dir.path()}};
  Identities identities{store, IdentityPolicy{}};
  TimePoint now = test::t0();
  ResultCache cache{store, identities, CachePolicy{3600s}, [this] { return now; }};
  const std::string key = std::string(64, 'a');

  void delete_row_behind_the_cache() {
    store.transact([](StateTx& tx) { tx.cache_purge(TimePoint::max()); });
  }
};

TEST_F(ResultCacheMemoryTest, a_stored_answer_is_served_from_memory) {
  EXPECT_FALSE(cache.lookup_in_memory(key)) << "unknown key: memory cannot tell";
  cache.store(key, test::cr00(test::ins_a()), false);
  delete_row_behind_the_cache();  // only the memory tier has it now
  auto hit = cache.lookup_in_memory(key);
  ASSERT_TRUE(hit);
  ASSERT_TRUE(hit->hit);
  EXPECT_EQ(hit->resultat->individu->ins_actif.matricule, test::ins_a().matricule);
  EXPECT_TRUE(cache.lookup(key).hit);
}

TEST_F(ResultCacheMemoryTest, an_expired_entry_in_memory_is_a_miss) {
  cache.store(key, test::cr00(test::ins_a()), false);
  now += 3600s;
  auto known = cache.lookup_in_memory(key);
  ASSERT_TRUE(known);
  EXPECT_FALSE(known->hit);
  EXPECT_FALSE(cache.lookup(key).hit);
}

TEST_F(ResultCacheMemoryTest, an_entry_read_from_sqlite_is_kept_in_memory) {
  {
    // Written by an earlier run of the daemon: a new ResultCache has an
    // empty memory tier.
    ResultCache earlier{store, identities, CachePolicy{3600s}, [this] { return now; }};
    earlier.store(key, test::cr00(test::ins_a()), false);
  }
  EXPECT_FALSE(cache.lookup_in_memory(key));
  EXPECT_TRUE(cache.lookup(key).hit);  // from SQLite
  delete_row_behind_the_cache();
  auto known = cache.lookup_in_memory(key);
  ASSERT_TRUE(known);
  EXPECT_TRUE(known->hit);
}

TEST_F(ResultCacheMemoryTest, answers_with_anomalies_never_reach_memory) {
  cache.store(key, test::cr00(test::ins_a()), true);
  EXPECT_FALSE(cache.lookup_in_memory(key));
}

}  // namespace
}  // namespace insgate::state

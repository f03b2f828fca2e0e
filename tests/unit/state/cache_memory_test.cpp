// Unit tests of state/cache_memory.hpp (LRU memory tier); how ResultCache
// uses it is tested in cache_test.cpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/cache_memory.hpp"

#include <gtest/gtest.h>

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


TEST(CacheMemoryTest, drop_ins_follows_replacements_and_evictions) {
  CacheMemory m(2);
  m.put("a", {test::cr00(test::ins_a()), test::t0(), test::t0() + 1h});
  m.put("a", {test::cr00(test::ins_b()), test::t0(), test::t0() + 1h});  // a now holds B
  EXPECT_EQ(m.drop_ins(test::ins_a().matricule, test::ins_a().oid), 0u);
  EXPECT_TRUE(m.get("a"));
  m.put("b", {test::cr00(test::ins_b()), test::t0(), test::t0() + 1h});
  m.put("c", {test::cr00(test::ins_b()), test::t0(), test::t0() + 1h});  // evicts a
  EXPECT_EQ(m.drop_ins(test::ins_b().matricule, test::ins_b().oid), 2u);
  EXPECT_EQ(m.size(), 0u);
  auto known = m.active_ins("b");
  EXPECT_FALSE(known);
}

}  // namespace
}  // namespace insgate::state

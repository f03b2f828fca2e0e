// Unit tests of the outbox management of state/sqlite_store.hpp:
// pending → delivered / retry / dead, retry of dead rows, purge.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "state/sqlite_store.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using namespace std::chrono_literals;

class OutboxTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  SqliteStore store{SqliteOptions{dir.path()}};

  std::int64_t enqueue(const char* key, std::optional<std::string> plugin = "spool") {
    std::int64_t id = 0;
    store.transact([&](StateTx& tx) {
      id = tx.outbox_enqueue({plugin, EventKind::qualifiee, key, "{\"n\":1}", test::t0()});
    });
    return id;
  }
  std::int64_t enqueue_for(const std::string& finess, const char* key,
                           std::optional<std::string> plugin = std::nullopt) {
    std::int64_t id = 0;
    store.transact_for(finess, [&](StateTx& tx) {
      id = tx.outbox_enqueue({plugin, EventKind::qualifiee, key, "{\"n\":1}", test::t0()});
    }, Durability::full);
    return id;
  }
};

TEST_F(OutboxTest, new_rows_are_pending_in_insertion_order) {
  auto a = enqueue("a"), b = enqueue("b");
  auto rows = store.pending(std::string("spool"), 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, a);
  EXPECT_EQ(rows[1].id, b);
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[0].state, OutboxState::pending);
  EXPECT_EQ(rows[0].payload_json, "{\"n\":1}");
  EXPECT_EQ(rows[0].created_at, test::t0());
}

TEST_F(OutboxTest, pending_filters_by_plugin_and_honours_limit) {
  enqueue("a", "spool");
  enqueue("b", "dmp-fhir");
  enqueue("c", std::nullopt);
  EXPECT_EQ(store.pending(std::string("dmp-fhir"), 10).size(), 1u);
  EXPECT_EQ(store.pending(std::nullopt, 10).size(), 3u);
  EXPECT_EQ(store.pending(std::nullopt, 2).size(), 2u);
}

TEST_F(OutboxTest, delivered_leaves_pending) {
  auto id = enqueue("a");
  EXPECT_TRUE(store.mark_delivered(id, test::t0() + 5s));
  EXPECT_TRUE(store.pending(std::nullopt, 10).empty());
  auto rows = store.list(OutboxState::delivered, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_EQ(rows[0].delivered_at, test::t0() + 5s);
  EXPECT_FALSE(store.mark_delivered(id, test::t0()));  // no longer pending
}

TEST_F(OutboxTest, retry_counts_attempts_and_sets_next_attempt) {
  auto id = enqueue("a");
  EXPECT_TRUE(store.mark_retry(id, test::t0() + 30s, "connector down"));
  EXPECT_TRUE(store.mark_retry(id, test::t0() + 90s, "connector down"));
  auto rows = store.pending(std::nullopt, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attempts, 2);
  EXPECT_EQ(rows[0].next_attempt_at, test::t0() + 90s);
  EXPECT_EQ(rows[0].last_error, "connector down");
}

TEST_F(OutboxTest, dead_rows_leave_pending_and_can_be_retried) {
  auto id = enqueue("a");
  EXPECT_TRUE(store.mark_dead(id, "HTTP 400"));
  EXPECT_TRUE(store.pending(std::nullopt, 10).empty());
  auto dead = store.list(OutboxState::dead, 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error, "HTTP 400");
  EXPECT_TRUE(store.retry_dead(id));
  auto rows = store.pending(std::nullopt, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[0].next_attempt_at, TimePoint{});
  EXPECT_FALSE(store.retry_dead(id));  // pending, not dead
}

TEST_F(OutboxTest, unknown_id_changes_nothing) {
  EXPECT_FALSE(store.mark_delivered(42, test::t0()));
  EXPECT_FALSE(store.mark_retry(42, test::t0(), "x"));
  EXPECT_FALSE(store.mark_dead(42, "x"));
  EXPECT_FALSE(store.retry_dead(42));
}

TEST_F(OutboxTest, purge_removes_only_old_delivered_rows) {
  auto old_row = enqueue("a"), recent = enqueue("b"), dead = enqueue("c");
  enqueue("d");
  store.mark_delivered(old_row, test::t0());
  store.mark_delivered(recent, test::t0() + 3600s);
  store.mark_dead(dead, "x");
  EXPECT_EQ(store.purge_delivered(test::t0() + 60s), 1u);
  EXPECT_EQ(store.list(OutboxState::delivered, 10).size(), 1u);
  EXPECT_EQ(store.list(OutboxState::dead, 10).size(), 1u);
  EXPECT_EQ(store.list(OutboxState::pending, 10).size(), 1u);
}

// Events queued while no plugin was configured reach every plugin configured
// later, in their order, once; the unrouted rows are gone.
TEST_F(OutboxTest, unrouted_events_are_handed_to_each_plugin_in_order) {
  enqueue("first", std::nullopt);
  enqueue("second", std::nullopt);
  auto routed = enqueue("already", "spool");
  EXPECT_EQ(store.route_unrouted({}), 0u) << "no plugin: they stay";
  EXPECT_EQ(store.pending(std::nullopt, 10).size(), 3u);
  EXPECT_EQ(store.route_unrouted({"spool", "dmp-fhir"}), 2u);
  auto spool = store.pending(std::string("spool"), 10);
  ASSERT_EQ(spool.size(), 3u);
  EXPECT_EQ(spool[0].id, routed);
  EXPECT_EQ(spool[1].idempotency_key, "first");
  EXPECT_EQ(spool[2].idempotency_key, "second");
  EXPECT_EQ(spool[1].created_at, test::t0());
  auto fhir = store.pending(std::string("dmp-fhir"), 10);
  ASSERT_EQ(fhir.size(), 2u);
  EXPECT_EQ(fhir[0].idempotency_key, "first");
  EXPECT_EQ(store.pending(std::nullopt, 10).size(), 5u) << "no unrouted row left";
  EXPECT_EQ(store.route_unrouted({"spool"}), 0u) << "nothing handed over twice";
}

// Issue 12: a row carries its structure's FINESS to the worker; an unrouted
// row goes only to the plugins serving its FINESS, keeps its FINESS, and
// stays unrouted while no plugin serves its structure.
TEST_F(OutboxTest, unrouted_events_go_to_the_plugins_of_their_structure) {
  enqueue_for("010000024", "a1");
  enqueue_for("020000015", "b1");
  enqueue_for("010000024", "a2");
  enqueue_for("030000014", "c1");
  const std::vector<PluginRoute> plugins{{"spool-a", {"010000024"}},
                                         {"spool-ab", {"010000024", "020000015"}},
                                         {"dmp-fhir"}};
  EXPECT_EQ(store.route_unrouted(plugins), 4u);
  auto a = store.pending(std::string("spool-a"), 10);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].idempotency_key, "a1");
  EXPECT_EQ(a[1].idempotency_key, "a2");
  EXPECT_EQ(a[0].finess, "010000024");
  auto ab = store.pending(std::string("spool-ab"), 10);
  ASSERT_EQ(ab.size(), 3u);
  EXPECT_EQ(ab[1].idempotency_key, "b1");
  EXPECT_EQ(ab[1].finess, "020000015");
  EXPECT_EQ(store.pending(std::string("dmp-fhir"), 10).size(), 4u);
  EXPECT_EQ(store.pending(std::nullopt, 20).size(), 9u) << "no unrouted row left";

  enqueue_for("030000014", "c2");
  EXPECT_EQ(store.route_unrouted({{"spool-a", {"010000024"}}}), 0u)
      << "no plugin serves 030000014: its event waits, unrouted";
  auto all = store.pending(std::nullopt, 20);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_FALSE(all.back().plugin.has_value());
  EXPECT_EQ(all.back().finess, "030000014");
}

TEST_F(OutboxTest, rows_survive_reopen) {
  enqueue("a");
  SqliteStore again{SqliteOptions{dir.path()}};  // second connection, same file
  EXPECT_EQ(again.pending(std::nullopt, 10).size(), 1u);
}

}  // namespace
}  // namespace insgate::state

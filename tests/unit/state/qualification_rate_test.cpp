// The monthly snapshot of the qualified-identity rate (issue 17 item 1):
// the running month's figure is taken now, a past month keeps the figure it
// had (even after identities change and the store is reopened), and a month
// without a snapshot has none.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/qualification_rate.hpp"

#include <gtest/gtest.h>

#include "state/activity.hpp"
#include "state/identities.hpp"
#include "state/sqlite_store.hpp"
#include "state_test_support.hpp"

namespace {

using namespace insgate::state;
using namespace std::chrono_literals;

constexpr std::chrono::hours kWindow = 24h * 365;
const std::string kFiness = "010000001";

class QualificationRateTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::optional<SqliteStore> store{std::in_place, SqliteOptions{dir.path()}};

  void retrieve(Identities& ids, const insgate::identity::Ins& ins, TimePoint when) {
    ids.record_insi_retrieval(*InsiMatch::from(*test::cr00(ins).individu), when);
  }
  void qualify(Identities& ids, const insgate::identity::Ins& ins, TimePoint when) {
    ASSERT_EQ(ids.qualify(ins, {PieceType::cni, "2024-03-01"}, "IPP-1", "0123abcd", when).result,
              QualifyResult::qualified);
  }
};

TEST_F(QualificationRateTest, a_past_month_keeps_its_rate_after_identities_change) {
  const TimePoint march = test::t0();        // 2024-03-15
  const TimePoint april = march + 24h * 30;  // 2024-04-14
  const std::string mars = ActivityCounter::month_of(march);
  const std::string avril = ActivityCounter::month_of(april);
  ASSERT_EQ(mars, "2024-03");
  ASSERT_EQ(avril, "2024-04");
  {
    Identities ids{*store, IdentityPolicy{}, kFiness};
    retrieve(ids, test::ins_a(), march);
    retrieve(ids, test::ins_b(), march);
    qualify(ids, test::ins_a(), march);
  }
  // The running month's report takes the snapshot: 1 of 2.
  auto m = qualification_for_month(*store, kFiness, mars, march, kWindow);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->qualifiees, 1);
  EXPECT_EQ(m->file_active, 2);
  EXPECT_EQ(m->releve_le, march);

  // In April the second identity is qualified too; the store is reopened
  // (a restart) in between.
  store.reset();
  store.emplace(SqliteOptions{dir.path()});
  {
    Identities ids{*store, IdentityPolicy{}, kFiness};
    qualify(ids, test::ins_b(), april);
  }
  auto a = qualification_for_month(*store, kFiness, avril, april, kWindow);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->qualifiees, 2);
  EXPECT_EQ(a->file_active, 2);

  // March's report, asked in April, is still March's figure.
  auto again = qualification_for_month(*store, kFiness, mars, april, kWindow);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->qualifiees, 1);
  EXPECT_EQ(again->file_active, 2);
  EXPECT_EQ(again->releve_le, march);
}

TEST_F(QualificationRateTest, a_month_without_snapshot_has_no_rate_and_none_is_written) {
  const TimePoint now = test::t0();
  Identities ids{*store, IdentityPolicy{}, kFiness};
  retrieve(ids, test::ins_a(), now);
  qualify(ids, test::ins_a(), now);
  EXPECT_FALSE(qualification_for_month(*store, kFiness, "2020-01", now, kWindow));
  EXPECT_FALSE(qualification_for_month(*store, kFiness, "2030-06", now, kWindow));
  EXPECT_FALSE(store->qualification_snapshot(kFiness, "2030-06"));
  EXPECT_FALSE(store->qualification_snapshot(kFiness, "2020-01"));
}

TEST_F(QualificationRateTest, the_last_snapshot_of_a_month_is_its_figure) {
  const TimePoint early = test::t0();
  const TimePoint late = early + 24h * 10;  // 2024-03-25
  Identities ids{*store, IdentityPolicy{}, kFiness};
  retrieve(ids, test::ins_a(), early);
  take_qualification_snapshot(*store, kFiness, early, kWindow);
  qualify(ids, test::ins_a(), late);
  take_qualification_snapshot(*store, kFiness, late, kWindow);
  auto s = store->qualification_snapshot(kFiness, "2024-03");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->qualifiees, 1);
  EXPECT_EQ(s->file_active, 1);
  EXPECT_EQ(s->releve_le, late);
  EXPECT_FALSE(store->qualification_snapshot("750000001", "2024-03")) << "per FINESS";
}

TEST_F(QualificationRateTest, pending_backlog_counts_events_waiting_for_no_plugin) {
  // Qualified while no plugin is configured: the event waits with plugin NULL.
  const TimePoint now = test::t0();
  Identities ids{*store, IdentityPolicy{}};
  retrieve(ids, test::ins_a(), now);
  qualify(ids, test::ins_a(), now);
  retrieve(ids, test::ins_b(), now + 1h);
  qualify(ids, test::ins_b(), now + 1h);
  auto backlog = store->pending_backlog();
  ASSERT_EQ(backlog.size(), 1u);
  EXPECT_FALSE(backlog[0].plugin);
  EXPECT_EQ(backlog[0].pending, 2);
  EXPECT_EQ(backlog[0].oldest_created_at, now);
}

}  // namespace

// One event of GET /v1/outbox (issue 17 item 8): prochain_essai is null when
// no attempt is scheduled, a date after a "retry later".
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "api/route_outbox.hpp"

namespace {

using namespace insgate;
using namespace std::chrono_literals;

state::OutboxRow row(state::OutboxState s) {
  state::OutboxRow r;
  r.id = 7;
  r.state = s;
  r.created_at = state::TimePoint{1710504000s};
  return r;
}

TEST(OutboxRowTest, no_next_attempt_is_null_not_1970) {
  auto pending = api::outbox_row_json(row(state::OutboxState::pending));
  EXPECT_TRUE(pending["prochain_essai"].is_null()) << pending.dump();
  EXPECT_TRUE(pending["plugin"].is_null());
  auto delivered = row(state::OutboxState::delivered);
  delivered.next_attempt_at = state::TimePoint{1710504060s};  // the last attempt's
  delivered.delivered_at = state::TimePoint{1710504060s};
  auto d = api::outbox_row_json(delivered);
  EXPECT_TRUE(d["prochain_essai"].is_null()) << d.dump();
  EXPECT_EQ(d["livre_le"], "2024-03-15T12:01:00Z");
  EXPECT_EQ(d.dump().find("1970"), std::string::npos);
  EXPECT_TRUE(api::outbox_row_json(row(state::OutboxState::dead))["prochain_essai"].is_null());
}

TEST(OutboxRowTest, a_retry_later_has_its_date) {
  auto r = row(state::OutboxState::pending);
  r.attempts = 1;
  r.next_attempt_at = state::TimePoint{1710504300s};
  EXPECT_EQ(api::outbox_row_json(r)["prochain_essai"], "2024-03-15T12:05:00Z");
}

}  // namespace

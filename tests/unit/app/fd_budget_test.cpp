// Unit tests of app/fd_budget.hpp (issue 19): the descriptors the settings
// may need, against RLIMIT_NOFILE.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/fd_budget.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

using namespace insgate;
using namespace insgate::app;

namespace {

config::Config two_structures(bool tcp) {
  config::Config c;
  c.api.max_connections = 512;
  if (tcp) c.api.tcp.listen = "127.0.0.1:8443";
  c.insi.max_connections = 32;
  c.structures.resize(2);
  return c;
}

}  // namespace

TEST(FdBudgetTest, counts_each_listener_each_structure_and_the_reserve) {
  EXPECT_EQ(fd_budget(two_structures(false)).needed(), 512u + 2 * 32u + 64u);
  EXPECT_EQ(fd_budget(two_structures(true)).needed(), 2 * 512u + 2 * 32u + 64u);
}

TEST(FdBudgetTest, counts_the_postgresql_pool_of_the_state_store) {
  auto c = two_structures(false);
  c.state.postgresql.emplace();
  c.state.postgresql->connections = 200;
  const auto b = fd_budget(c);
  EXPECT_EQ(b.needed(), 512u + 2 * 32u + 200u + 64u);
  EXPECT_NE(fd_limit_message(b, {1024, 1024}).find("etat.postgresql.connexions 200"), std::string::npos);
  EXPECT_EQ(fd_limit_message(fd_budget(two_structures(false)), {1024, 1024}).find("etat.postgresql"),
            std::string::npos);
}

TEST(FdBudgetTest, the_soft_limit_is_kept_when_it_holds_the_budget) {
  auto b = fd_budget(two_structures(false));  // 640
  EXPECT_EQ(soft_limit_for(b, {1024, 4096}), 1024u);
  EXPECT_EQ(soft_limit_for(b, {640, 640}), 640u);
  EXPECT_EQ(soft_limit_for(b, {RLIM_INFINITY, RLIM_INFINITY}), RLIM_INFINITY);
}

TEST(FdBudgetTest, the_soft_limit_is_raised_to_the_hard_one_when_needed) {
  auto b = fd_budget(two_structures(true));  // 1152
  EXPECT_EQ(soft_limit_for(b, {1024, 524288}), 524288u);
  EXPECT_EQ(soft_limit_for(b, {1024, RLIM_INFINITY}), RLIM_INFINITY);
}

TEST(FdBudgetTest, a_hard_limit_below_the_budget_is_refused_naming_the_settings) {
  auto b = fd_budget(two_structures(true));
  EXPECT_FALSE(soft_limit_for(b, {1024, 1151}).has_value());
  const auto m = fd_limit_message(b, {1024, 1151});
  for (const char* part : {"api.connexions_max 512 x 2", "insi.connexions_max 32 x 2",
                           "1152", "soft 1024, hard 1151", "LimitNOFILE="})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
}

TEST(FdBudgetTest, ensure_refuses_a_configuration_above_the_hard_limit) {
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no hard RLIMIT_NOFILE here";  // not silent
  auto c = two_structures(false);
  c.insi.max_connections = 1000;
  c.structures.resize(static_cast<std::size_t>(rl.rlim_max / 1000 + 1));
  EXPECT_THROW(ensure_fd_limit(c, false), FdLimitError);
}

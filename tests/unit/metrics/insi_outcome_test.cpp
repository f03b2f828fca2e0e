// Unit tests of metrics/insi_outcome.hpp: CallOutcome → outcome label.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/insi_outcome.hpp"

#include <gtest/gtest.h>

namespace insgate::metrics {
namespace {

insi::CallOutcome with(insi::CallOutcome::Kind k, std::string cr = "") {
  insi::CallOutcome c;
  c.kind = k;
  c.resultat.code_cr = std::move(cr);
  return c;
}

using K = insi::CallOutcome::Kind;

TEST(InsiOutcomeTest, resultat_maps_to_its_cr) {
  EXPECT_EQ(outcome_of(with(K::resultat, "00")), InsiOutcome::cr_00);
  EXPECT_EQ(outcome_of(with(K::resultat, "01")), InsiOutcome::cr_01);
  EXPECT_EQ(outcome_of(with(K::resultat, "02")), InsiOutcome::cr_02);
  EXPECT_EQ(outcome_of(with(K::resultat, "07")), InsiOutcome::fault);
}

TEST(InsiOutcomeTest, failures_map_to_their_kind) {
  EXPECT_EQ(outcome_of(with(K::fault)), InsiOutcome::fault);
  EXPECT_EQ(outcome_of(with(K::unreadable)), InsiOutcome::fault);
  EXPECT_EQ(outcome_of(with(K::transport)), InsiOutcome::transport);
  EXPECT_EQ(outcome_of(with(K::timeout)), InsiOutcome::timeout);
}

TEST(InsiOutcomeTest, circuit_open_is_no_call) {
  EXPECT_EQ(outcome_of(with(K::circuit_open)), std::nullopt);
}

}  // namespace
}  // namespace insgate::metrics

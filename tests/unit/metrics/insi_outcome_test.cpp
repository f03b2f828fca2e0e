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

TEST(InsiOutcomeTest, faults_map_to_their_insi_code_family) {
  auto fault = [](const char* subcode, const char* code) {
    insi::CallOutcome c = with(K::fault);
    c.fault.subcode = subcode;
    c.fault.erreur_code = code;
    return c;
  };
  EXPECT_EQ(fault_family_of(fault("siram_100", "DESIR_550")), InsiFaultFamily::desir_550);
  EXPECT_EQ(fault_family_of(fault("siram_100", "")), InsiFaultFamily::desir_550);
  EXPECT_EQ(fault_family_of(fault("siram_100", "DESIR_560")), InsiFaultFamily::desir_560);
  EXPECT_EQ(fault_family_of(fault("siram_10", "insi_002")), InsiFaultFamily::autre);
  insi::CallOutcome tls = with(K::transport);
  tls.tls_failure = true;
  EXPECT_EQ(fault_family_of(tls), InsiFaultFamily::tls);
  EXPECT_EQ(fault_family_of(with(K::transport)), std::nullopt);
  EXPECT_EQ(fault_family_of(with(K::resultat, "00")), std::nullopt);
}

}  // namespace
}  // namespace insgate::metrics

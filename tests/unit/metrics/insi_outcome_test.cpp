// Unit tests of metrics/insi_outcome.hpp: a CallOutcome and its attempts →
// the INSi metrics (issues #6, #11).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/insi_outcome.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace insgate::metrics {
namespace {

using K = insi::CallOutcome::Kind;
using Stage = insi::CallOutcome::Attempt::Stage;

insi::CallOutcome with(K k, std::string cr = "") {
  insi::CallOutcome c;
  c.kind = k;
  c.resultat.code_cr = std::move(cr);
  return c;
}

insi::CallOutcome::Attempt attempt(Stage s, K k, std::string cr = "") {
  return {s, k, std::move(cr), 0.2};
}

std::string scrape(const Metrics& m) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, m.registry()->Collect());
  return out.str();
}

/// Value of the sample whose line starts with `series` (exact labels), or -1.
double value(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

TEST(InsiOutcomeTest, resultat_maps_to_its_cr) {
  EXPECT_EQ(request_outcome_of(with(K::resultat, "00")), ApiInsiOutcome::cr_00);
  EXPECT_EQ(request_outcome_of(with(K::resultat, "01")), ApiInsiOutcome::cr_01);
  EXPECT_EQ(request_outcome_of(with(K::resultat, "02")), ApiInsiOutcome::cr_02);
  EXPECT_EQ(request_outcome_of(with(K::resultat, "07")), ApiInsiOutcome::fault);
}

TEST(InsiOutcomeTest, failures_map_to_their_kind) {
  EXPECT_EQ(request_outcome_of(with(K::fault)), ApiInsiOutcome::fault);
  EXPECT_EQ(request_outcome_of(with(K::unreadable)), ApiInsiOutcome::fault);
  EXPECT_EQ(request_outcome_of(with(K::transport)), ApiInsiOutcome::transport);
  EXPECT_EQ(request_outcome_of(with(K::timeout)), ApiInsiOutcome::timeout);
  EXPECT_EQ(request_outcome_of(with(K::circuit_open)), ApiInsiOutcome::circuit_open);
}

TEST(InsiOutcomeTest, only_attempts_that_reached_insi_are_calls) {
  EXPECT_EQ(outcome_of(attempt(Stage::answered, K::resultat, "01")), InsiOutcome::cr_01);
  EXPECT_EQ(outcome_of(attempt(Stage::receive, K::transport)), InsiOutcome::transport);
  EXPECT_EQ(outcome_of(attempt(Stage::receive, K::timeout)), InsiOutcome::timeout);
  for (Stage s : {Stage::connect, Stage::tls, Stage::send, Stage::deadline, Stage::circuit_open,
                  Stage::replayed})
    EXPECT_EQ(outcome_of(attempt(s, K::transport)), std::nullopt) << static_cast<int>(s);
}

TEST(InsiOutcomeTest, action_names_the_operation_insi_counts) {
  EXPECT_EQ(operation_of_action(insi::kActionRechercheTraits), Operation::recuperation_traits);
  EXPECT_EQ(operation_of_action(insi::kActionRechercheVitale), Operation::recuperation_vitale);
  EXPECT_EQ(operation_of_action("urn:ServiceIdentiteCertifiee:1.0.0:verifierIns"),
            Operation::verification);
}

// The scenario of issue #11: connection refused twice, then a CR 00. One
// call to INSi, two connect failures, one request.
TEST(InsiOutcomeTest, record_counts_calls_failures_and_the_request_apart) {
  Metrics m({{"010000001"}, {}, "1", {}});
  insi::CallOutcome o = with(K::resultat, "00");
  o.action = insi::kActionRechercheTraits;
  o.attempts = {attempt(Stage::connect, K::transport), attempt(Stage::connect, K::transport),
                attempt(Stage::answered, K::resultat, "00")};
  o.appels = 1;
  record_insi_request(m, Operation::recuperation_traits, "010000001", o);
  // A vérification by comparison: its messages are récupérations for INSi.
  insi::CallOutcome v = with(K::timeout);
  v.action = insi::kActionRechercheTraits;
  v.attempts = {attempt(Stage::receive, K::timeout), attempt(Stage::tls, K::transport),
                attempt(Stage::deadline, K::timeout)};
  record_insi_request(m, Operation::verification, "010000001", v);
  insi::CallOutcome c = with(K::circuit_open);
  c.action = insi::kActionRechercheVitale;
  c.attempts = {attempt(Stage::circuit_open, K::circuit_open)};
  record_insi_request(m, Operation::recuperation_vitale, "010000001", c);

  const auto text = scrape(m);
  const std::string calls = "insgate_insi_calls_total{finess=\"010000001\",operation=";
  EXPECT_EQ(value(text, calls + "\"recuperation_traits\",outcome=\"cr_00\"}"), 1);
  EXPECT_EQ(value(text, calls + "\"recuperation_traits\",outcome=\"timeout\"}"), 1);
  EXPECT_EQ(value(text, calls + "\"verification\",outcome=\"timeout\"}"), 0);
  EXPECT_EQ(value(text, "insgate_insi_call_duration_seconds_count{operation=\"recuperation_"
                        "traits\"}"),
            2);
  const std::string failures = "insgate_insi_transport_failures_total{operation=";
  EXPECT_EQ(value(text, failures + "\"recuperation_traits\",stage=\"connect\"}"), 2);
  EXPECT_EQ(value(text, failures + "\"recuperation_traits\",stage=\"tls\"}"), 1);
  EXPECT_EQ(value(text, failures + "\"recuperation_traits\",stage=\"receive\"}"), 1);
  const std::string not_made = "insgate_insi_calls_not_made_total{operation=";
  EXPECT_EQ(value(text, not_made + "\"recuperation_traits\",reason=\"deadline\"}"), 1);
  EXPECT_EQ(value(text, not_made + "\"recuperation_vitale\",reason=\"circuit_open\"}"), 1);
  const std::string requests = "insgate_api_insi_requests_total{finess=\"010000001\",operation=";
  EXPECT_EQ(value(text, requests + "\"recuperation_traits\",outcome=\"cr_00\"}"), 1);
  EXPECT_EQ(value(text, requests + "\"verification\",outcome=\"timeout\"}"), 1);
  EXPECT_EQ(value(text, requests + "\"recuperation_vitale\",outcome=\"circuit_open\"}"), 1);
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

// /v1/health from what the INSi calls said (issue 17 item 5): a refusal that
// affects every call (DESIR_550, DESIR_560, TLS handshake) makes the daemon
// `degrade` with a reason naming what to check, until a call gets past it.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "api/insi_health.hpp"
#include "api/route_health.hpp"

namespace {

using namespace insgate;
using K = insi::CallOutcome::Kind;

insi::CallOutcome fault(const char* subcode, const char* erreur_code) {
  insi::CallOutcome o;
  o.kind = K::fault;
  o.fault.code = "Sender";
  o.fault.subcode = subcode;
  o.fault.erreur_code = erreur_code;
  return o;
}

insi::CallOutcome resultat() {
  insi::CallOutcome o;
  o.kind = K::resultat;
  o.resultat.code_cr = "00";
  return o;
}

nlohmann::json health(const api::InsiHealth& h,
                      insi::CircuitBreaker::State circuit = insi::CircuitBreaker::State::closed) {
  config::Config cfg;
  cfg.insi.environment = "test";
  cfg.insi.endpoint.url = "https://localhost:8443/insi";
  insi::ClientCertificateInfo cert;
  cert.not_after = std::chrono::system_clock::now() + std::chrono::hours(24 * 100);
  cert.days_left = 100;
  return api::health_json(cfg, cert, circuit, 0, h);
}

TEST(HealthTest, ok_before_any_call_and_after_a_resultat) {
  api::InsiHealth h;
  EXPECT_EQ(health(h)["statut"], "ok");
  EXPECT_TRUE(health(h)["raison"].is_null());
  EXPECT_FALSE(h.note(resultat()));
  const auto j = health(h);
  EXPECT_EQ(j["statut"], "ok");
  EXPECT_TRUE(j["insi"]["refus"].is_null());
}

TEST(HealthTest, desir_550_makes_the_daemon_degraded_with_the_reason) {
  api::InsiHealth h;
  EXPECT_TRUE(h.note(fault("siram_100", "DESIR_550"))) << "a new refusal is reported once";
  EXPECT_FALSE(h.note(fault("siram_100", "desir_550"))) << "the same one is not re-reported";
  const auto j = health(h);
  EXPECT_EQ(j["statut"], "degrade");
  EXPECT_EQ(j["insi"]["etat"], "ok") << "INSi answered: it is reachable, it refuses";
  EXPECT_EQ(j["insi"]["refus"]["famille"], "desir_550");
  EXPECT_EQ(j["insi"]["refus"]["code"], "DESIR_550");
  const std::string raison = j["raison"];
  EXPECT_NE(raison.find("lps.idam"), std::string::npos) << raison;
  EXPECT_EQ(j["insi"]["refus"]["message"], raison);
}

TEST(HealthTest, desir_560_and_a_tls_refusal_name_the_certificate) {
  api::InsiHealth h;
  EXPECT_TRUE(h.note(fault("siram_100", "DESIR_560")));
  auto j = health(h);
  EXPECT_EQ(j["statut"], "degrade");
  EXPECT_EQ(j["insi"]["refus"]["famille"], "desir_560");
  EXPECT_NE(j["raison"].get<std::string>().find("INSI-AUTO"), std::string::npos);

  insi::CallOutcome tls;
  tls.kind = K::transport;
  tls.tls_failure = true;
  tls.error = "TLS handshake failed";
  EXPECT_TRUE(h.note(tls));
  j = health(h);
  EXPECT_EQ(j["statut"], "degrade");
  EXPECT_EQ(j["insi"]["refus"]["famille"], "tls");
  EXPECT_NE(j["raison"].get<std::string>().find("insi.certificat"), std::string::npos);
}

// Issue 12: a certificate refusal (desir_560, tls) belongs to one structure;
// the software's (desir_550) to all of them.
TEST(HealthTest, certificate_refusals_are_kept_per_structure) {
  api::InsiHealth h;
  EXPECT_TRUE(h.note(fault("siram_100", "DESIR_560"), "010000002"));
  EXPECT_EQ(h.refusal_of("010000002")->famille, metrics::InsiFaultFamily::desir_560);
  EXPECT_FALSE(h.refusal_of("010000001").has_value());
  EXPECT_FALSE(h.note(resultat(), "010000001"));
  EXPECT_TRUE(h.refusal_of("010000002").has_value()) << "A's success does not clear B's certificate";
  EXPECT_EQ(health(h)["insi"]["refus"]["famille"], "desir_560");
  EXPECT_TRUE(h.note(fault("siram_100", "DESIR_550"), "010000001"));
  EXPECT_EQ(h.refusal_of("010000003")->famille, metrics::InsiFaultFamily::desir_550)
      << "the software's refusal concerns every structure";
  h.note(resultat(), "010000001");
  EXPECT_FALSE(h.refusal_of("010000001").has_value());
  EXPECT_EQ(h.refusal_of("010000002")->famille, metrics::InsiFaultFamily::desir_560);
  h.note(resultat(), "010000002");
  EXPECT_FALSE(h.refusal().has_value());
}

TEST(HealthTest, a_call_past_the_refusal_or_a_reload_clears_it) {
  api::InsiHealth h;
  h.note(fault("siram_100", "desir_550"));
  h.note(resultat());
  EXPECT_EQ(health(h)["statut"], "ok");
  h.note(fault("siram_100", "desir_550"));
  h.forget_refusal();
  EXPECT_EQ(health(h)["statut"], "ok");
}

TEST(HealthTest, a_fault_that_concerns_one_request_does_not_degrade) {
  api::InsiHealth h;
  EXPECT_FALSE(h.note(fault("siram_10", "insi_002")));
  EXPECT_EQ(health(h)["statut"], "ok");
}

TEST(HealthTest, unreachable_and_open_circuit_are_degraded_with_a_reason) {
  api::InsiHealth h;
  insi::CallOutcome t;
  t.kind = K::timeout;
  h.note(t);
  auto j = health(h);
  EXPECT_EQ(j["statut"], "degrade");
  EXPECT_EQ(j["insi"]["etat"], "indisponible");
  EXPECT_FALSE(j["raison"].is_null());
  j = health(api::InsiHealth{}, insi::CircuitBreaker::State::open);
  EXPECT_EQ(j["insi"]["etat"], "circuit_ouvert");
  EXPECT_EQ(j["statut"], "degrade");
}

}  // namespace

// Unit tests of insi/fault_policy.hpp: what is retried, how often, within
// which deadline (insi-protocol.md §7, issue #4). Scripted transport, no network.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/fault_policy.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "insi/soap_codec.hpp"

using namespace insgate;
using namespace insgate::insi;
using namespace std::chrono_literals;
using Kind = CallOutcome::Kind;

namespace {

class Scripted : public InsiTransport {
 public:
  explicit Scripted(std::vector<PostResult> s) : script(std::move(s)) {}
  asio::awaitable<PostResult> post(std::string, std::string body, Clock::time_point) override {
    bodies.push_back(std::move(body));
    if (bodies.size() > script.size()) co_return TransportError{TransportError::Kind::io, "extra"};
    co_return script[bodies.size() - 1];
  }
  std::vector<PostResult> script;
  std::vector<std::string> bodies;
};

PostResult fault(const std::string& subcode, const std::string& code) {
  Fault f{"Sender", subcode, "r", code, "erreur", "m", std::nullopt};
  return HttpReply{500, build_fault(f)};
}
PostResult cr01() { return HttpReply{200, build_resultat({"01", "Aucune identite trouvee", {}})}; }
PostResult transport(TransportError::Kind k) { return TransportError{k, "x"}; }

CallOutcome run(Scripted& t, FaultPolicy p, std::chrono::milliseconds budget = 10s) {
  asio::io_context io;
  std::optional<CallOutcome> out;
  int n = 0;
  auto make = [&n] { return "envelope-" + std::to_string(++n); };
  asio::co_spawn(io, call_with_policy(t, "action", make, Clock::now() + budget, 5s, p),
                 [&](std::exception_ptr e, CallOutcome o) {
                   if (!e) out = std::move(o);
                 });
  io.run();
  EXPECT_TRUE(out.has_value());
  return out.value_or(CallOutcome{});
}

FaultPolicy two_retries(CircuitBreaker* b = nullptr) { return {2, 1ms, b}; }

}  // namespace

TEST(FaultPolicyTest, siram_40_is_retried_twice_then_reported) {
  Scripted t({fault("siram_40", "desir_1020"), fault("siram_40", "desir_1020"),
              fault("siram_40", "desir_1020")});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::fault);
  EXPECT_EQ(o.fault.subcode, "siram_40");
  EXPECT_EQ(o.appels, 3);
  EXPECT_EQ(t.bodies.size(), 3u);
  EXPECT_NE(t.bodies[0], t.bodies[1]) << "every attempt is a new envelope";
}

TEST(FaultPolicyTest, siram_40_then_success_returns_the_result) {
  Scripted t({fault("siram_40", "insi_102"), cr01()});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "01");
  EXPECT_EQ(o.appels, 2);
}

TEST(FaultPolicyTest, siram_100_is_never_retried) {
  Scripted t({fault("siram_100", "desir_550")});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::fault);
  EXPECT_EQ(o.appels, 1);
}

TEST(FaultPolicyTest, desir_560_is_never_retried) {
  Scripted t({fault("siram_100", "DESIR_560")});
  EXPECT_EQ(run(t, two_retries()).appels, 1);
}

TEST(FaultPolicyTest, connection_failures_are_retried) {
  Scripted t({transport(TransportError::Kind::connect), transport(TransportError::Kind::io),
              cr01()});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.appels, 3);
}

TEST(FaultPolicyTest, tls_failures_are_never_retried) {
  Scripted t({transport(TransportError::Kind::tls)});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.appels, 1);
}

TEST(FaultPolicyTest, http_503_counts_as_transport_and_is_retried) {
  Scripted t({HttpReply{503, "busy"}, cr01()});
  EXPECT_EQ(run(t, two_retries()).appels, 2);
}

TEST(FaultPolicyTest, oversize_or_protocol_failures_are_unreadable_not_retried) {
  Scripted t({transport(TransportError::Kind::protocol)});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::unreadable);
  EXPECT_EQ(o.appels, 1);
}

TEST(FaultPolicyTest, no_retry_when_the_deadline_leaves_no_room) {
  Scripted t({fault("siram_40", "desir_1020"), cr01()});
  FaultPolicy p{2, 5s, nullptr};  // backoff far beyond the 1 s budget
  auto o = run(t, p, 1s);
  EXPECT_EQ(o.kind, Kind::fault);
  EXPECT_EQ(o.appels, 1);
}

TEST(FaultPolicyTest, a_fault_is_never_turned_into_not_found) {
  Scripted t({fault("siram_40", "insi_102"), fault("siram_40", "insi_102"),
              fault("siram_40", "insi_102")});
  auto o = run(t, two_retries());
  EXPECT_NE(o.kind, Kind::resultat);
}

TEST(FaultPolicyTest, open_circuit_refuses_without_calling) {
  CircuitBreaker b(2, 60s);
  Scripted t({transport(TransportError::Kind::connect), transport(TransportError::Kind::connect)});
  auto first = run(t, {1, 1ms, &b});
  EXPECT_EQ(first.kind, Kind::transport);
  Scripted none({});
  auto o = run(none, two_retries(&b));
  EXPECT_EQ(o.kind, Kind::circuit_open);
  EXPECT_EQ(o.appels, 0);
  EXPECT_GE(o.retry_after, 59);
  EXPECT_TRUE(none.bodies.empty());
}

TEST(FaultPolicyTest, faults_do_not_open_the_circuit) {
  CircuitBreaker b(1, 60s);
  Scripted t({fault("siram_100", "desir_550")});
  run(t, {0, 1ms, &b});
  EXPECT_EQ(b.state(Clock::now()), CircuitBreaker::State::closed);
}

TEST(PrintableCode, keeps_code_characters_replaces_the_rest_and_cuts_at_40) {
  EXPECT_EQ(printable_code("DESIR_560"), "DESIR_560");
  EXPECT_EQ(printable_code("siram-40"), "siram-40");
  EXPECT_EQ(printable_code("a b\n<x>é"), "a?b??x???");
  EXPECT_EQ(printable_code(std::string(100, 'z')), std::string(40, 'z'));
}

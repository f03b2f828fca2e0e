// Unit tests of insi/fault_policy.hpp: what is retried, how often, within
// which deadline (insi-protocol.md §7, issue #4). Scripted transport, no network.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/fault_policy.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "insi/soap_codec.hpp"

using namespace insgate;
using namespace insgate::insi;
using namespace std::chrono_literals;
using Kind = CallOutcome::Kind;
using Stage = CallOutcome::Attempt::Stage;
using TStage = TransportError::Stage;

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
/// A transport failure at the stage a real transport reports for `k`
/// (connect, tls; anything else after the message was sent) or at `s`.
PostResult transport(TransportError::Kind k, std::optional<TStage> s = std::nullopt) {
  using K = TransportError::Kind;
  TStage stage = s ? *s : k == K::connect ? TStage::connect : k == K::tls ? TStage::tls
                                                                           : TStage::receive;
  return TransportError{k, "x", stage};
}

std::vector<Stage> stages(const CallOutcome& o) {
  std::vector<Stage> out;
  for (const auto& a : o.attempts) out.push_back(a.stage);
  return out;
}

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
  EXPECT_EQ(t.bodies.size(), 3u);
  EXPECT_EQ(stages(o), (std::vector<Stage>{Stage::connect, Stage::receive, Stage::answered}));
  EXPECT_EQ(o.appels, 2) << "the refused connection sent nothing: not a call";
}

TEST(FaultPolicyTest, tls_failures_are_never_retried_and_are_no_call) {
  Scripted t({transport(TransportError::Kind::tls)});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(t.bodies.size(), 1u);
  EXPECT_EQ(stages(o), std::vector<Stage>{Stage::tls});
  EXPECT_EQ(o.appels, 0) << "a TLS refusal is not a call";
}

// Issue #11: a call is a message written completely to an established TLS
// connection; everything before that is an attempt, not a call.
TEST(FaultPolicyTest, only_messages_written_completely_are_calls) {
  using K = TransportError::Kind;
  Scripted refused({transport(K::connect), transport(K::connect), transport(K::connect)});
  auto o = run(refused, two_retries());
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.appels, 0);
  EXPECT_EQ(o.attempts.size(), 3u);

  Scripted unsent({transport(K::io, TStage::send), transport(K::timeout, TStage::connect),
                   transport(K::timeout, TStage::tls)});
  o = run(unsent, two_retries());
  EXPECT_EQ(stages(o), (std::vector<Stage>{Stage::send, Stage::connect, Stage::tls}));
  EXPECT_EQ(o.kind, Kind::timeout);
  EXPECT_EQ(o.appels, 0) << "deadlines reached before the message was sent are no calls";

  Scripted lost({transport(K::io), transport(K::timeout), transport(K::protocol)});
  o = run(lost, two_retries());
  EXPECT_EQ(stages(o), (std::vector<Stage>{Stage::receive, Stage::receive, Stage::receive}));
  EXPECT_EQ(o.appels, 3) << "a message sent whose answer was lost, late or unusable is a call";
}

TEST(FaultPolicyTest, attempts_carry_their_kind_cr_and_the_action) {
  Scripted t({fault("siram_40", "insi_102"), transport(TransportError::Kind::connect), cr01()});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.action, "action");
  ASSERT_EQ(o.attempts.size(), 3u);
  EXPECT_EQ(o.attempts[0].kind, Kind::fault);
  EXPECT_TRUE(o.attempts[0].is_call());
  EXPECT_EQ(o.attempts[1].kind, Kind::transport);
  EXPECT_FALSE(o.attempts[1].is_call());
  EXPECT_EQ(o.attempts[2].kind, Kind::resultat);
  EXPECT_EQ(o.attempts[2].code_cr, "01");
  EXPECT_EQ(o.appels, 2);
}

TEST(FaultPolicyTest, a_deadline_before_sending_is_an_attempt_not_made) {
  Scripted t({cr01()});
  auto o = run(t, two_retries(), 0ms);
  EXPECT_EQ(o.kind, Kind::timeout);
  EXPECT_TRUE(t.bodies.empty());
  EXPECT_EQ(stages(o), std::vector<Stage>{Stage::deadline});
  EXPECT_EQ(o.appels, 0);
}

TEST(FaultPolicyTest, a_replayed_answer_is_not_a_call) {
  Scripted t({HttpReply{200, build_resultat({"01", "Aucune identite trouvee", {}}), true}});
  auto o = run(t, two_retries());
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(stages(o), std::vector<Stage>{Stage::replayed});
  EXPECT_EQ(o.appels, 0);
}

TEST(FaultPolicyTest, a_stale_kept_alive_connection_is_resent_once_and_not_counted) {
  TransportError stale{TransportError::Kind::io, "reset", TStage::receive, true};
  Scripted once({stale, cr01()});
  auto o = run(once, {0, 1ms, nullptr});
  EXPECT_EQ(once.bodies.size(), 2u);
  EXPECT_NE(once.bodies[0], once.bodies[1]) << "sent again as a new message";
  EXPECT_EQ(stages(o), std::vector<Stage>{Stage::answered});
  EXPECT_EQ(o.appels, 1);
  // A second stale connection in the same call is a failure, still no call.
  Scripted twice({stale, stale});
  o = run(twice, {0, 1ms, nullptr});
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.appels, 0);
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
  EXPECT_EQ(stages(o), std::vector<Stage>{Stage::circuit_open});
  EXPECT_GE(o.retry_after, 59);
  EXPECT_TRUE(none.bodies.empty());
}

TEST(FaultPolicyTest, faults_do_not_open_the_circuit) {
  CircuitBreaker b(1, 60s);
  Scripted t({fault("siram_100", "desir_550")});
  run(t, {0, 1ms, &b});
  EXPECT_EQ(b.state(Clock::now()), CircuitBreaker::State::closed);
}

// Issue 12: TLS handshake failures go to the structure's own breaker; the
// endpoint's breaker, shared by every structure, only sees connection, I/O
// and timeout failures, so one refused certificate cuts off one structure.
TEST(FaultPolicyTest, tls_failures_open_the_structures_breaker_not_the_shared_one) {
  CircuitBreaker shared(2, 60s), cert_a(2, 60s), cert_b(2, 60s);
  for (int i = 0; i < 2; ++i) {
    Scripted t({transport(TransportError::Kind::tls)});
    EXPECT_EQ(run(t, {0, 1ms, &shared, &cert_a}).kind, Kind::transport);
  }
  EXPECT_EQ(cert_a.state(Clock::now()), CircuitBreaker::State::open);
  EXPECT_EQ(shared.state(Clock::now()), CircuitBreaker::State::closed);
  Scripted none({});
  auto refused = run(none, {0, 1ms, &shared, &cert_a});
  EXPECT_EQ(refused.kind, Kind::circuit_open);
  EXPECT_NE(refused.error.find("this structure's certificate"), std::string::npos) << refused.error;
  EXPECT_GE(refused.retry_after, 59);
  EXPECT_TRUE(none.bodies.empty());
  Scripted b({cr01()});
  EXPECT_EQ(run(b, {0, 1ms, &shared, &cert_b}).kind, Kind::resultat) << "B is not cut off";
  // Connection failures are the endpoint's: they open the shared breaker.
  for (int i = 0; i < 2; ++i) {
    Scripted t({transport(TransportError::Kind::connect)});
    run(t, {0, 1ms, &shared, &cert_b});
  }
  EXPECT_EQ(shared.state(Clock::now()), CircuitBreaker::State::open);
  EXPECT_EQ(cert_b.state(Clock::now()), CircuitBreaker::State::closed);
}

// A half-open breaker's single probe is never left pending when the other
// breaker refuses the attempt: once the cooldowns pass, calls resume.
TEST(FaultPolicyTest, a_probe_refused_by_the_other_breaker_is_released) {
  CircuitBreaker shared(1, 1ms), cert(1, 1ms);
  Scripted conn({transport(TransportError::Kind::connect)});
  run(conn, {0, 1ms, &shared, &cert});
  Scripted tls({transport(TransportError::Kind::tls)});
  std::this_thread::sleep_for(5ms);
  run(tls, {0, 1ms, &shared, &cert});  // shared half-open: probe → TLS failure
  EXPECT_EQ(cert.state(Clock::now() + 2ms), CircuitBreaker::State::half_open);
  std::this_thread::sleep_for(5ms);
  Scripted ok({cr01(), cr01()});
  EXPECT_EQ(run(ok, {0, 1ms, &shared, &cert}).kind, Kind::resultat);
  EXPECT_EQ(shared.state(Clock::now()), CircuitBreaker::State::closed);
  EXPECT_EQ(cert.state(Clock::now()), CircuitBreaker::State::closed);
  EXPECT_EQ(run(ok, {0, 1ms, &shared, &cert}).kind, Kind::resultat);
}

TEST(PrintableCode, keeps_code_characters_replaces_the_rest_and_cuts_at_40) {
  EXPECT_EQ(printable_code("DESIR_560"), "DESIR_560");
  EXPECT_EQ(printable_code("siram-40"), "siram-40");
  EXPECT_EQ(printable_code("a b\n<x>é"), "a?b??x???");
  EXPECT_EQ(printable_code(std::string(100, 'z')), std::string(40, 'z'));
}

// Issue 19: the daemon's own saturation is never INSi's fault.
TEST(FaultPolicyTest, local_saturation_is_no_call_no_retry_and_never_opens_the_circuit) {
  CircuitBreaker b(2, 60s);
  for (int i = 0; i < 5; ++i) {
    Scripted t({TransportError{TransportError::Kind::saturated, "resolve: Too many open files",
                               TStage::connect}});
    auto o = run(t, two_retries(&b));
    EXPECT_EQ(o.kind, Kind::saturated);
    EXPECT_EQ(o.appels, 0);
    EXPECT_EQ(stages(o), std::vector<Stage>{Stage::saturated});
    EXPECT_EQ(t.bodies.size(), 1u) << "never retried";
  }
  EXPECT_EQ(b.state(Clock::now()), CircuitBreaker::State::closed);
  EXPECT_EQ(b.consecutive_failures(), 0);
}

TEST(FaultPolicyTest, saturation_does_not_reset_the_failures_the_breaker_counts) {
  CircuitBreaker b(2, 60s);
  Scripted t({transport(TransportError::Kind::connect),
              TransportError{TransportError::Kind::saturated, "x", TStage::connect}});
  auto o = run(t, FaultPolicy{1, 1ms, &b});
  EXPECT_EQ(o.kind, Kind::saturated);
  EXPECT_EQ(b.consecutive_failures(), 1) << "neither a failure nor a success";
}

TEST(FaultPolicyTest, a_deadline_reached_while_queued_is_not_a_call_nor_a_failure) {
  CircuitBreaker b(1, 60s);
  Scripted t({TransportError{TransportError::Kind::timeout, "queued", TStage::queued}});
  auto o = run(t, two_retries(&b));
  EXPECT_EQ(o.kind, Kind::timeout);
  EXPECT_EQ(o.appels, 0);
  EXPECT_EQ(stages(o), std::vector<Stage>{Stage::deadline});
  EXPECT_EQ(t.bodies.size(), 1u);
  EXPECT_EQ(b.state(Clock::now()), CircuitBreaker::State::closed);
}

TEST(FaultPolicyTest, a_saturated_half_open_probe_gives_its_place_back) {
  CircuitBreaker b(1, 1ms);
  Scripted fail({transport(TransportError::Kind::connect)});
  run(fail, {0, 1ms, &b});
  std::this_thread::sleep_for(5ms);  // cooldown over: the next attempt is the probe
  Scripted sat({TransportError{TransportError::Kind::saturated, "x", TStage::connect}});
  EXPECT_EQ(run(sat, {0, 1ms, &b}).kind, Kind::saturated);
  Scripted ok({cr01()});
  EXPECT_EQ(run(ok, {0, 1ms, &b}).kind, Kind::resultat) << "a new probe is allowed";
  EXPECT_EQ(b.state(Clock::now()), CircuitBreaker::State::closed);
}

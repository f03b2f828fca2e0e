// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/fault_policy.hpp"

#include <cctype>
#include <random>

#include "insi/soap_codec.hpp"

namespace insgate::insi {
namespace {

using Kind = CallOutcome::Kind;

/// Classifies one HTTP exchange.
CallOutcome classify(const PostResult& posted) {
  CallOutcome out;
  if (const auto* err = std::get_if<TransportError>(&posted)) {
    out.kind = err->kind == TransportError::Kind::timeout     ? Kind::timeout
               : err->kind == TransportError::Kind::protocol  ? Kind::unreadable
               : err->kind == TransportError::Kind::saturated ? Kind::saturated
                                                              : Kind::transport;
    out.tls_failure = err->kind == TransportError::Kind::tls;
    out.error = err->message;
    return out;
  }
  const auto& reply = std::get<HttpReply>(posted);
  if (reply.status == 502 || reply.status == 503 || reply.status == 504) {
    out.kind = Kind::transport;
    out.error = "INSi answered HTTP " + std::to_string(reply.status);
    return out;
  }
  if (reply.status != 200 && reply.status != 500) {
    out.kind = Kind::unreadable;
    out.error = "unexpected HTTP status " + std::to_string(reply.status);
    return out;
  }
  Response parsed = parse_response(reply.body);
  if (auto* u = std::get_if<Unreadable>(&parsed)) {
    out.kind = Kind::unreadable;
    out.error = u->reason;
  } else if (auto* f = std::get_if<Fault>(&parsed)) {
    out.kind = Kind::fault;
    out.fault = std::move(*f);
  } else {
    out.kind = Kind::resultat;
    out.resultat = std::move(std::get<Resultat>(parsed));
  }
  return out;
}

bool retryable(const CallOutcome& o, const PostResult& posted) {
  if (o.kind == Kind::fault) return is_retryable(o.fault);
  if (o.kind == Kind::timeout) return true;
  if (o.kind != Kind::transport) return false;
  // A TLS failure is a certificate/configuration problem: never retried.
  const auto* err = std::get_if<TransportError>(&posted);
  return err == nullptr || err->kind != TransportError::Kind::tls;
}

std::chrono::milliseconds jittered(std::chrono::milliseconds base, int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  double ms = static_cast<double>(base.count()) * static_cast<double>(1 << attempt) * factor(rng);
  return std::chrono::milliseconds(static_cast<long>(ms));
}

/// The stage of an attempt that got `posted`.
CallOutcome::Attempt::Stage stage_of(const PostResult& posted) {
  using Stage = CallOutcome::Attempt::Stage;
  if (const auto* reply = std::get_if<HttpReply>(&posted))
    return reply->replayed ? Stage::replayed : Stage::answered;
  const auto& err = std::get<TransportError>(posted);
  // A message lost on a recycled kept-alive connection is taken as never
  // received (TransportError::stale_connection), even the second time.
  if (err.stale_connection) return Stage::send;
  if (err.kind == TransportError::Kind::saturated) return Stage::saturated;
  switch (err.stage) {
    case TransportError::Stage::queued: return Stage::deadline;
    case TransportError::Stage::connect: return Stage::connect;
    case TransportError::Stage::tls: return Stage::tls;
    case TransportError::Stage::send: return Stage::send;
    case TransportError::Stage::receive: return Stage::receive;
  }
  return Stage::receive;
}

}  // namespace

bool is_retryable(const Fault& f) { return f.subcode == "siram_40"; }

int count_calls(const std::vector<CallOutcome::Attempt>& attempts) {
  int n = 0;
  for (const auto& a : attempts) n += a.is_call() ? 1 : 0;
  return n;
}

std::string printable_code(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 40))
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '?');
  return out;
}

namespace {

/// Whether the breakers let an attempt out now; the reason when not. The
/// structure's breaker is asked first without side effect, so that a probe
/// granted by one breaker is never left pending by the other's refusal.
const char* refused_by_breakers(const FaultPolicy& policy, Clock::time_point now) {
  CircuitBreaker* cert = policy.certificate_breaker;
  constexpr const char* kCert =
      "circuit open after repeated TLS handshake failures with this structure's certificate";
  if (cert && cert->state(now) == CircuitBreaker::State::open) return kCert;
  if (policy.breaker && !policy.breaker->allow(now))
    return "circuit open after repeated transport failures";
  if (cert && !cert->allow(now)) {  // half-open, its probe already out
    if (policy.breaker) policy.breaker->release();
    return kCert;
  }
  return nullptr;
}

/// Transport failures feed the endpoint's breaker, except a TLS handshake
/// that failed (not timed out: INSi hanging is the endpoint's problem) when
/// the structure has its own breaker (issue 12: one structure's refused
/// certificate must not cut the others off).
void report_to_breakers(const FaultPolicy& policy, CallOutcome::Kind kind,
                        CallOutcome::Attempt::Stage stage) {
  using Stage = CallOutcome::Attempt::Stage;
  const bool failed = kind == CallOutcome::Kind::transport || kind == CallOutcome::Kind::timeout;
  CircuitBreaker* cert = policy.certificate_breaker;
  if (kind == CallOutcome::Kind::transport && stage == Stage::tls && cert) {
    cert->on_transport_failure(Clock::now());
    if (policy.breaker) policy.breaker->release();
    return;
  }
  if (cert) {
    if (stage == Stage::connect || stage == Stage::tls) cert->release();  // no verdict on it
    else cert->on_success();  // the handshake went through
  }
  if (policy.breaker) {
    if (failed) policy.breaker->on_transport_failure(Clock::now());
    else policy.breaker->on_success();
  }
}

}  // namespace

asio::awaitable<CallOutcome> call_with_policy(InsiTransport& transport, std::string action,
                                              std::function<std::string()> make_envelope,
                                              Clock::time_point deadline,
                                              std::chrono::milliseconds call_timeout,
                                              const FaultPolicy& policy) {
  using Stage = CallOutcome::Attempt::Stage;
  std::vector<CallOutcome::Attempt> attempts;
  auto finish = [&](CallOutcome out) {
    out.action = action;
    out.attempts = std::move(attempts);
    out.appels = count_calls(out.attempts);
    return out;
  };
  bool stale_resent = false;
  for (int attempt = 0;; ++attempt) {
    auto now = Clock::now();
    if (now >= deadline) {
      CallOutcome out;
      out.kind = Kind::timeout;
      out.error = "request deadline reached";
      attempts.push_back({Stage::deadline, Kind::timeout, {}, 0});
      co_return finish(std::move(out));
    }
    if (const char* why = refused_by_breakers(policy, now)) {
      CircuitBreaker* b = policy.certificate_breaker &&
                                  policy.certificate_breaker->state(now) != CircuitBreaker::State::closed
                              ? policy.certificate_breaker
                              : policy.breaker;
      CallOutcome out;
      out.kind = Kind::circuit_open;
      out.error = why;
      out.retry_after = std::max(1, b->retry_after_seconds(now));
      attempts.push_back({Stage::circuit_open, Kind::circuit_open, {}, 0});
      co_return finish(std::move(out));
    }
    PostResult posted = co_await transport.post(action, make_envelope(),
                                                std::min(deadline, now + call_timeout));
    if (auto* stale = std::get_if<TransportError>(&posted);
        stale && stale->stale_connection && !stale_resent) {
      // A kept-alive connection INSi closed as the message went out: sent
      // again at once on a new connection with a new MessageID, once per
      // call; not a call INSi received, not a failure for the breaker.
      stale_resent = true;
      --attempt;
      continue;
    }
    CallOutcome out = classify(posted);
    const Stage stage = stage_of(posted);
    attempts.push_back({stage, out.kind, out.kind == Kind::resultat ? out.resultat.code_cr : "",
                        std::chrono::duration<double>(Clock::now() - now).count()});
    // Local saturation and a deadline reached while queued for a connection
    // say nothing about INSi: neither a failure nor a success for either
    // breaker, and never retried (issue 19).
    if (stage == Stage::saturated || stage == Stage::deadline) {
      if (policy.breaker) policy.breaker->release();  // a half-open probe is not left pending
      if (policy.certificate_breaker) policy.certificate_breaker->release();
      co_return finish(std::move(out));
    }
    if (stage != Stage::replayed) report_to_breakers(policy, out.kind, stage);
    if (attempt >= policy.max_retries || !retryable(out, posted)) co_return finish(std::move(out));
    auto pause = jittered(policy.backoff, attempt);
    if (Clock::now() + pause >= deadline) co_return finish(std::move(out));  // no room left to retry
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(pause);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace insgate::insi

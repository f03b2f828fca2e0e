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
    out.kind = err->kind == TransportError::Kind::timeout    ? Kind::timeout
               : err->kind == TransportError::Kind::protocol ? Kind::unreadable
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

}  // namespace

bool is_retryable(const Fault& f) { return f.subcode == "siram_40"; }

std::string printable_code(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 40))
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '?');
  return out;
}

asio::awaitable<CallOutcome> call_with_policy(InsiTransport& transport, std::string action,
                                              std::function<std::string()> make_envelope,
                                              Clock::time_point deadline,
                                              std::chrono::milliseconds call_timeout,
                                              const FaultPolicy& policy) {
  int attempts = 0;
  bool stale_resent = false;
  for (int attempt = 0;; ++attempt) {
    auto now = Clock::now();
    if (now >= deadline) {
      CallOutcome out;
      out.kind = Kind::timeout;
      out.error = "request deadline reached";
      out.appels = attempts;
      co_return out;
    }
    if (policy.breaker && !policy.breaker->allow(now)) {
      CallOutcome out;
      out.kind = Kind::circuit_open;
      out.error = "circuit open after repeated transport failures";
      out.retry_after = std::max(1, policy.breaker->retry_after_seconds(now));
      out.appels = attempts;
      co_return out;
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
    ++attempts;
    CallOutcome out = classify(posted);
    out.appels = attempts;
    if (policy.breaker) {
      if (out.kind == Kind::transport || out.kind == Kind::timeout)
        policy.breaker->on_transport_failure(Clock::now());
      else
        policy.breaker->on_success();
    }
    if (attempt >= policy.max_retries || !retryable(out, posted)) co_return out;
    auto pause = jittered(policy.backoff, attempt);
    if (Clock::now() + pause >= deadline) co_return out;  // no room left to retry
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(pause);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace insgate::insi

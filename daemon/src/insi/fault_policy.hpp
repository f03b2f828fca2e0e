// insgate — one INSi operation call under the fault policy of
// insi-protocol.md §7 (issue #4): retry only siram_40 faults and transport
// failures (connection refused/reset, I/O, timeout, HTTP 502/503/504), at
// most `max_retries` times, with jittered exponential backoff, and only while
// the request's overall deadline leaves room. Never retry siram_100,
// desir_550, DESIR_560 or TLS/certificate problems; never turn a fault into
// "not found". Every attempt is an INSi call with a fresh MessageID.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "insi/circuit_breaker.hpp"
#include "insi/insi_client.hpp"
#include "insi/insi_messages.hpp"

namespace insgate::insi {

struct FaultPolicy {
  int max_retries = 0;                         ///< 0 = a single attempt
  std::chrono::milliseconds backoff{200};      ///< first backoff; doubles, ±50 % jitter
  CircuitBreaker* breaker = nullptr;           ///< optional, not owned
};

/// What one call (with its retries) ended with.
struct CallOutcome {
  enum class Kind {
    resultat,      ///< a RESULTAT (any CR)
    fault,         ///< a SOAP fault (after retries for siram_40)
    unreadable,    ///< neither RESULTAT nor fault, or an unexpected HTTP status
    transport,     ///< connection/TLS/I/O failure or HTTP 502/503/504
    timeout,       ///< the call or overall deadline was reached
    circuit_open,  ///< refused at once by the circuit breaker
  };
  Kind kind = Kind::unreadable;
  Resultat resultat;
  Fault fault;
  std::string error;      ///< technical, no identity data
  bool tls_failure = false;  ///< transport: the TLS handshake failed (certificate problem)
  int appels = 0;         ///< INSi calls actually sent (retries included)
  int retry_after = 0;    ///< seconds, for circuit_open
};

/// True for the faults the policy retries (the siram_40 family).
bool is_retryable(const Fault& f);

/// An INSi fault field (subcode, Erreur@code, severity, CR) as it may appear
/// in a log line or an answer: at most 40 characters of [A-Za-z0-9_-], any
/// other character replaced by '?' (INSi's text is not ours to trust).
std::string printable_code(std::string_view v);

/// Runs one operation: `make_envelope()` is called for every attempt (fresh
/// ids). `call_timeout` bounds each attempt, `deadline` all of them.
asio::awaitable<CallOutcome> call_with_policy(InsiTransport& transport, std::string action,
                                              std::function<std::string()> make_envelope,
                                              Clock::time_point deadline,
                                              std::chrono::milliseconds call_timeout,
                                              const FaultPolicy& policy);

}  // namespace insgate::insi

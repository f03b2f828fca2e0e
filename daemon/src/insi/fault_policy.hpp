// insgate — one INSi operation call under the fault policy of
// insi-protocol.md §7 (issue #4): retry only siram_40 faults and transport
// failures (connection refused/reset, I/O, timeout, HTTP 502/503/504), at
// most `max_retries` times, with jittered exponential backoff, and only while
// the request's overall deadline leaves room. Never retry siram_100,
// desir_550, DESIR_560 or TLS/certificate problems; never turn a fault into
// "not found". Every attempt gets a fresh MessageID.
//
// What counts as an INSi call (issue #11): a SOAP message written
// completely to an established TLS connection, whatever became of its
// answer (lost, truncated, late). Connection refused, DNS/TCP/TLS failures,
// a message not written completely, a deadline reached before sending and a
// circuit-open refusal are attempts, not calls: INSi never saw them, so
// neither appels_insi, the monthly counters nor insgate_insi_calls_total
// count them. CallOutcome::attempts keeps every attempt with the stage where
// it stopped, for the counters and metrics that report them.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>
#include <string_view>

#include "insi/circuit_breaker.hpp"
#include "insi/insi_client.hpp"
#include "insi/insi_messages.hpp"

namespace insgate::insi {

struct FaultPolicy {
  int max_retries = 0;                         ///< 0 = a single attempt
  std::chrono::milliseconds backoff{200};      ///< first backoff; doubles, ±50 % jitter
  CircuitBreaker* breaker = nullptr;           ///< optional, not owned
  /// The structure's own breaker (issue 12), optional, not owned: TLS
  /// handshakes that fail (INSi refusing this structure's certificate, or a
  /// certificate problem of ours; not a handshake that times out) open it
  /// and refuse only that structure's calls; `breaker`, shared by every
  /// structure of the INSi endpoint, counts the connection, I/O and timeout
  /// failures then.
  CircuitBreaker* certificate_breaker = nullptr;
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
    /// local saturation (TransportError::Kind::saturated: descriptors or
    /// memory exhausted, the pool's waiting queue full): nothing reached
    /// INSi, not an INSi failure, never fed to the breaker (issue 19)
    saturated,
  };

  /// One attempt at sending a message, in order.
  struct Attempt {
    /// Where it stopped. answered: a complete HTTP answer was read (any
    /// status). connect, tls, send: the transport failed before the
    /// message was written completely (TransportError::Stage). receive:
    /// the message was written completely, its answer was lost,
    /// truncated, late or unusable. deadline: the request deadline was
    /// reached before the message could go out (also while waiting for a
    /// connection of the pool). circuit_open: refused by the circuit
    /// breaker. replayed: a recorded answer (insi.rejeu), no message left.
    /// saturated: a local resource ran out (CallOutcome::Kind::saturated).
    enum class Stage {
      answered, connect, tls, send, receive, deadline, circuit_open, replayed, saturated
    };
    Stage stage = Stage::answered;
    Kind kind = Kind::unreadable;  ///< how this attempt alone ended
    std::string code_cr;           ///< the CodeCR, for Kind::resultat
    double seconds = 0;            ///< duration, connection set-up included
    /// An INSi call: the message reached INSi (answered or receive).
    bool is_call() const { return stage == Stage::answered || stage == Stage::receive; }
  };

  Kind kind = Kind::unreadable;
  Resultat resultat;
  Fault fault;
  std::string error;      ///< technical, no identity data
  std::string action;     ///< the SOAP action of the messages (kAction…)
  std::vector<Attempt> attempts;  ///< every attempt (first names and retries included)
  int appels = 0;         ///< INSi calls: attempts with is_call() (see above)
  bool tls_failure = false;  ///< transport: the TLS handshake failed (certificate problem)
  int retry_after = 0;    ///< seconds, for circuit_open
};

/// The number of INSi calls among `attempts` (Attempt::is_call).
int count_calls(const std::vector<CallOutcome::Attempt>& attempts);

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

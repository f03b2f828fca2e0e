// insgate — circuit breaker in front of INSi (issue #4).
//
// After `threshold` consecutive transport failures (connection, TLS, I/O,
// timeout, HTTP 502/503/504) the circuit opens: calls are refused at once for
// `cooldown`; then exactly one probe is let through (half-open). A success
// closes the circuit, a failure re-opens it for another cooldown. SOAP faults
// and CRs are successes here: INSi was reached.
// [io-thread] Not thread-safe; lives on the io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <string>

#include "net/net.hpp"

namespace insgate::insi {

class CircuitBreaker {
 public:
  enum class State { closed, open, half_open };

  CircuitBreaker(int threshold, std::chrono::milliseconds cooldown)
      : threshold_(threshold), cooldown_(cooldown) {}

  /// Whether a call may go out now. In half-open state only one caller gets
  /// true until that probe reports back.
  bool allow(Clock::time_point now);
  void on_success();
  void on_transport_failure(Clock::time_point now);
  /// The probe let through by allow() ended with no verdict for this
  /// breaker (another breaker refused it, it stopped where this breaker has
  /// no say, or it never left the host: local saturation, a deadline reached
  /// while queued for a connection, issue 19): the next caller may probe.
  /// No effect otherwise.
  void release() { probe_in_flight_ = false; }

  State state(Clock::time_point now) const;
  /// Seconds until a probe is allowed (≥ 1 while open, 0 otherwise).
  int retry_after_seconds(Clock::time_point now) const;
  int consecutive_failures() const { return failures_; }

  static const char* name(State s);

 private:
  int threshold_;
  std::chrono::milliseconds cooldown_;
  int failures_ = 0;
  bool open_ = false;
  bool probe_in_flight_ = false;
  Clock::time_point opened_at_{};
};

}  // namespace insgate::insi

// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/circuit_breaker.hpp"

namespace insgate::insi {

bool CircuitBreaker::allow(Clock::time_point now) {
  if (!open_) return true;
  if (now - opened_at_ < cooldown_) return false;
  if (probe_in_flight_) return false;
  probe_in_flight_ = true;  // half-open: this caller is the probe
  return true;
}

void CircuitBreaker::on_success() {
  failures_ = 0;
  open_ = false;
  probe_in_flight_ = false;
}

void CircuitBreaker::on_transport_failure(Clock::time_point now) {
  ++failures_;
  if (open_ || failures_ >= threshold_) {
    open_ = true;
    opened_at_ = now;
  }
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  if (!open_) return State::closed;
  return now - opened_at_ < cooldown_ ? State::open : State::half_open;
}

int CircuitBreaker::retry_after_seconds(Clock::time_point now) const {
  if (state(now) != State::open) return 0;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(cooldown_ - (now - opened_at_));
  return static_cast<int>((left.count() + 999) / 1000);
}

const char* CircuitBreaker::name(State s) {
  switch (s) {
    case State::closed: return "ferme";
    case State::open: return "ouvert";
    case State::half_open: return "demi_ouvert";
  }
  return "?";
}

}  // namespace insgate::insi

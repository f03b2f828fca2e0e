// Unit tests of insi/circuit_breaker.hpp (issue #4).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/circuit_breaker.hpp"

#include <gtest/gtest.h>

using namespace insgate;
using namespace insgate::insi;
using namespace std::chrono_literals;

TEST(CircuitBreakerTest, stays_closed_below_the_threshold) {
  CircuitBreaker b(3, 10s);
  auto t = Clock::now();
  b.on_transport_failure(t);
  b.on_transport_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::closed);
  EXPECT_TRUE(b.allow(t));
}

TEST(CircuitBreakerTest, opens_after_k_consecutive_failures_and_refuses_at_once) {
  CircuitBreaker b(3, 10s);
  auto t = Clock::now();
  for (int i = 0; i < 3; ++i) b.on_transport_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::open);
  EXPECT_FALSE(b.allow(t + 1s));
  EXPECT_EQ(b.retry_after_seconds(t + 1s), 9);
}

TEST(CircuitBreakerTest, a_success_resets_the_count) {
  CircuitBreaker b(3, 10s);
  auto t = Clock::now();
  b.on_transport_failure(t);
  b.on_transport_failure(t);
  b.on_success();
  b.on_transport_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::closed);
}

TEST(CircuitBreakerTest, after_cooldown_exactly_one_probe_goes_through) {
  CircuitBreaker b(1, 10s);
  auto t = Clock::now();
  b.on_transport_failure(t);
  auto later = t + 11s;
  EXPECT_EQ(b.state(later), CircuitBreaker::State::half_open);
  EXPECT_TRUE(b.allow(later));
  EXPECT_FALSE(b.allow(later)) << "a second caller must wait for the probe";
}

TEST(CircuitBreakerTest, successful_probe_closes_failed_probe_reopens) {
  CircuitBreaker b(1, 10s);
  auto t = Clock::now();
  b.on_transport_failure(t);
  ASSERT_TRUE(b.allow(t + 11s));
  b.on_transport_failure(t + 11s);
  EXPECT_EQ(b.state(t + 12s), CircuitBreaker::State::open);
  ASSERT_TRUE(b.allow(t + 22s));
  b.on_success();
  EXPECT_EQ(b.state(t + 22s), CircuitBreaker::State::closed);
  EXPECT_TRUE(b.allow(t + 22s));
}

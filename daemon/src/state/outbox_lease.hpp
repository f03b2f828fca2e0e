// insgate — keeps the lease of the outbox event being delivered (issue 15).
//
// A claimed event is this instance's for `lease` (OutboxStore::claim). A
// plugin's deliver() may take longer (a slow DMP connector): without
// renewal another instance of the fleet would take the event and deliver it
// at the same time. While an OutboxLease lives, a thread renews the lease
// every lease / 3 (OutboxStore::renew_lease, to now + lease), so a live
// instance keeps its event however long deliver() takes, and an instance
// killed mid-delivery stops renewing: its lease ends at most `lease` after
// its last renewal and another instance delivers the event again (same
// idempotency key). A renewal that fails on a store error is counted and
// tried again at the next tick (the lease still runs until the last
// renewal's end); a renewal refused (the row is no longer this instance's)
// stops the renewals and sets lost(): the later mark then fails too. The
// caller logs (this class logs nothing, like the rest of state/).
// Clocks: leases are wall-clock (instances need NTP, README).
// Thread safety: [one owner] built and destroyed by the delivery thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "state/state_store.hpp"

namespace insgate::state {

class OutboxLease {
 public:
  /// Starts renewing the lease of row `id`, claimed just before for `lease`.
  OutboxLease(OutboxStore& store, std::int64_t id, std::chrono::milliseconds lease);
  /// Stops renewing (the lease then runs to its current end, unless a mark
  /// ends it) and joins the renewal thread.
  ~OutboxLease();
  OutboxLease(const OutboxLease&) = delete;
  OutboxLease& operator=(const OutboxLease&) = delete;

  /// True once a renewal was refused: another instance may hold the event.
  bool lost() const { return lost_.load(); }
  /// Successful renewals so far.
  int renewals() const { return renewals_.load(); }
  /// Renewals that failed on a store error (StateError) so far.
  int failures() const { return failures_.load(); }

 private:
  void run();

  OutboxStore& store_;
  std::int64_t id_;
  std::chrono::milliseconds lease_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> lost_{false};
  std::atomic<int> renewals_{0};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

}  // namespace insgate::state

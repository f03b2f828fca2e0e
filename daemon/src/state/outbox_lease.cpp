// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/outbox_lease.hpp"

#include <algorithm>

namespace insgate::state {

OutboxLease::OutboxLease(OutboxStore& store, std::int64_t id, std::chrono::milliseconds lease)
    : store_(store), id_(id), lease_(lease), thread_([this] { run(); }) {}

OutboxLease::~OutboxLease() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void OutboxLease::run() {
  const auto every = std::max(lease_ / 3, std::chrono::milliseconds(1));
  std::unique_lock lock(mutex_);
  for (;;) {
    if (cv_.wait_for(lock, every, [this] { return stop_; })) return;
    lock.unlock();
    try {
      if (!store_.renew_lease(id_, Clock::now(), lease_)) {
        lost_ = true;
        return;
      }
      ++renewals_;
    } catch (const std::exception&) {
      ++failures_;  // store unreachable: try again at the next tick
    }
    lock.lock();
  }
}

}  // namespace insgate::state

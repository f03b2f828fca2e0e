// insgate — delivery of outbox events to one plugin instance (issue #5).
//
// One worker thread per plugin instance, off the event loop [outbox-thread].
// Events are handed over in order (oldest first); the head event's
// next-attempt time holds back the ones behind it. RETRY_LATER → exponential
// backoff (first `backoff`, doubled, capped at one hour); after
// `max_attempts`, or on PERMANENT_FAILURE, the event goes to the dead
// letters (`insgatectl outbox list --etat dead`, `retry`). Delivery is at
// least once: an event whose delivery was interrupted (crash, kill -9)
// before it was marked delivered is delivered again with the same
// idempotency key. In a fleet (PostgreSQL) the event is leased for `lease`
// (outbox.bail_ms) and the lease is renewed while deliver() runs
// (state/outbox_lease.hpp): another instance takes it only once this one
// stopped renewing (killed), `lease` after the last renewal at most. The
// worker looks for work at least every `lease` (and every 5 s), so events
// freed by a killed instance are picked up without waiting for new ones.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/metrics.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "state/state_store.hpp"

namespace insgate::app {

class OutboxWorker {
 public:
  OutboxWorker(state::OutboxStore& store, std::string plugin_name,
               plugin_host::PluginInstance& instance, int max_attempts,
               std::chrono::milliseconds backoff, std::chrono::milliseconds lease,
               metrics::Metrics* metrics = nullptr);
  /// Stops and joins (waits for a deliver() in progress to return).
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  /// New events were queued: look now instead of at the next poll. Thread-safe.
  void wake();

 private:
  void run();
  /// Waits until `until`, a wake() or stop. @return false when stopping.
  bool wait_until(std::chrono::steady_clock::time_point until);
  void deliver_one(const state::OutboxRow& row);

  state::OutboxStore& store_;
  std::string plugin_;
  plugin_host::PluginInstance& instance_;
  int max_attempts_;
  std::chrono::milliseconds backoff_;
  std::chrono::milliseconds lease_;
  metrics::Metrics* metrics_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

/// The plugin event of an outbox payload (state/events.hpp shape).
/// @throw std::runtime_error when the payload cannot be read.
plugin_host::IdentityEvent event_from_payload(const std::string& payload_json);

}  // namespace insgate::app

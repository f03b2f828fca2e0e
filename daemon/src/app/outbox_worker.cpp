// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/outbox_worker.hpp"

#include "state/outbox_lease.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace insgate::app {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::seconds(5);
constexpr auto kMaxBackoff = std::chrono::hours(1);

plugin_host::Ins ins_of(const nlohmann::json& j) {
  return {j.at("matricule").get<std::string>(), j.at("cle").get<std::string>(),
          j.at("oid").get<std::string>()};
}

}  // namespace

plugin_host::IdentityEvent event_from_payload(const std::string& payload_json) {
  auto j = nlohmann::json::parse(payload_json, nullptr, false);
  if (!j.is_object()) throw std::runtime_error("unreadable outbox payload");
  try {
    plugin_host::IdentityEvent e;
    auto kind = state::parse_event_kind(j.at("type").get<std::string>());
    if (!kind) throw std::runtime_error("unknown event kind");
    e.kind = static_cast<plugin_host::EventKind>(
        *kind == state::EventKind::qualifiee       ? INSGATE_EVENT_QUALIFIEE
        : *kind == state::EventKind::mise_a_jour   ? INSGATE_EVENT_MISE_A_JOUR
        : *kind == state::EventKind::ins_remplacee ? INSGATE_EVENT_INS_REMPLACEE
                                                   : INSGATE_EVENT_DECLASSEE);
    e.idempotency_key = j.at("cle_idempotence").get<std::string>();
    e.event_time = j.at("horodatage").get<std::string>();
    e.rniv_status = j.at("statut").get<std::string>();
    if (j.contains("identifiant_local") && j["identifiant_local"].is_string())
      e.local_id = j["identifiant_local"].get<std::string>();
    e.ins = ins_of(j.at("ins"));
    const auto& t = j.at("traits");
    e.nom_naissance = t.value("nom_naissance", "");
    e.liste_prenoms = t.value("liste_prenoms", "");
    e.premier_prenom = t.value("premier_prenom", "");
    e.sexe = t.value("sexe", "");
    e.date_naissance = t.value("date_naissance", "");
    e.lieu_naissance = t.value("lieu_naissance", "");
    if (j.contains("ins_precedent")) e.previous_ins = ins_of(j["ins_precedent"]);
    // Added with plugin ABI minor 1; absent from payloads queued before.
    if (auto it = j.find("insi_le"); it != j.end() && it->is_string())
      e.insi_call_time = it->get<std::string>();
    if (auto it = j.find("piece_identite"); it != j.end() && it->is_object()) {
      e.identity_document_type = it->value("type", "");
      e.identity_document_checked_on = it->value("verifiee_le", "");
    }
    return e;
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("incomplete outbox payload");
  }
}

OutboxWorker::OutboxWorker(state::OutboxStore& store, std::string plugin_name,
                           plugin_host::PluginInstance& instance, int max_attempts,
                           std::chrono::milliseconds backoff, std::chrono::milliseconds lease,
                           metrics::Metrics* metrics)
    : store_(store),
      plugin_(std::move(plugin_name)),
      instance_(instance),
      max_attempts_(max_attempts),
      backoff_(backoff),
      lease_(lease),
      metrics_(metrics),
      thread_([this] { run(); }) {}

OutboxWorker::~OutboxWorker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void OutboxWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool OutboxWorker::wait_until(SteadyClock::time_point until) {
  std::unique_lock lock(mutex_);
  cv_.wait_until(lock, until, [this] { return stop_ || woken_; });
  woken_ = false;
  return !stop_;
}

void OutboxWorker::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    state::OutboxClaim claim;
    try {
      claim = store_.claim(plugin_, state::Clock::now(), lease_);
    } catch (const std::exception& e) {
      spdlog::error("[OUTBOX_READ] plugin {}: {}", plugin_, e.what());
      if (metrics_) metrics_->state_store_error(metrics::StateErrorSource::outbox);
    }
    if (!claim.row) {
      // Nothing this worker may take now: wait for the held-back head's
      // next attempt, a wake() (new events) or the next poll.
      auto step = std::chrono::duration_cast<SteadyClock::duration>(
          std::min<std::chrono::milliseconds>(kPoll, lease_));
      if (claim.next_due) {
        auto wait = *claim.next_due - state::Clock::now();
        step = std::clamp<SteadyClock::duration>(
            std::chrono::duration_cast<SteadyClock::duration>(wait), SteadyClock::duration(0),
            step);
      }
      if (!wait_until(SteadyClock::now() + step)) return;
      continue;
    }
    deliver_one(*claim.row);
  }
}

void OutboxWorker::deliver_one(const state::OutboxRow& row) {
  try {
    plugin_host::DeliveryResult result;
    try {
      plugin_host::IdentityEvent event = event_from_payload(row.payload_json);
      event.finess = row.finess;  // the outbox row's column (issue 12), not the payload
      state::OutboxLease kept(store_, row.id, lease_);  // renewed until deliver() returns
      result = instance_.deliver(event);
      if (kept.lost())
        spdlog::warn("[OUTBOX_LEASE_LOST] plugin {}: event {} was leased by another instance "
                     "during its delivery (this one's lease had expired)",
                     plugin_, row.id);
      else if (kept.failures() > 0)
        spdlog::warn("[OUTBOX_LEASE] plugin {}: event {}: {} lease renewal(s) failed on the "
                     "state store",
                     plugin_, row.id, kept.failures());
    } catch (const std::runtime_error& e) {
      result = {plugin_host::DeliveryStatus::permanent_failure, e.what()};
    }
    int attempts = row.attempts + 1;
    switch (result.status) {
      case plugin_host::DeliveryStatus::ok:
        store_.mark_delivered(row.id, state::Clock::now());
        if (metrics_) metrics_->outbox_delivery(plugin_, metrics::DeliveryOutcome::delivered);
        spdlog::info("[OUTBOX_DELIVERED] plugin {}: event {} delivered", plugin_, row.id);
        return;
      case plugin_host::DeliveryStatus::retry_later:
        if (attempts < max_attempts_) {
          auto delay = backoff_ * (1LL << std::min(attempts - 1, 20));
          auto capped = std::min<std::chrono::milliseconds>(delay, kMaxBackoff);
          store_.mark_retry(row.id, state::Clock::now() + capped, result.error);
          if (metrics_) metrics_->outbox_delivery(plugin_, metrics::DeliveryOutcome::retry);
          spdlog::warn("[OUTBOX_RETRY] plugin {}: event {} attempt {} failed, retry in {} ms",
                       plugin_, row.id, attempts, capped.count());
          return;
        }
        [[fallthrough]];
      case plugin_host::DeliveryStatus::permanent_failure:
        store_.mark_dead(row.id, result.error);
        if (metrics_) metrics_->outbox_delivery(plugin_, metrics::DeliveryOutcome::dead);
        spdlog::error("[OUTBOX_DEAD] plugin {}: event {} moved to the dead letters after {} "
                      "attempt(s)",
                      plugin_, row.id, attempts);
        return;
    }
  } catch (const std::exception& e) {
    spdlog::error("[OUTBOX_WRITE] plugin {}: {}", plugin_, e.what());
    if (metrics_) metrics_->state_store_error(metrics::StateErrorSource::outbox);
    wait_until(SteadyClock::now() + std::chrono::seconds(1));
  }
}

}  // namespace insgate::app

// insgate — monthly INSi activity per FINESS.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/activity.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

#include "state/hashing.hpp"
#include "state/state_error.hpp"

namespace insgate::state {

namespace {
std::string checked(std::string key) {
  if (key.empty()) throw StateError("state: activity counters need a non-empty HMAC key");
  return key;
}
}  // namespace

ActivityCounter::ActivityCounter(StateStore& store, std::string hmac_key)
    : store_(store), hmac_(checked(std::move(hmac_key))) {}

std::string ActivityCounter::operator_hash(std::string_view operateur) const {
  // Domain-separated so an operator and a person with equal strings differ.
  return hmac_.hex(std::string("operateur:") + std::string(operateur));
}

std::string ActivityCounter::month_of(TimePoint t) {
  std::time_t s = Clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m", &tm);
  return buf;
}

void ActivityCounter::add(const ActivityEvent& e) {
  ActivityDelta d;
  d.finess = e.finess;
  d.mois = month_of(e.when);
  d.recuperations = std::max(e.appels_recuperation, 0);
  d.verifications = std::max(e.appels_verification, 0);
  if (d.recuperations + d.verifications > 0) {
    d.requetes_insi = 1;
    if (e.operation == InsiOperation::verification) d.requetes_verification = 1;
  }
  if (e.from_cache) d.cache_hits = 1;
  switch (e.outcome) {
    case RequestOutcome::cr00: d.cr00 = 1; break;
    case RequestOutcome::cr01: d.cr01 = 1; break;
    case RequestOutcome::cr02: d.cr02 = 1; break;
    case RequestOutcome::erreur: d.erreurs = 1; break;
  }
  if (!e.operateur.empty()) d.operateur_hash = operator_hash(e.operateur);
  if (!e.personne.empty())
    d.personne_hash = hmac_.hex(std::string("personne:") + std::string(e.personne));
  std::lock_guard lock(mutex_);
  if (buffer_.size() < kMaxBuffered) buffer_.push_back(std::move(d));
}

void ActivityCounter::flush() {
  std::vector<ActivityDelta> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(buffer_);
  }
  if (batch.empty()) return;
  // One counter row per FINESS × month and one row per distinct hash,
  // whatever the number of requests buffered.
  std::map<std::pair<std::string, std::string>, ActivityDelta> sums;
  std::set<std::tuple<std::string, std::string, std::string>> operateurs, personnes;
  for (const auto& d : batch) {
    auto& t = sums[{d.finess, d.mois}];
    t.finess = d.finess;
    t.mois = d.mois;
    add_activity_counters(t, d);
    if (!d.operateur_hash.empty()) operateurs.emplace(d.finess, d.mois, d.operateur_hash);
    if (!d.personne_hash.empty()) personnes.emplace(d.finess, d.mois, d.personne_hash);
  }
  try {
    store_.transact([&](StateTx& tx) {
      for (const auto& [key, t] : sums) tx.activity_add(t);
      // Deltas without counters: only their hash is recorded.
      for (auto [hashes, field] : {std::pair{&operateurs, &ActivityDelta::operateur_hash},
                                   std::pair{&personnes, &ActivityDelta::personne_hash}}) {
        for (const auto& [finess, mois, h] : *hashes) {
          ActivityDelta d;
          d.finess = finess;
          d.mois = mois;
          d.*field = h;
          tx.activity_add(d);
        }
      }
    }, Durability::relaxed);
  } catch (...) {
    std::lock_guard lock(mutex_);  // rolled back: keep them, oldest first
    batch.insert(batch.end(), std::make_move_iterator(buffer_.begin()),
                 std::make_move_iterator(buffer_.end()));
    buffer_.swap(batch);
    throw;
  }
}

void ActivityCounter::record(const ActivityEvent& e) {
  add(e);
  flush();
}

std::size_t ActivityCounter::buffered() const {
  std::lock_guard lock(mutex_);
  return buffer_.size();
}

}  // namespace insgate::state

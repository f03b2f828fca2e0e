// insgate — monthly INSi activity per FINESS.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/activity.hpp"

#include <ctime>

#include "state/hashing.hpp"
#include "state/state_error.hpp"

namespace insgate::state {

ActivityCounter::ActivityCounter(StateStore& store, std::string hmac_key)
    : store_(store), key_(std::move(hmac_key)) {
  if (key_.empty()) throw StateError("state: activity counters need a non-empty HMAC key");
}

std::string ActivityCounter::operator_hash(std::string_view operateur) const {
  // Domain-separated so an operator and a person with equal strings differ.
  return hmac_sha256_hex(key_, std::string("operateur:") + std::string(operateur));
}

std::string ActivityCounter::month_of(TimePoint t) {
  std::time_t s = Clock::to_time_t(t);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m", &tm);
  return buf;
}

void ActivityCounter::record(const ActivityEvent& e) {
  ActivityDelta d;
  d.finess = e.finess;
  d.mois = month_of(e.when);
  if (e.appels_insi > 0) {
    d.sollicitations = 1;
    (e.operation == InsiOperation::recuperation ? d.recuperations : d.verifications) =
        e.appels_insi;
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
    d.personne_hash = hmac_sha256_hex(key_, std::string("personne:") + std::string(e.personne));
  store_.transact([&](StateTx& tx) { tx.activity_add(d); });
}

}  // namespace insgate::state

// insgate — monthly INSi activity per FINESS (the regional usage file).
//
// Counters per FINESS × month ("AAAA-MM", the daemon's local time zone —
// Europe/Paris on a French host): INSi calls to the récupération and to the
// vérification operations — SOAP messages written completely to INSi, each
// first name and each retry included, counted under the operation they were
// sent to, as INSi counts them (issue #11) — and, per request: requests that
// made at least one call (of which vérifications), outcomes
// CR 00/01/02/error, cache hits,
// distinct operators and distinct persons. Operators and persons are stored
// only as HMAC-SHA256 under the installation key, so "the same operator
// twice counts once" without the raw value ever reaching the file.
// Source rule: ins-identity-rules.md §0 rule 7, §6; local-api.md "Caller
// identity" and GET /v1/stats/mensuel.
// Writes are batched: add() only buffers (no I/O, cheap enough for the event
// loop); flush() writes everything buffered in one relaxed transaction. The
// daemon flushes every second, before reading the counters back and at
// stop, so a crash loses at most the last second of counting, never an
// identity or an event.
// Thread safety: [any-thread] (the buffer has its own mutex; the store's).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "state/hashing.hpp"
#include "state/state_store.hpp"

namespace insgate::state {

enum class RequestOutcome { cr00, cr01, cr02, erreur };

/// One handled request.
struct ActivityEvent {
  std::string finess;  ///< 9 characters
  TimePoint when;
  InsiOperation operation = InsiOperation::recuperation;  ///< what the caller asked for
  /// INSi calls (messages written completely) to a récupération operation
  /// (traits or carte Vitale), and to the vérification operation. A
  /// vérification by comparison makes récupération calls.
  int appels_recuperation = 0;
  int appels_verification = 0;
  bool from_cache = false;  ///< answered from the cache
  RequestOutcome outcome = RequestOutcome::cr00;
  std::string_view operateur;  ///< raw; hashed here, never stored ("" = not counted)
  std::string_view personne;   ///< raw person discriminator (e.g. INS or cache key); hashed
};

class ActivityCounter {
 public:
  /// @param hmac_key installation secret. @throw StateError if empty.
  ActivityCounter(StateStore& store, std::string hmac_key);

  /// Buffers one request for its FINESS × month (hashes computed now; the
  /// raw operator and person are not kept). Never throws for storage. While
  /// the store refuses writes, at most kMaxBuffered requests wait; later
  /// ones are not counted (memory stays bounded).
  static constexpr std::size_t kMaxBuffered = 100000;
  void add(const ActivityEvent& e);
  /// Writes every buffered request in one transaction (Durability::relaxed).
  /// On failure the buffer is kept for the next flush. @throw StateError.
  void flush();
  /// add() then flush(). @throw StateError.
  void record(const ActivityEvent& e);
  /// Requests buffered and not yet written.
  std::size_t buffered() const;

  /// Keyed hash of an operator (also what Identities::qualify stores).
  std::string operator_hash(std::string_view operateur) const;

  /// "AAAA-MM" of `t` in the local time zone.
  static std::string month_of(TimePoint t);

 private:
  StateStore& store_;
  HmacSha256 hmac_;
  mutable std::mutex mutex_;
  std::vector<ActivityDelta> buffer_;
};

}  // namespace insgate::state

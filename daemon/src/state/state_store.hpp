// insgate — the durable state behind narrow interfaces: result cache,
// identities and their INS history, the events outbox, monthly activity.
//
// The embedded implementation is SQLite (sqlite_store.hpp); a shared server
// database can implement the same interfaces later. Everything that must be
// atomic (a status change and its outbox event, an INS replacement, its
// history and its event) runs inside one StateStore::transact call.
// Source rule: issue 5 (durable state), ins-identity-rules.md §3, §4, §6.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "state/records.hpp"

namespace insgate::state {

/// Cached INSi answers, by hex SHA-256 key.
class CacheTable {
 public:
  virtual ~CacheTable() = default;
  /// The entry for `key`, expired or not (the caller decides).
  virtual std::optional<CacheEntry> cache_get(const std::string& key) = 0;
  /// Inserts or replaces the entry of `e.key`.
  virtual void cache_put(const CacheEntry& e) = 0;
  /// Deletes entries whose expires_at is before `t`; returns how many.
  virtual std::size_t cache_purge(TimePoint t) = 0;
  /// Deletes every entry whose answer's INS is `ins`; returns their keys.
  virtual std::vector<std::string> cache_drop_ins(const identity::Ins& ins) = 0;
};

/// Identities keyed by their current INS, their INS history and status log.
class IdentityTable {
 public:
  virtual ~IdentityTable() = default;
  virtual std::optional<IdentityRecord> identity_by_ins(const identity::Ins& ins) = 0;
  /// Most recently updated identity with this local identifier, if any.
  virtual std::optional<IdentityRecord> identity_by_local_id(const std::string& local_id) = 0;
  /// Identity whose history holds `ins` (any origin), if any.
  virtual std::optional<IdentityRecord> identity_by_history_ins(const identity::Ins& ins) = 0;
  /// @return the new id. @throw StateError if the INS is already someone's current INS.
  virtual std::int64_t identity_insert(const IdentityRecord& r) = 0;
  /// Rewrites every column of row `r.id` (the INS included).
  virtual void identity_update(const IdentityRecord& r) = 0;
  /// Adds or refreshes one history entry (one row per identity × INS).
  virtual void history_put(std::int64_t identity_id, const InsHistoryEntry& h) = 0;
  virtual std::vector<InsHistoryEntry> history(std::int64_t identity_id) = 0;
  virtual void status_log(std::int64_t identity_id, const StatusChange& c) = 0;
  virtual std::vector<StatusChange> status_changes(std::int64_t identity_id) = 0;
};

/// Queues events for the delivery worker (outbox rows start `pending`).
class OutboxWriter {
 public:
  virtual ~OutboxWriter() = default;
  /// @return the row id. @throw StateError on a duplicate (plugin, idempotency key).
  virtual std::int64_t outbox_enqueue(const NewOutboxEvent& e) = 0;
};

/// Adds to the monthly counters; distinct hashes are counted once. A delta
/// whose counters are all zero only records its hashes.
class ActivityWriter {
 public:
  virtual ~ActivityWriter() = default;
  virtual void activity_add(const ActivityDelta& d) = 0;
};

/// Everything reachable inside one transaction. Valid only during the
/// transact() call that handed it out.
class StateTx : public CacheTable, public IdentityTable, public OutboxWriter,
                public ActivityWriter {};

/// Management of the outbox, for the delivery worker and `insgatectl outbox`.
/// Each call is its own transaction.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  /// Oldest pending rows first (id order), for `plugin` (nullopt: rows of
  /// every plugin). next_attempt_at is not filtered: in-order delivery means
  /// the worker waits for the head row's next_attempt_at.
  virtual std::vector<OutboxRow> pending(const std::optional<std::string>& plugin,
                                         std::size_t limit) = 0;
  /// @brief Leases the next event of `plugin` the caller may deliver now:
  /// pending, due (next_attempt_at ≤ now), not leased or its lease expired,
  /// and the oldest pending row of its order group (earlier events of the
  /// group are delivered, or dead, first). The lease lasts `lease` from
  /// `now`; mark_delivered/retry/dead then succeed for the lease holder
  /// only. Order groups: SQLite (one daemon per file) uses the whole plugin
  /// (pending() head row, no lease needed); PostgreSQL (a fleet) uses
  /// plugin × structure × identity (NewOutboxEvent::identity_id), rows
  /// locked FOR UPDATE SKIP LOCKED so that two instances never lease one
  /// row. A holder killed mid-delivery loses its lease when it expires:
  /// another instance delivers the event again (same idempotency key).
  virtual OutboxClaim claim(const std::string& plugin, TimePoint now,
                            std::chrono::milliseconds lease) = 0;
  /// @brief Extends the caller's lease of row `id` to `now + lease`, for a
  /// delivery that outlasts its lease (app/lease_keeper.hpp renews it while
  /// deliver() runs). PostgreSQL: only while the row is pending and still
  /// leased by this instance. SQLite keeps no lease: true while pending.
  /// @return false when the lease is no longer this instance's (expired and
  /// taken by another, or the row was marked).
  virtual bool renew_lease(std::int64_t id, TimePoint now, std::chrono::milliseconds lease) = 0;
  /// The three marks below: PostgreSQL accepts them from the instance that
  /// leased the row (claim) only, and ends the lease; SQLite from anyone.
  /// attempts + 1, state delivered. @return false if `id` is not pending.
  virtual bool mark_delivered(std::int64_t id, TimePoint when) = 0;
  /// attempts + 1, stays pending until `next_at`. @return false if not pending.
  virtual bool mark_retry(std::int64_t id, TimePoint next_at, const std::string& error) = 0;
  /// attempts + 1, state dead (dead-letter list). @return false if not pending.
  virtual bool mark_dead(std::int64_t id, const std::string& error) = 0;
  /// Rows in `s`, id order, at most `limit`.
  virtual std::vector<OutboxRow> list(OutboxState s, std::size_t limit) = 0;
  /// dead → pending, attempts 0, due now. @return false if `id` is not dead.
  virtual bool retry_dead(std::int64_t id) = 0;
  /// Deletes delivered rows delivered before `before`. @return how many.
  virtual std::size_t purge_delivered(TimePoint before) = 0;
  /// Pending events queued while no plugin served their structure (plugin
  /// NULL) are handed to each of `plugins` that serves the event's FINESS,
  /// keeping their order, in one transaction; an unrouted row handed to at
  /// least one plugin is removed, the others wait for a plugin of their
  /// structure. Nothing happens when `plugins` is empty.
  /// @return how many unrouted events were handed over.
  virtual std::size_t route_unrouted(const std::vector<PluginRoute>& plugins) = 0;
  /// Pending events per plugin (rows with no plugin as one entry with
  /// plugin nullopt), with the oldest creation time; plugin order, NULL first.
  virtual std::vector<OutboxBacklog> pending_backlog() = 0;
};

/// Monthly counters, for `GET /v1/stats/mensuel`.
class ActivityReader {
 public:
  virtual ~ActivityReader() = default;
  virtual std::optional<ActivityMonth> activity(const std::string& finess,
                                                const std::string& mois) = 0;
  /// Every FINESS with activity in `mois` ("AAAA-MM"), FINESS order.
  virtual std::vector<ActivityMonth> activity_month(const std::string& mois) = 0;
  /// Identities of the active file (updated since `active_since`) per RNIV
  /// status API name ("provisoire", "recuperee", "validee", "qualifiee").
  /// `finess`: of that structure only; nullopt: of every structure.
  virtual std::map<std::string, std::int64_t> identity_counts(
      TimePoint active_since, const std::optional<std::string>& finess = std::nullopt) = 0;
  /// The snapshot of the qualified-identity rate of `finess` for `mois`, if
  /// one was taken.
  virtual std::optional<QualificationSnapshot> qualification_snapshot(const std::string& finess,
                                                                      const std::string& mois) = 0;
  /// Inserts or replaces the snapshot of (s.finess, s.mois). Callers only
  /// ever write the running month (state/qualification_rate.hpp).
  virtual void put_qualification_snapshot(const QualificationSnapshot& s) = 0;
};

/// How hard a commit must reach the disk.
///  - full: on stable storage when transact() returns (power loss included).
///    Qualifications, status changes and outbox transitions use it.
///  - relaxed: survives a crash or kill of the daemon at once, but a power
///    loss may drop the last relaxed commits (never corrupting the file).
///    For the bookkeeping of INSi answers (cache, "récupérée", counters):
///    INSi stays the authority and can be asked again. A relaxed transaction
///    that queued an outbox event is still made durable before returning.
enum class Durability { full, relaxed };

/// The whole store. Implementations document their thread safety.
class StateStore : public OutboxStore, public ActivityReader {
 public:
  /// @brief Runs `work` in one transaction: committed when it returns,
  /// rolled back when it throws (the exception is rethrown unchanged).
  /// Not reentrant: never call transact() from inside `work`.
  /// @throw StateError when the transaction cannot begin or commit.
  /// Identities, their history and status log, cache entries written and
  /// outbox events queued are those of the structure `finess` (issue 12):
  /// an identity of another structure is invisible, even with the same INS.
  /// (Cache keys themselves carry the FINESS: api routes.)
  virtual void transact_for(const std::string& finess, const std::function<void(StateTx&)>& work,
                            Durability d) = 0;
  /// In the structure "" (unit tests, and rows no structure claims).
  void transact(const std::function<void(StateTx&)>& work, Durability d) {
    transact_for(std::string(), work, d);
  }
  void transact(const std::function<void(StateTx&)>& work) { transact(work, Durability::full); }
};

}  // namespace insgate::state

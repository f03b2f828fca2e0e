// insgate — StateTx over one PostgreSQL transaction (internal to PgStore).
// [caller-synchronised] used only by the thread running transact_for().
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/transaction_base>
#include <pqxx/row>

#include "state/state_store.hpp"

// Parameters: libpqxx sends an empty std::optional as NULL (string_traits).

namespace insgate::state::detail {

/// Reads an outbox row selected with kPgOutboxColumns.
OutboxRow read_pg_outbox_row(const pqxx::row& r);

class PgTx final : public StateTx {
 public:
  /// Scoped to the structure `finess` (StateStore::transact_for).
  PgTx(pqxx::transaction_base& w, std::string finess) : w_(w), finess_(std::move(finess)) {}

  std::optional<CacheEntry> cache_get(const std::string& key) override;
  void cache_put(const CacheEntry& e) override;
  std::size_t cache_purge(TimePoint t) override;
  std::vector<std::string> cache_drop_ins(const identity::Ins& ins) override;

  std::optional<IdentityRecord> identity_by_ins(const identity::Ins& ins) override;
  std::optional<IdentityRecord> identity_by_local_id(const std::string& local_id) override;
  std::optional<IdentityRecord> identity_by_history_ins(const identity::Ins& ins) override;
  std::int64_t identity_insert(const IdentityRecord& r) override;
  void identity_update(const IdentityRecord& r) override;
  void history_put(std::int64_t identity_id, const InsHistoryEntry& h) override;
  std::vector<InsHistoryEntry> history(std::int64_t identity_id) override;
  void status_log(std::int64_t identity_id, const StatusChange& c) override;
  std::vector<StatusChange> status_changes(std::int64_t identity_id) override;

  std::int64_t outbox_enqueue(const NewOutboxEvent& e) override;
  void activity_add(const ActivityDelta& d) override;

  /// True once outbox_enqueue() ran in this transaction.
  bool queued_events() const { return queued_events_; }

 private:
  /// Before the first identity or outbox statement: the structure's
  /// transaction advisory lock (pg_store.hpp).
  void lock_structure();
  pqxx::transaction_base& w_;
  std::string finess_;
  bool locked_ = false;
  bool queued_events_ = false;
};

}  // namespace insgate::state::detail

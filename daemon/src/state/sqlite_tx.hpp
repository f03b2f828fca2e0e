// insgate — StateTx over an open SQLite connection (internal to the store).
// [caller-synchronised] used only while SqliteStore holds its mutex and an
// open transaction.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

#include "state/sqlite_statements.hpp"
#include "state/state_store.hpp"
#include "state/unix_time.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace insgate::state::detail {

/// Reads one outbox row from a statement selecting kOutboxColumns.
OutboxRow read_outbox_row(SQLite::Statement& q);
inline constexpr const char* kOutboxColumns =
    "id, plugin, type_evenement, cle_idempotence, payload_json, tentatives, "
    "prochaine_tentative, etat, derniere_erreur, cree_le, livre_le, finess";

class SqliteTx final : public StateTx {
 public:
  /// Scoped to the structure `finess` (StateStore::transact_for).
  SqliteTx(SQLite::Database& db, StatementCache& stmts, std::string finess)
      : db_(db), stmts_(stmts), finess_(std::move(finess)) {}

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
  /// `where` follows "WHERE finess = ? AND "; its own parameters from ?2.
  std::optional<IdentityRecord> identity_where(const char* where, const identity::Ins* ins,
                                               const std::string* local_id);
  SQLite::Database& db_;
  StatementCache& stmts_;
  std::string finess_;
  bool queued_events_ = false;
};

}  // namespace insgate::state::detail

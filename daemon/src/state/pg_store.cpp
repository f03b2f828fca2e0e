// insgate — PgStore: start-up (schema check and migrations under an
// advisory lock), transactions, the shared activity key.
// Source rule: issue 15 "Fleet mode" (see pg_store.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/pg_store.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/transaction>

#include "state/pg_errors.hpp"
#include "state/pg_pool.hpp"
#include "state/pg_schema.hpp"
#include "state/pg_statements.hpp"
#include "state/pg_tx.hpp"
#include "state/state_error.hpp"

namespace insgate::state {
namespace {

std::string default_instance_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  unsigned char raw[4] = {};
  RAND_bytes(raw, sizeof raw);
  static const char* hex = "0123456789abcdef";
  std::string tag;
  for (unsigned char b : raw) {
    tag.push_back(hex[b >> 4]);
    tag.push_back(hex[b & 15]);
  }
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + tag;
}

int read_version(pqxx::transaction_base& w) {
  if (w.exec("SELECT to_regclass('insgate_schema') IS NULL")[0][0].as<bool>()) return 0;
  auto r = w.exec("SELECT max(version) FROM insgate_schema");
  return r[0][0].is_null() ? 0 : r[0][0].as<int>();
}

// Under the migration lock, inside one transaction: a newer database is
// refused before anything is written; missing migrations run in order.
void migrate(pqxx::connection_base& c) {
  pqxx::work w(c);
  w.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLock) + ")");
  // Read after the lock: the statement's snapshot sees a migration another
  // instance committed while this one waited.
  const int version = read_version(w);
  if (version > kPgSchemaVersion)
    throw StateError("state (PostgreSQL): database schema version " + std::to_string(version) +
                     " is newer than this insgated (" + std::to_string(kPgSchemaVersion) +
                     "); refusing to start and leaving it untouched — run a newer insgated");
  if (version == kPgSchemaVersion) return;  // nothing written; rolled back
  const auto steps = detail::pg_migrations();
  if (version == 0) w.exec("CREATE TABLE insgate_schema (version integer NOT NULL)");
  for (int v = version; v < kPgSchemaVersion; ++v) w.exec(steps[static_cast<std::size_t>(v)]);
  w.exec("DELETE FROM insgate_schema");
  w.exec("INSERT INTO insgate_schema (version) VALUES (" + std::to_string(kPgSchemaVersion) +
         ")");
  w.commit();
}

}  // namespace

std::string read_pg_conninfo(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StateError(path + ": cannot read the PostgreSQL connection string");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty()) throw StateError(path + ": the PostgreSQL connection string is empty");
  return s;
}

PgStore::PgStore(const PgOptions& opt)
    : instance_id_(opt.instance_id.empty() ? default_instance_id() : opt.instance_id) {
  pool_ = std::make_unique<detail::PgPool>(opt.conninfo, opt.connections, opt.pool_wait,
                                           detail::prepare_pg_statements);
  auto lease = pool_->acquire();
  try {
    migrate(lease->conn());
  } catch (const StateError&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    lease->discard();
    throw StateError("state (PostgreSQL): connection lost during start-up (" +
                     detail::pg_reason(e) + ")");
  } catch (const std::exception& e) {
    throw StateError("state (PostgreSQL): schema migration failed, nothing changed (" +
                     detail::pg_reason(e) + ")");
  }
}

PgStore::~PgStore() = default;

int PgStore::schema_version() {
  return detail::pg_run(*pool_, "reading the schema version",
                        [](pqxx::work& w) { return read_version(w); });
}

bool PgStore::reachable() noexcept {
  try {
    return detail::pg_run(*pool_, "checking the server",
                          [](pqxx::work& w) { return w.exec("SELECT 1")[0][0].as<int>() == 1; });
  } catch (...) {
    return false;
  }
}

std::string PgStore::activity_key(const std::string& candidate) {
  return detail::pg_run(*pool_, "reading the activity hash key", [&](pqxx::work& w) {
    w.exec_prepared("key_put", candidate);
    auto r = w.exec_prepared("key_get");
    if (r.empty()) throw StateError("state (PostgreSQL): no activity hash key stored");
    std::string key = r[0][0].as<std::string>();
    w.commit();
    return key;
  });
}

void PgStore::transact_for(const std::string& finess, const std::function<void(StateTx&)>& work,
                           Durability d) {
  detail::pg_run(*pool_, "transaction", [&](pqxx::work& w) {
    detail::PgTx tx(w, finess);
    work(tx);  // any exception: the transaction is aborted, rethrown (pg_run)
    // Bookkeeping may skip the wait for the WAL flush; an outbox event never.
    if (d == Durability::relaxed && !tx.queued_events())
      w.exec("SET LOCAL synchronous_commit TO off");
    w.commit();
  });
}

}  // namespace insgate::state

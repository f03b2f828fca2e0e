// insgate — SqliteStore: opening, checks, migrations, transactions.
// Source rule: issue 5 "Embedded state store" (see sqlite_store.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "state/sqlite_schema.hpp"
#include "state/sqlite_tx.hpp"
#include "state/state_error.hpp"

namespace insgate::state {
namespace {

namespace fs = std::filesystem;

constexpr std::array<char, 16> kMagic{'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                      'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};

[[noreturn]] void fail(const fs::path& p, const std::string& problem) {
  throw StateError("state file " + p.string() + ": " + problem);
}

std::string errno_text(int e) { return std::strerror(e); }

void ensure_directory(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw StateError("state directory " + dir.string() + ": cannot create (" +
                     errno_text(errno) + ")");
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw StateError("state directory " + dir.string() + ": not a directory");
}

// Creates the file empty with mode 0600 if it does not exist yet.
// @return true if it existed before.
bool create_or_check(const fs::path& p) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    int rc = ::fchmod(fd, 0600);  // the umask may only narrow; this makes it exact
    int e = errno;
    ::close(fd);
    if (rc != 0) fail(p, "cannot set mode 0600 (" + errno_text(e) + ")");
    return false;
  }
  if (errno != EEXIST) fail(p, "cannot create (" + errno_text(errno) + ")");
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) fail(p, "cannot stat (" + errno_text(errno) + ")");
  if (!S_ISREG(st.st_mode)) fail(p, "not a regular file; left untouched");
  if (st.st_size == 0) return true;  // SQLite treats an empty file as an empty database
  std::array<char, 16> head{};
  fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) fail(p, "cannot open for reading (" + errno_text(errno) + ")");
  ssize_t n = ::read(fd, head.data(), head.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(head.size()) || head != kMagic)
    fail(p, "not an SQLite database (wrong header); left untouched — "
            "restore a backup or move it away");
  return true;
}

// Read-only checks on an existing file, before anything may write to it.
void check_existing(SQLite::Database& db, const fs::path& p) {
  int version = 0;
  try {
    SQLite::Statement check(db, "PRAGMA quick_check(1)");
    if (!check.executeStep() || check.getColumn(0).getString() != "ok")
      fail(p, "integrity check failed (corrupt database); left untouched — "
              "restore a backup or move it away");
    version = db.execAndGet("PRAGMA user_version").getInt();
  } catch (const SQLite::Exception& e) {
    fail(p, std::string("cannot be read as an SQLite database (") + e.what() +
                "); left untouched — restore a backup or move it away");
  }
  if (version > kSchemaVersion)
    fail(p, "schema version " + std::to_string(version) + " is newer than this insgated (" +
                std::to_string(kSchemaVersion) +
                "); refusing to start and leaving it untouched — run a newer insgated");
  if (version < 0) fail(p, "invalid schema version; left untouched");
}

/// Rows a pre-v5 file holds belong to the one structure it was written for.
void assign_legacy_finess(SQLite::Database& db, const std::string& finess) {
  for (const char* sql : {"UPDATE identite SET finess = ? WHERE finess = ''",
                          "UPDATE outbox SET finess = ? WHERE finess = ''"}) {
    SQLite::Statement q(db, sql);
    q.bind(1, finess);
    q.exec();
  }
  // Cache keys carry the FINESS (api routes: FINESS ':' hash).
  SQLite::Statement q(db, "UPDATE cache_entry SET finess = ?1, cle = ?1 || ':' || cle "
                          "WHERE finess = ''");
  q.bind(1, finess);
  q.exec();
}

void migrate(SQLite::Database& db, const fs::path& p, const std::string& legacy_finess) {
  try {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Re-read under the write lock: another process may have migrated meanwhile.
    int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > kSchemaVersion) fail(p, "schema became newer during start-up");
    auto steps = detail::migrations();
    for (int v = version; v < kSchemaVersion; ++v) db.exec(steps[static_cast<std::size_t>(v)]);
    const bool had_rows_without_finess = version > 0 && version < detail::finess_schema_version();
    if (had_rows_without_finess && !legacy_finess.empty()) assign_legacy_finess(db, legacy_finess);
    // Foreign keys are off while migrating (a rebuilt table is dropped and
    // renamed): check them all before committing.
    if (db.execAndGet("SELECT count(*) FROM pragma_foreign_key_check").getInt() != 0)
      fail(p, "schema migration would break references between tables");
    if (version != kSchemaVersion)
      db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    tx.commit();
  } catch (const SQLite::Exception& e) {
    fail(p, std::string("schema migration failed, nothing changed (") + e.what() + ")");
  }
}

}  // namespace

SqliteStore::SqliteStore(const SqliteOptions& opt) : path_(opt.directory / kStateFileName) {
  ensure_directory(opt.directory);
  const bool existed = create_or_check(path_);
  try {
    db_ = std::make_unique<SQLite::Database>(
        path_, SQLite::OPEN_READWRITE | SQLite::OPEN_NOFOLLOW,
        static_cast<int>(opt.busy_timeout.count()));
  } catch (const SQLite::Exception& e) {
    fail(path_, std::string("cannot open (") + e.what() + ")");
  }
  if (existed) {
    check_existing(*db_, path_);
    if (::chmod(path_.c_str(), 0600) != 0)
      fail(path_, "cannot set mode 0600 (" + errno_text(errno) + ")");
  }
  try {
    std::string mode = db_->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") fail(path_, "cannot switch to WAL journal mode");
    db_->exec("PRAGMA foreign_keys = OFF");  // during the migrations (see migrate)
    db_->exec("PRAGMA synchronous = FULL");
  } catch (const SQLite::Exception& e) {
    fail(path_, std::string("cannot configure the connection (") + e.what() + ")");
  }
  migrate(*db_, path_, opt.legacy_finess);
  try {
    db_->exec("PRAGMA foreign_keys = ON");
  } catch (const SQLite::Exception& e) {
    fail(path_, std::string("cannot configure the connection (") + e.what() + ")");
  }
  stmts_ = std::make_unique<detail::StatementCache>(*db_);
}

SqliteStore::~SqliteStore() {
  stmts_.reset();  // finalised before the connection closes
}

int SqliteStore::schema_version() {
  std::lock_guard lock(mutex_);
  return db_->execAndGet("PRAGMA user_version").getInt();
}

void SqliteStore::transact_for(const std::string& finess,
                               const std::function<void(StateTx&)>& work, Durability d) {
  std::lock_guard lock(mutex_);
  std::optional<SQLite::Transaction> tx;
  try {
    // A connection setting, changed only between transactions. In WAL mode
    // NORMAL syncs the WAL at checkpoints only: a process crash loses
    // nothing, a power loss may drop the last commits (file stays sound).
    if (d != sync_) {
      db_->exec(d == Durability::full ? "PRAGMA synchronous = FULL"
                                      : "PRAGMA synchronous = NORMAL");
      sync_ = d;
    }
    tx.emplace(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  } catch (const SQLite::Exception& e) {
    throw StateError(std::string("state: cannot begin a transaction (") + e.what() + ")");
  }
  // Statements are reset before the transaction ends, either way (this
  // guard is destroyed before `tx` rolls back).
  struct Release {
    detail::StatementCache& c;
    ~Release() { c.release(); }
  } release{*stmts_};
  detail::SqliteTx stx(*db_, *stmts_, finess);
  try {
    work(stx);
  } catch (const SQLite::Exception& e) {
    throw StateError(std::string("state: statement failed, transaction rolled back (") +
                     e.what() + ")");
  }  // any other exception propagates unchanged; ~Transaction rolls back
  stmts_->release();
  try {
    tx->commit();
  } catch (const SQLite::Exception& e) {
    throw StateError(std::string("state: commit failed, transaction rolled back (") +
                     e.what() + ")");
  }
  // An outbox event is never left to a relaxed commit: a checkpoint syncs
  // the WAL (and the database file) before returning.
  if (d == Durability::relaxed && stx.queued_events()) {
    try {
      db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const SQLite::Exception& e) {
      throw StateError(std::string("state: committed, but could not sync the outbox event (") +
                       e.what() + ")");
    }
  }
}

}  // namespace insgate::state

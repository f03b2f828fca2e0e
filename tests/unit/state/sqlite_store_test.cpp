// Unit tests of state/sqlite_store.hpp: creation, mode, WAL, migrations,
// refusal of foreign/corrupt/newer files without touching them, transactions.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/sqlite_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sys/stat.h>

#include "state/sqlite_schema.hpp"
#include "state/state_error.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using test::TempDir;
namespace fs = std::filesystem;

fs::path db_file(const TempDir& d) { return d.path() / kStateFileName; }

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(SqliteStoreTest, creates_and_migrates_from_empty) {
  TempDir d;
  SqliteStore s({d.path()});
  EXPECT_EQ(s.schema_version(), kSchemaVersion);
  EXPECT_TRUE(fs::exists(db_file(d)));
}

TEST(SqliteStoreTest, file_mode_is_0600_even_with_permissive_umask) {
  TempDir d;
  mode_t old = ::umask(0);
  {
    SqliteStore s({d.path()});
    s.transact([](StateTx& tx) { tx.cache_put({"k", "{}", test::ins_a(), test::t0(), test::t0()}); });
    EXPECT_EQ(mode_of(db_file(d)), 0600u);
    fs::path wal = db_file(d).string() + "-wal";
    if (fs::exists(wal)) {
      EXPECT_EQ(mode_of(wal), 0600u);
    }
  }
  ::umask(old);
}

TEST(SqliteStoreTest, existing_file_mode_is_tightened) {
  TempDir d;
  { SqliteStore s({d.path()}); }
  ::chmod(db_file(d).c_str(), 0644);
  SqliteStore s({d.path()});
  EXPECT_EQ(mode_of(db_file(d)), 0600u);
}

TEST(SqliteStoreTest, wal_journal_mode_is_on) {
  TempDir d;
  SqliteStore s({d.path()});
  SQLite::Database other(db_file(d), SQLite::OPEN_READONLY);
  EXPECT_EQ(other.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(SqliteStoreTest, reopen_keeps_data) {
  TempDir d;
  {
    SqliteStore s({d.path()});
    s.transact([](StateTx& tx) {
      tx.cache_put({"cle", "{\"x\":1}", test::ins_a(), test::t0(), test::t0()});
    });
  }
  SqliteStore s({d.path()});
  std::optional<CacheEntry> e;
  s.transact([&](StateTx& tx) { e = tx.cache_get("cle"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->resultat_json, "{\"x\":1}");
  EXPECT_EQ(e->ins.matricule, test::ins_a().matricule);
}

TEST(SqliteStoreTest, garbage_file_is_refused_and_left_unchanged) {
  TempDir d;
  std::string garbage = "this is not a database, just some text\n";
  garbage.append(4096, 'x');
  { std::ofstream(db_file(d), std::ios::binary) << garbage; }
  EXPECT_THROW(SqliteStore({d.path()}), StateError);
  EXPECT_EQ(test::read_bytes(db_file(d)), garbage);
  EXPECT_FALSE(fs::exists(db_file(d).string() + "-wal"));
}

TEST(SqliteStoreTest, corrupt_file_with_sqlite_header_is_refused_and_left_unchanged) {
  TempDir d;
  { SqliteStore s({d.path()}); }
  std::string bytes = test::read_bytes(db_file(d));
  ASSERT_GT(bytes.size(), 1024u);
  for (std::size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xA5);
  { std::ofstream(db_file(d), std::ios::binary | std::ios::trunc) << bytes; }
  try {
    SqliteStore s({d.path()});
    FAIL() << "expected StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("untouched"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::read_bytes(db_file(d)), bytes);
}

TEST(SqliteStoreTest, newer_schema_is_refused_and_left_unchanged) {
  TempDir d;
  {
    SQLite::Database db(db_file(d), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE future (x INTEGER); PRAGMA user_version = 99;");
  }
  std::string before = test::read_bytes(db_file(d));
  try {
    SqliteStore s({d.path()});
    FAIL() << "expected StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
  EXPECT_EQ(test::read_bytes(db_file(d)), before);
}

TEST(SqliteStoreTest, exception_inside_transact_rolls_everything_back) {
  TempDir d;
  SqliteStore s({d.path()});
  EXPECT_THROW(s.transact([](StateTx& tx) {
    tx.cache_put({"k", "{}", test::ins_a(), test::t0(), test::t0()});
    tx.outbox_enqueue({std::nullopt, EventKind::qualifiee, "key-1", "{}", test::t0()});
    throw std::runtime_error("simulated failure");
  }), std::runtime_error);
  std::optional<CacheEntry> e;
  s.transact([&](StateTx& tx) { e = tx.cache_get("k"); });
  EXPECT_FALSE(e);
  EXPECT_TRUE(s.list(OutboxState::pending, 10).empty());
}

TEST(SqliteStoreTest, duplicate_idempotency_key_for_same_plugin_is_a_state_error) {
  TempDir d;
  SqliteStore s({d.path()});
  NewOutboxEvent e{std::string("spool"), EventKind::qualifiee, "same", "{}", test::t0()};
  s.transact([&](StateTx& tx) { tx.outbox_enqueue(e); });
  EXPECT_THROW(s.transact([&](StateTx& tx) { tx.outbox_enqueue(e); }), StateError);
  e.plugin = "dmp-fhir";
  EXPECT_NO_THROW(s.transact([&](StateTx& tx) { tx.outbox_enqueue(e); }));
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A relaxed commit stays in the WAL (synchronous=NORMAL syncs it only at a
// checkpoint); one that queued an outbox event is checkpointed at once, so
// the event reaches the database file itself before transact() returns.
TEST(SqliteStoreTest, relaxed_commit_with_an_outbox_event_is_checkpointed) {
  TempDir d;
  SqliteStore s({d.path()});
  s.transact([](StateTx& tx) { tx.cache_put({"k0", "{}", test::ins_a(), test::t0(), test::t0()}); },
             Durability::relaxed);
  const std::string before = file_bytes(s.path());
  s.transact([](StateTx& tx) { tx.cache_put({"k1", "{}", test::ins_a(), test::t0(), test::t0()}); },
             Durability::relaxed);
  EXPECT_EQ(file_bytes(s.path()), before) << "a relaxed commit went past the WAL";
  s.transact([](StateTx& tx) {
    tx.outbox_enqueue({std::nullopt, EventKind::qualifiee, "key-relaxed", "{}", test::t0()});
  }, Durability::relaxed);
  EXPECT_NE(file_bytes(s.path()), before) << "the event was left in the WAL only";
  // Full and relaxed transactions mix on one connection.
  s.transact([](StateTx& tx) { tx.cache_put({"k2", "{}", test::ins_a(), test::t0(), test::t0()}); });
  EXPECT_EQ(s.list(OutboxState::pending, 10).size(), 1u);
  std::optional<CacheEntry> e;
  s.transact([&](StateTx& tx) { e = tx.cache_get("k1"); });
  EXPECT_TRUE(e);
}

// Issue #11: a version-2 file keeps its activity, in INSi's view: the
// per-request count becomes requetes_insi, and the calls of vérifications
// by comparison (récupérations for INSi) move to recuperations.
TEST(SqliteStoreTest, version_2_activity_is_migrated_to_insi_view) {
  TempDir d;
  {
    SQLite::Database db((d.path() / kStateFileName).string(),
                        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(detail::migrations()[0]);
    db.exec(detail::migrations()[1]);
    db.exec("INSERT INTO activite (finess, mois, sollicitations, recuperations, verifications, "
            "cr00) VALUES ('010000001', '2026-10', 5, 7, 2, 4); PRAGMA user_version = 2;");
  }
  SqliteStore s({d.path()});
  EXPECT_EQ(s.schema_version(), kSchemaVersion);
  auto m = s.activity("010000001", "2026-10");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->requetes_insi, 5);
  EXPECT_EQ(m->requetes_verification, 0);
  EXPECT_EQ(m->recuperations, 9);
  EXPECT_EQ(m->verifications, 0);
  EXPECT_EQ(m->sollicitations(), 9);
  EXPECT_EQ(m->cr00, 4);
}

// A file written by a version-1 daemon is migrated in place, data kept,
// and gets the index by INS that dropping superseded cache entries uses.
TEST(SqliteStoreTest, version_1_file_is_migrated_to_the_current_schema) {
  TempDir d;
  {
    SQLite::Database db((d.path() / kStateFileName).string(),
                        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(detail::migrations()[0]);
    db.exec("INSERT INTO cache_entry VALUES ('k', '{}', '2800275056123', '41', "
            "'1.2.250.1.213.1.4.8', 0, 0); PRAGMA user_version = 1;");
  }
  SqliteStore s({d.path()});
  EXPECT_EQ(s.schema_version(), kSchemaVersion);
  std::vector<std::string> dropped;
  s.transact([&](StateTx& tx) { dropped = tx.cache_drop_ins(test::ins_a()); });
  EXPECT_EQ(dropped, std::vector<std::string>{"k"});
  SQLite::Database check((d.path() / kStateFileName).string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(check.execAndGet("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                             "name = 'cache_entry_ins'").getInt(),
            1);
}

TEST(SqliteStoreTest, state_directory_is_created_0700) {
  TempDir d;
  fs::path sub = d.path() / "etat";
  SqliteStore s({sub});
  EXPECT_EQ(mode_of(sub), 0700u);
}

}  // namespace
}  // namespace insgate::state

// Unit tests of the state partitioned by structure (issue 12): identities,
// their RNIV statuses and qualification, cache entries and outbox events
// carry the FINESS; a file of the current release (schema 4) migrates in place.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "state/cache.hpp"
#include "state/identities.hpp"
#include "state/qualification_rate.hpp"
#include "state/sqlite_schema.hpp"
#include "state/sqlite_store.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

constexpr const char* kA = "010000001";
constexpr const char* kB = "010000002";

class StructuresStateTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  SqliteStore store{SqliteOptions{dir.path(), {}}};
  Identities identities{store, IdentityPolicy{}};
  ResultCache cache{store, identities, CachePolicy{}, [] { return test::t0(); }};
};

TEST_F(StructuresStateTest, qualification_at_a_does_not_qualify_the_identity_at_b) {
  const auto m = *InsiMatch::from(*test::cr00(test::ins_a()).individu);
  auto at_a = identities.in(kA);
  auto at_b = identities.in(kB);
  ASSERT_TRUE(at_a.record_insi_retrieval(m, test::t0()).identity);
  // B never asked INSi: its identity does not exist, qualification is refused.
  EXPECT_FALSE(at_b.find(test::ins_a()));
  EXPECT_EQ(at_b.qualify(test::ins_a(), {PieceType::cni, "2024-03-01"}, "IPP-1", "h", test::t0()).result,
            QualifyResult::not_retrieved_via_insi);
  ASSERT_TRUE(at_b.record_insi_retrieval(m, test::t0()).identity) << "same INS, another structure";
  EXPECT_EQ(at_a.qualify(test::ins_a(), {PieceType::cni, "2024-03-01"}, "IPP-1", "h", test::t0()).result,
            QualifyResult::qualified);
  EXPECT_EQ(at_a.find(test::ins_a())->rniv.status(), identity::RnivStatus::qualifiee);
  EXPECT_EQ(at_b.find(test::ins_a())->rniv.status(), identity::RnivStatus::recuperee);
  EXPECT_FALSE(identities.find(test::ins_a())) << "the unscoped partition sees neither";
  // Per-structure counts and rates.
  EXPECT_EQ(store.identity_counts(test::t0() - std::chrono::hours(1), std::string(kA)).at("qualifiee"), 1);
  EXPECT_EQ(store.identity_counts(test::t0() - std::chrono::hours(1), std::string(kB)).count("qualifiee"), 0u);
  EXPECT_EQ(take_qualification_snapshot(store, kB, test::t0(), std::chrono::hours(24)).qualifiees, 0);
  EXPECT_EQ(take_qualification_snapshot(store, kA, test::t0(), std::chrono::hours(24)).qualifiees, 1);
  // The qualification's event is A's.
  SQLite::Database db(store.path().string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT group_concat(DISTINCT finess) FROM outbox").getString(), kA);
}

TEST_F(StructuresStateTest, an_answer_cached_for_a_never_answers_b) {
  const std::string key = "0123abcd";
  const auto ka = ResultCache::key_in(kA, key);
  const auto kb = ResultCache::key_in(kB, key);
  EXPECT_NE(ka, kb);
  ASSERT_TRUE(cache.store(ka, test::cr00(test::ins_a()), false, kA).stored);
  EXPECT_TRUE(cache.lookup(ka).hit);
  EXPECT_FALSE(cache.lookup(kb).hit);
  EXPECT_FALSE(cache.lookup_in_memory(kb).has_value() && cache.lookup_in_memory(kb)->hit);
  SQLite::Database db(store.path().string(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT finess FROM cache_entry WHERE cle = ?");
  q.bind(1, ka);
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getString(), kA);
}

// A file of the current release (schema 4, one structure) migrates in
// place: its identities, their history and status log, its cache entries
// and outbox events go to the configuration's first structure.
TEST(StructuresMigrationTest, a_version_4_file_migrates_in_place_to_the_first_structure) {
  test::TempDir dir;
  {
    SQLite::Database db((dir.path() / kStateFileName).string(),
                        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    for (int v = 0; v < 4; ++v) db.exec(detail::migrations()[static_cast<std::size_t>(v)]);
    db.exec("INSERT INTO identite (id, matricule, cle, oid, attr_insi, attr_document, statut, "
            "cree_le, maj_le) VALUES (7, '2800275056123', '41', '1.2.250.1.213.1.4.8', 1, 1, "
            "'qualifiee', 1710504000, 1710504000);"
            "INSERT INTO ins_historique (identite_id, matricule, cle, oid, origine) VALUES "
            "(7, '2800275056124', '14', '1.2.250.1.213.1.4.8', 'remplacee');"
            "INSERT INTO statut_journal (identite_id, de, vers, motif, le) VALUES "
            "(7, 'validee', 'qualifiee', 'qualification', 1710504000);"
            "INSERT INTO cache_entry (cle, resultat_json, ins_matricule, ins_cle, ins_oid, "
            "stocke_le, expire_le) VALUES ('abcd', '{}', '2800275056123', '41', "
            "'1.2.250.1.213.1.4.8', 1710504000, 1710590400);"
            "INSERT INTO outbox (plugin, type_evenement, cle_idempotence, payload_json, cree_le) "
            "VALUES ('spool', 'qualifiee', 'k1', '{}', 1710504000);"
            "PRAGMA user_version = 4;");
  }
  SqliteOptions opt{dir.path(), {}};
  opt.legacy_finess = kA;
  SqliteStore store(opt);
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  Identities at_a(store, IdentityPolicy{}, kA);
  auto rec = at_a.find(test::ins_a());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->id, 7);
  EXPECT_EQ(rec->rniv.status(), identity::RnivStatus::qualifiee);
  EXPECT_EQ(at_a.history(test::ins_a()).size(), 1u) << "history still points at its identity";
  EXPECT_EQ(at_a.status_changes(test::ins_a()).size(), 1u);
  EXPECT_FALSE(Identities(store, IdentityPolicy{}, kB).find(test::ins_a()));
  SQLite::Database db((dir.path() / kStateFileName).string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT finess || ' ' || cle FROM cache_entry").getString(),
            std::string(kA) + " " + kA + ":abcd");
  EXPECT_EQ(db.execAndGet("SELECT finess FROM outbox").getString(), kA);
  // The same INS can now be an identity of B as well.
  ASSERT_TRUE(Identities(store, IdentityPolicy{}, kB)
                  .record_insi_retrieval(*InsiMatch::from(*test::cr00(test::ins_a()).individu), test::t0())
                  .identity);
}

}  // namespace
}  // namespace insgate::state

// Unit tests of state/cache.hpp: keys, hit/miss/TTL, what is never cached,
// INS replacement (history + exactly one event), bypass counter.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/cache.hpp"

#include <gtest/gtest.h>

#include "insi/recherche.hpp"
#include "state/sqlite_store.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using namespace std::chrono_literals;

class CacheTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  SqliteStore store{SqliteOptions{dir.path()}};
  Identities identities{store, IdentityPolicy{}};
  TimePoint now = test::t0();
  ResultCache cache{store, identities, CachePolicy{3600s}, [this] { return now; }};

  insi::TraitsRecherche traits() {
    return {"DUPONT", {"MARIE", "LOUISE"}, "F", "1980-02-29", std::string("75056")};
  }

  /// The same person searched with her first first name only: another key.
  std::string first_name_only_key() {
    auto t = traits();
    t.prenoms = {"MARIE"};
    return ResultCache::key_for(t);
  }

  // The memory tier (cache_memory.hpp) in front of SQLite.
  const std::string memory_key = std::string(64, 'a');
  void delete_row_behind_the_cache() {
    store.transact([](StateTx& tx) { tx.cache_purge(TimePoint::max()); });
  }
};

TEST_F(CacheTest, key_is_a_sha256_hex_and_never_the_raw_traits) {
  std::string k = ResultCache::key_for(traits());
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(k.find("DUPONT"), std::string::npos);
  EXPECT_EQ(k, ResultCache::key_for(traits()));
}

TEST_F(CacheTest, key_depends_on_every_trait) {
  const std::string k = ResultCache::key_for(traits());
  auto t = traits(); t.nom_naissance = "DURAND";
  EXPECT_NE(ResultCache::key_for(t), k);
  t = traits(); t.prenoms = {"MARIE"};
  EXPECT_NE(ResultCache::key_for(t), k);
  t = traits(); t.lieu_naissance.reset();
  EXPECT_NE(ResultCache::key_for(t), k);
  t = traits(); t.date_naissance = "1980-03-01";
  EXPECT_NE(ResultCache::key_for(t), k);
}

TEST_F(CacheTest, vitale_key_differs_from_traits_key_and_ignores_couverture) {
  insi::RechercheVitale v;
  v.nir_ouvrant_droit = {"1800275056124", std::string("07")};
  v.date_naissance = "1980-02-29";
  v.rang_naissance = "1";
  const std::string k = ResultCache::key_for(v);
  v.couverture.organisme = "123";
  EXPECT_EQ(ResultCache::key_for(v), k);
  v.rang_naissance = "2";
  EXPECT_NE(ResultCache::key_for(v), k);
}

TEST_F(CacheTest, miss_then_hit_returns_the_stored_resultat) {
  const auto key = ResultCache::key_for(traits());
  EXPECT_FALSE(cache.lookup(key).hit);
  auto out = cache.store(key, test::cr00(test::ins_a()), false);
  EXPECT_TRUE(out.stored);
  auto hit = cache.lookup(key);
  ASSERT_TRUE(hit.hit);
  ASSERT_TRUE(hit.resultat && hit.resultat->individu);
  EXPECT_EQ(hit.resultat->code_cr, "00");
  EXPECT_EQ(hit.resultat->individu->ins_actif.matricule, test::ins_a().matricule);
  EXPECT_EQ(hit.resultat->individu->tiq.liste_prenoms, "MARIE LOUISE");
  EXPECT_EQ(hit.stored_at, now);
}

TEST_F(CacheTest, entry_expires_after_ttl) {
  const auto key = ResultCache::key_for(traits());
  cache.store(key, test::cr00(test::ins_a()), false);
  now += 3599s;
  EXPECT_TRUE(cache.lookup(key).hit);
  now += 1s;
  EXPECT_FALSE(cache.lookup(key).hit);
}

TEST_F(CacheTest, cr01_cr02_and_anomalies_are_never_cached) {
  const auto key = ResultCache::key_for(traits());
  EXPECT_EQ(cache.store(key, test::cr("01"), false).reason, NotCached::cr_not_00);
  EXPECT_EQ(cache.store(key, test::cr("02"), false).reason, NotCached::cr_not_00);
  EXPECT_EQ(cache.store(key, test::cr00(test::ins_a()), true).reason, NotCached::anomalies);
  EXPECT_FALSE(cache.lookup(key).hit);
}

TEST_F(CacheTest, zero_ttl_disables_storing) {
  ResultCache off{store, identities, CachePolicy{0s}, [this] { return now; }};
  const auto key = ResultCache::key_for(traits());
  EXPECT_EQ(off.store(key, test::cr00(test::ins_a()), false).reason, NotCached::ttl_zero);
  EXPECT_FALSE(off.lookup(key).hit);
}

TEST_F(CacheTest, bypass_is_counted) {
  cache.note_bypass();
  cache.note_bypass();
  EXPECT_EQ(cache.bypasses(), 2u);
}

TEST_F(CacheTest, new_ins_for_known_key_replaces_keeps_history_and_queues_one_event) {
  const auto key = ResultCache::key_for(traits());
  cache.store(key, test::cr00(test::ins_a()), false);
  auto m = InsiMatch::from(*test::cr00(test::ins_a()).individu);
  identities.record_insi_retrieval(*m, now);
  ASSERT_EQ(identities.qualify(test::ins_a(), {PieceType::cni, "2024-03-01"}, "IPP-1", "h", now)
                .result, QualifyResult::qualified);
  const auto before = store.list(OutboxState::pending, 100).size();

  now += 7200s;  // expired: INSi is asked again and answers another INS
  auto out = cache.store(key, test::cr00(test::ins_b()), false);
  EXPECT_TRUE(out.ins_replaced);

  EXPECT_FALSE(identities.find(test::ins_a()));
  auto rec = identities.find(test::ins_b());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->rniv.status(), identity::RnivStatus::qualifiee);
  auto hist = identities.history(test::ins_b());
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_EQ(hist[0].ins.matricule, test::ins_a().matricule);
  EXPECT_EQ(hist[0].origin, HistoryOrigin::remplacee);
  EXPECT_EQ(hist[0].replaced_at, now);

  auto rows = store.list(OutboxState::pending, 100);
  ASSERT_EQ(rows.size(), before + 1);
  EXPECT_EQ(rows.back().kind, EventKind::ins_remplacee);
  EXPECT_NE(rows.back().payload_json.find("ins_precedent"), std::string::npos);

  // Recording the same answer afterwards finds nothing left to replace.
  auto again = identities.record_insi_retrieval(*InsiMatch::from(*test::cr00(test::ins_b()).individu), now);
  EXPECT_FALSE(again.ins_replaced);
  EXPECT_EQ(store.list(OutboxState::pending, 100).size(), before + 1);
}

TEST_F(CacheTest, replacement_of_a_non_qualified_identity_queues_nothing) {
  const auto key = ResultCache::key_for(traits());
  cache.store(key, test::cr00(test::ins_a()), false);
  identities.record_insi_retrieval(*InsiMatch::from(*test::cr00(test::ins_a()).individu), now);
  now += 7200s;
  EXPECT_TRUE(cache.store(key, test::cr00(test::ins_b()), false).ins_replaced);
  EXPECT_TRUE(identities.find(test::ins_b()));
  EXPECT_TRUE(store.list(OutboxState::pending, 100).empty());
}

TEST_F(CacheTest, record_before_store_detects_replacement_through_cache_key_once) {
  const auto key = ResultCache::key_for(traits());
  cache.store(key, test::cr00(test::ins_a()), false);
  identities.record_insi_retrieval(*InsiMatch::from(*test::cr00(test::ins_a()).individu), now);
  identities.qualify(test::ins_a(), {PieceType::passeport, "2024-03-01"}, "IPP-1", "h", now);
  const auto before = store.list(OutboxState::pending, 100).size();

  auto m = *InsiMatch::from(*test::cr00(test::ins_b()).individu);
  m.cache_key = key;
  EXPECT_TRUE(identities.record_insi_retrieval(m, now).ins_replaced);
  EXPECT_FALSE(cache.store(key, test::cr00(test::ins_b()), false).ins_replaced);
  EXPECT_EQ(store.list(OutboxState::pending, 100).size(), before + 1);
}

TEST_F(CacheTest, a_stored_answer_is_served_from_memory) {
  EXPECT_FALSE(cache.lookup_in_memory(memory_key)) << "unknown key: memory cannot tell";
  cache.store(memory_key, test::cr00(test::ins_a()), false);
  delete_row_behind_the_cache();  // only the memory tier has it now
  auto hit = cache.lookup_in_memory(memory_key);
  ASSERT_TRUE(hit);
  ASSERT_TRUE(hit->hit);
  EXPECT_EQ(hit->resultat->individu->ins_actif.matricule, test::ins_a().matricule);
  EXPECT_TRUE(cache.lookup(memory_key).hit);
}

TEST_F(CacheTest, an_expired_entry_in_memory_is_a_miss) {
  cache.store(memory_key, test::cr00(test::ins_a()), false);
  now += 3600s;
  auto known = cache.lookup_in_memory(memory_key);
  ASSERT_TRUE(known);
  EXPECT_FALSE(known->hit);
  EXPECT_FALSE(cache.lookup(memory_key).hit);
}

TEST_F(CacheTest, an_entry_read_from_sqlite_is_kept_in_memory) {
  {
    // Written by an earlier run of the daemon: a new ResultCache has an
    // empty memory tier.
    ResultCache earlier{store, identities, CachePolicy{3600s}, [this] { return now; }};
    earlier.store(memory_key, test::cr00(test::ins_a()), false);
  }
  EXPECT_FALSE(cache.lookup_in_memory(memory_key));
  EXPECT_TRUE(cache.lookup(memory_key).hit);  // from SQLite
  delete_row_behind_the_cache();
  auto known = cache.lookup_in_memory(memory_key);
  ASSERT_TRUE(known);
  EXPECT_TRUE(known->hit);
}

TEST_F(CacheTest, answers_with_anomalies_never_reach_memory) {
  cache.store(memory_key, test::cr00(test::ins_a()), true);
  EXPECT_FALSE(cache.lookup_in_memory(memory_key));
}


// A replaced INS is never served again, whichever key it was cached under
// (e.g. the same person searched with one and with two first names).
TEST_F(CacheTest, a_replacement_drops_every_key_still_pointing_at_the_old_ins) {
  const auto key_a = ResultCache::key_for(traits());
  const auto key_b = first_name_only_key();
  cache.store(key_a, test::cr00(test::ins_a()), false);
  cache.store(key_b, test::cr00(test::ins_a()), false);
  ASSERT_TRUE(cache.lookup(key_b).hit);
  EXPECT_TRUE(cache.store(key_a, test::cr00(test::ins_b()), false).stored);
  EXPECT_FALSE(cache.lookup_in_memory(key_b)) << "dropped from memory";
  EXPECT_FALSE(cache.lookup(key_b).hit) << "dropped from SQLite";
  auto a = cache.lookup(key_a);
  ASSERT_TRUE(a.hit);
  EXPECT_EQ(a.resultat->individu->ins_actif.matricule, test::ins_b().matricule);
}

TEST_F(CacheTest, an_ins_listed_in_inshisto_is_dropped_from_other_keys) {
  const auto key_a = ResultCache::key_for(traits());
  const auto key_b = first_name_only_key();
  cache.store(key_b, test::cr00(test::ins_a()), false);
  auto fresh = test::cr00(test::ins_b());
  fresh.individu->ins_histo.push_back(
      {test::ins_a().matricule, test::ins_a().cle, test::ins_a().oid, std::nullopt, std::nullopt});
  cache.store(key_a, fresh, false);  // key_a is new: only INSHISTO tells
  EXPECT_FALSE(cache.lookup(key_b).hit);
  EXPECT_TRUE(cache.lookup(key_a).hit);
}

// Between the answer and the state thread's store(), the event loop must
// not serve the superseded INS from memory.
TEST_F(CacheTest, forget_superseded_clears_memory_until_the_store_lands) {
  const auto key_a = ResultCache::key_for(traits());
  const auto key_b = first_name_only_key();
  cache.store(key_a, test::cr00(test::ins_a()), false);
  cache.store(key_b, test::cr00(test::ins_a()), false);
  cache.forget_superseded(key_a, test::cr00(test::ins_b()));
  EXPECT_FALSE(cache.lookup_in_memory(key_a));
  EXPECT_FALSE(cache.lookup_in_memory(key_b)) << "other key with the superseded INS";
  cache.store(key_a, test::cr00(test::ins_b()), false);
  EXPECT_FALSE(cache.lookup(key_b).hit);
  auto a = cache.lookup_in_memory(key_a);
  ASSERT_TRUE(a && a->hit);
  EXPECT_EQ(a->resultat->individu->ins_actif.matricule, test::ins_b().matricule);
}

}  // namespace
}  // namespace insgate::state

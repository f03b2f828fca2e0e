// Unit tests of state/identities.hpp: RNIV records, qualification rules,
// atomicity of status change + outbox event, downgrades, test OIDs.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/identities.hpp"

#include <gtest/gtest.h>

#include "state/sqlite_store.hpp"
#include "state/state_error.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using identity::RnivStatus;

/// Forwards to a real transaction but fails right after queuing an event,
/// i.e. after the status change was written inside the same transaction.
class FailAfterEnqueueTx final : public StateTx {
 public:
  explicit FailAfterEnqueueTx(StateTx& in) : in_(in) {}
  std::optional<CacheEntry> cache_get(const std::string& k) override { return in_.cache_get(k); }
  void cache_put(const CacheEntry& e) override { in_.cache_put(e); }
  std::size_t cache_purge(TimePoint t) override { return in_.cache_purge(t); }
  std::vector<std::string> cache_drop_ins(const identity::Ins& i) override { return in_.cache_drop_ins(i); }
  std::optional<IdentityRecord> identity_by_ins(const identity::Ins& i) override { return in_.identity_by_ins(i); }
  std::optional<IdentityRecord> identity_by_local_id(const std::string& l) override { return in_.identity_by_local_id(l); }
  std::optional<IdentityRecord> identity_by_history_ins(const identity::Ins& i) override { return in_.identity_by_history_ins(i); }
  std::int64_t identity_insert(const IdentityRecord& r) override { return in_.identity_insert(r); }
  void identity_update(const IdentityRecord& r) override { in_.identity_update(r); }
  void history_put(std::int64_t id, const InsHistoryEntry& h) override { in_.history_put(id, h); }
  std::vector<InsHistoryEntry> history(std::int64_t id) override { return in_.history(id); }
  void status_log(std::int64_t id, const StatusChange& c) override { in_.status_log(id, c); }
  std::vector<StatusChange> status_changes(std::int64_t id) override { return in_.status_changes(id); }
  void activity_add(const ActivityDelta& d) override { in_.activity_add(d); }
  std::int64_t outbox_enqueue(const NewOutboxEvent& e) override {
    in_.outbox_enqueue(e);
    throw StateError("simulated crash after the event was queued");
  }

 private:
  StateTx& in_;
};

class FailingStore final : public StateStore {
 public:
  explicit FailingStore(StateStore& in) : in_(in) {}
  using StateStore::transact;
  void transact_for(const std::string& finess, const std::function<void(StateTx&)>& work,
                    Durability d) override {
    in_.transact_for(finess, [&](StateTx& tx) {
      FailAfterEnqueueTx f(tx);
      work(f);
    }, d);
  }
  std::vector<OutboxRow> pending(const std::optional<std::string>& p, std::size_t n) override { return in_.pending(p, n); }
  OutboxClaim claim(const std::string& p, TimePoint n, std::chrono::milliseconds l) override { return in_.claim(p, n, l); }
  bool renew_lease(std::int64_t id, TimePoint n, std::chrono::milliseconds l) override { return in_.renew_lease(id, n, l); }
  bool mark_delivered(std::int64_t id, TimePoint w) override { return in_.mark_delivered(id, w); }
  bool mark_retry(std::int64_t id, TimePoint n, const std::string& e) override { return in_.mark_retry(id, n, e); }
  bool mark_dead(std::int64_t id, const std::string& e) override { return in_.mark_dead(id, e); }
  std::vector<OutboxRow> list(OutboxState s, std::size_t n) override { return in_.list(s, n); }
  bool retry_dead(std::int64_t id) override { return in_.retry_dead(id); }
  std::size_t purge_delivered(TimePoint b) override { return in_.purge_delivered(b); }
  std::size_t route_unrouted(const std::vector<PluginRoute>& p) override { return in_.route_unrouted(p); }
  std::vector<OutboxBacklog> pending_backlog() override { return in_.pending_backlog(); }
  std::optional<ActivityMonth> activity(const std::string& f, const std::string& m) override { return in_.activity(f, m); }
  std::vector<ActivityMonth> activity_month(const std::string& m) override { return in_.activity_month(m); }
  std::map<std::string, std::int64_t> identity_counts(
      TimePoint t, const std::optional<std::string>& f) override {
    return in_.identity_counts(t, f);
  }
  std::optional<QualificationSnapshot> qualification_snapshot(const std::string& f,
                                                              const std::string& m) override {
    return in_.qualification_snapshot(f, m);
  }
  void put_qualification_snapshot(const QualificationSnapshot& s) override {
    in_.put_qualification_snapshot(s);
  }

 private:
  StateStore& in_;
};

class IdentitiesTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  SqliteStore store{SqliteOptions{dir.path()}};
  Identities ids{store, IdentityPolicy{}};
  const PieceIdentite cni{PieceType::cni, "2024-03-01"};

  InsiMatch match(const identity::Ins& ins) { return *InsiMatch::from(*test::cr00(ins).individu); }
  QualifyOutcome qualify(Identities& i, const identity::Ins& ins) {
    return i.qualify(ins, cni, "IPP-000123", "0123abcd", test::t0());
  }
};

TEST_F(IdentitiesTest, retrieval_creates_a_recuperee_identity) {
  auto out = ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  ASSERT_TRUE(out.identity);
  EXPECT_EQ(out.identity->rniv.status(), RnivStatus::recuperee);
  EXPECT_EQ(out.identity->insi_operation, InsiOperation::recuperation);
  EXPECT_EQ(out.identity->insi_at, test::t0());
  EXPECT_EQ(ids.status_changes(test::ins_a()).size(), 1u);
}

TEST_F(IdentitiesTest, verification_sets_insi_attribute_too) {
  auto out = ids.record_insi_verification(match(test::ins_a()), test::t0());
  ASSERT_TRUE(out.identity);
  EXPECT_EQ(out.identity->insi_operation, InsiOperation::verification);
  EXPECT_EQ(qualify(ids, test::ins_a()).result, QualifyResult::qualified);
}

TEST_F(IdentitiesTest, unknown_ins_cannot_be_qualified) {
  EXPECT_EQ(qualify(ids, test::ins_a()).result, QualifyResult::not_retrieved_via_insi);
  EXPECT_TRUE(store.list(OutboxState::pending, 10).empty());
}

TEST_F(IdentitiesTest, identity_whose_insi_attribute_was_cleared_cannot_be_qualified) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  ids.downgrade(test::ins_a(), identity::RnivEvent::insi_verification_failed, test::t0());
  EXPECT_EQ(qualify(ids, test::ins_a()).result, QualifyResult::not_retrieved_via_insi);
}

TEST_F(IdentitiesTest, douteuse_and_fictive_are_refused) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  ids.set_attributes(test::ins_a(), {.douteuse = true}, test::t0());
  auto out = qualify(ids, test::ins_a());
  EXPECT_EQ(out.result, QualifyResult::refused);
  EXPECT_EQ(out.motif, "douteuse");

  ids.record_insi_retrieval(match(test::ins_b()), test::t0());
  ids.set_attributes(test::ins_b(), {.fictive = true}, test::t0());
  out = qualify(ids, test::ins_b());
  EXPECT_EQ(out.result, QualifyResult::refused);
  EXPECT_EQ(out.motif, "fictive");
  EXPECT_TRUE(store.list(OutboxState::pending, 10).empty());
}

TEST_F(IdentitiesTest, retrieval_is_refused_for_a_douteuse_identity) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  ids.set_attributes(test::ins_a(), {.douteuse = true}, test::t0());
  auto out = ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  ASSERT_TRUE(out.refused);
  EXPECT_EQ(out.refused->rule, identity::rule::appel_insi_bloque);
}

TEST_F(IdentitiesTest, success_queues_exactly_one_qualifiee_event_per_plugin) {
  Identities two{store, IdentityPolicy{.plugins = {"dmp-fhir", "spool"}}};
  two.record_insi_retrieval(match(test::ins_a()), test::t0());
  auto out = qualify(two, test::ins_a());
  ASSERT_EQ(out.result, QualifyResult::qualified);
  EXPECT_TRUE(out.event_queued);
  ASSERT_TRUE(out.identity);
  EXPECT_EQ(out.identity->rniv.status(), RnivStatus::qualifiee);
  EXPECT_EQ(out.identity->identifiant_local, "IPP-000123");
  EXPECT_EQ(out.identity->qualifie_par, "0123abcd");
  auto rows = store.list(OutboxState::pending, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, EventKind::qualifiee);
  EXPECT_EQ(rows[0].plugin, "dmp-fhir");
  EXPECT_EQ(rows[1].plugin, "spool");
  EXPECT_EQ(rows[0].idempotency_key, rows[1].idempotency_key);
  EXPECT_NE(rows[0].payload_json.find("\"statut\":\"qualifiee\""), std::string::npos);
  EXPECT_NE(rows[0].payload_json.find("\"premier_prenom\":\"MARIE\""), std::string::npos);
  EXPECT_NE(rows[0].payload_json.find("IPP-000123"), std::string::npos);
}

// Issue 12: a plugin limited to some structures gets only their events;
// the row carries the identity's FINESS.
TEST_F(IdentitiesTest, events_go_only_to_the_plugins_of_the_identitys_structure) {
  const IdentityPolicy policy{.plugins = {{"spool-a", {"010000024"}}, {"spool-b", {"020000015"}}}};
  Identities at_a{store, policy, "010000024"};
  at_a.record_insi_retrieval(match(test::ins_a()), test::t0());
  ASSERT_EQ(qualify(at_a, test::ins_a()).result, QualifyResult::qualified);
  auto rows = store.list(OutboxState::pending, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].plugin, "spool-a");
  EXPECT_EQ(rows[0].finess, "010000024");

  Identities at_c = at_a.in("030000014");  // no plugin serves it
  at_c.record_insi_retrieval(match(test::ins_b()), test::t0());
  ASSERT_EQ(qualify(at_c, test::ins_b()).result, QualifyResult::qualified);
  rows = store.list(OutboxState::pending, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[1].plugin.has_value()) << "kept unrouted for a plugin of its structure";
  EXPECT_EQ(rows[1].finess, "030000014");
}

TEST_F(IdentitiesTest, requalifying_queues_no_second_qualifiee_event) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  qualify(ids, test::ins_a());
  auto again = qualify(ids, test::ins_a());
  EXPECT_EQ(again.result, QualifyResult::qualified);
  EXPECT_FALSE(again.event_queued);
  EXPECT_EQ(store.list(OutboxState::pending, 10).size(), 1u);
}

TEST_F(IdentitiesTest, failure_inside_the_transaction_writes_neither_status_nor_event) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  FailingStore failing(store);
  Identities broken{failing, IdentityPolicy{}};
  EXPECT_THROW(qualify(broken, test::ins_a()), StateError);
  auto rec = ids.find(test::ins_a());
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->rniv.status(), RnivStatus::recuperee);
  EXPECT_FALSE(rec->piece);
  EXPECT_TRUE(store.list(OutboxState::pending, 10).empty());
  EXPECT_EQ(ids.status_changes(test::ins_a()).size(), 1u);  // only the retrieval
}

TEST_F(IdentitiesTest, test_oid_is_never_qualified_in_production) {
  auto out = ids.record_insi_retrieval(match(test::ins_test_oid()), test::t0());
  ASSERT_TRUE(out.refused);
  auto q = qualify(ids, test::ins_test_oid());
  EXPECT_EQ(q.result, QualifyResult::refused);
  EXPECT_EQ(q.motif, "oid_interdit_en_production");
}

TEST_F(IdentitiesTest, test_oid_is_qualified_in_qualification_environment) {
  IdentityPolicy policy;
  policy.oids = identity::OidPolicy::for_environment(identity::Environment::qualification);
  Identities qualif{store, policy};
  qualif.record_insi_retrieval(match(test::ins_test_oid()), test::t0());
  EXPECT_EQ(qualify(qualif, test::ins_test_oid()).result, QualifyResult::qualified);
}

TEST_F(IdentitiesTest, downgrade_from_qualifiee_is_logged_and_queues_declassee) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  qualify(ids, test::ins_a());
  auto out = ids.downgrade(test::ins_a(), identity::RnivEvent::document_trust_withdrawn,
                           test::t0());
  EXPECT_TRUE(out.found);
  EXPECT_EQ(out.from, RnivStatus::qualifiee);
  EXPECT_EQ(out.to, RnivStatus::recuperee);
  EXPECT_TRUE(out.event_queued);
  auto rows = store.list(OutboxState::pending, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].kind, EventKind::declassee);
  EXPECT_NE(rows[1].payload_json.find("\"statut\":\"recuperee\""), std::string::npos);
  auto log = ids.status_changes(test::ins_a());
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log.back().reason, "document_trust_withdrawn");
}

TEST_F(IdentitiesTest, downgrade_of_a_non_qualified_identity_queues_nothing) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  auto out = ids.set_attributes(test::ins_a(), {.fictive = true}, test::t0());
  EXPECT_EQ(out.to, RnivStatus::provisoire);
  EXPECT_FALSE(out.event_queued);
  EXPECT_TRUE(store.list(OutboxState::pending, 10).empty());
}

TEST_F(IdentitiesTest, ins_listed_in_inshisto_is_replaced_and_kept_as_history) {
  ids.record_insi_retrieval(match(test::ins_a()), test::t0());
  qualify(ids, test::ins_a());
  auto m = match(test::ins_b());
  m.ins_histo.push_back({test::ins_a().matricule, test::ins_a().cle, test::ins_a().oid, {}, {}});
  auto out = ids.record_insi_retrieval(m, test::t0());
  EXPECT_TRUE(out.ins_replaced);
  auto hist = ids.history(test::ins_b());
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_EQ(hist[0].origin, HistoryOrigin::remplacee);
  auto rows = store.list(OutboxState::pending, 10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].kind, EventKind::ins_remplacee);
}

TEST_F(IdentitiesTest, same_local_identifier_with_new_ins_replaces) {
  auto m = match(test::ins_a());
  m.identifiant_local = "IPP-9";
  ids.record_insi_retrieval(m, test::t0());
  auto m2 = match(test::ins_b());
  m2.identifiant_local = "IPP-9";
  EXPECT_TRUE(ids.record_insi_retrieval(m2, test::t0()).ins_replaced);
  EXPECT_FALSE(ids.find(test::ins_a()));
  EXPECT_TRUE(ids.find(test::ins_b()));
}

}  // namespace
}  // namespace insgate::state

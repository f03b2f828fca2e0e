// The state-store contract (state/state_store.hpp), one suite run against
// both backends: the embedded SQLite store and the PostgreSQL store of the
// fleet mode (issue 15) on a private test cluster (tests/support/pg_cluster).
// Then what only a shared database has: two instances on one database
// (outbox leases, the shared activity key), migrations started by several
// instances at once, a newer schema refused.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <thread>

#include <pqxx/connection>
#include <pqxx/transaction>

#include "pg_cluster.hpp"
#include "state/outbox_lease.hpp"
#include "state/pg_store.hpp"
#include "state/sqlite_store.hpp"
#include "state/state_error.hpp"
#include "state_test_support.hpp"

namespace insgate::state {
namespace {

using namespace std::chrono_literals;

ActivityDelta delta(const char* finess, const char* mois) {
  ActivityDelta d;
  d.finess = finess;
  d.mois = mois;
  return d;
}
std::string text(const identity::Ins& i) { return i.matricule + "/" + i.cle + "/" + i.oid; }

struct SqliteBackend {
  test::TempDir dir;
  std::unique_ptr<StateStore> open() {
    return std::make_unique<SqliteStore>(SqliteOptions{dir.path()});
  }
};

struct PgBackend {
  // A failed cluster start throws here: the test fails with the server log.
  std::string conninfo = insgate::testing::shared_pg_cluster().fresh_database();
  std::unique_ptr<StateStore> open() {
    PgOptions o;
    o.conninfo = conninfo;
    o.connections = 2;
    return std::make_unique<PgStore>(o);
  }
};

template <class Backend>
class StateStoreContract : public ::testing::Test {
 protected:
  Backend backend;
  std::unique_ptr<StateStore> store = backend.open();

  IdentityRecord identity(const identity::Ins& ins, const char* local = "IPP1") {
    IdentityRecord r;
    r.ins = ins;
    r.rniv.insi = true;
    r.insi_operation = InsiOperation::recuperation;
    r.insi_at = test::t0();
    r.identifiant_local = local;
    r.traits_json = R"({"nom_naissance":"DUPONT"})";
    r.created_at = test::t0();
    r.updated_at = test::t0();
    return r;
  }
  std::int64_t insert(const IdentityRecord& r, const std::string& finess = "") {
    std::int64_t id = 0;
    store->transact_for(finess, [&](StateTx& tx) { id = tx.identity_insert(r); },
                        Durability::full);
    return id;
  }
  std::int64_t enqueue(const char* key, std::optional<std::string> plugin = "spool",
                       const std::string& finess = "") {
    std::int64_t id = 0;
    store->transact_for(finess, [&](StateTx& tx) {
      id = tx.outbox_enqueue({plugin, EventKind::qualifiee, key, "{\"n\":1}", test::t0()});
    }, Durability::full);
    return id;
  }
};

using Backends = ::testing::Types<SqliteBackend, PgBackend>;
class BackendNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, SqliteBackend> ? "sqlite" : "postgresql";
  }
};
TYPED_TEST_SUITE(StateStoreContract, Backends, BackendNames);

TYPED_TEST(StateStoreContract, cache_put_get_replace_drop_and_purge) {
  auto& s = *this->store;
  s.transact([](StateTx& tx) {
    tx.cache_put({"k1", "{\"a\":1}", test::ins_a(), test::t0(), test::t0() + 10s});
    tx.cache_put({"k2", "{}", test::ins_b(), test::t0(), test::t0() + 100s});
  });
  s.transact([](StateTx& tx) {
    auto e = tx.cache_get("k1");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->resultat_json, "{\"a\":1}");
    EXPECT_EQ(text(e->ins), text(test::ins_a()));
    EXPECT_EQ(e->stored_at, test::t0());
    EXPECT_EQ(e->expires_at, test::t0() + 10s);
    EXPECT_FALSE(tx.cache_get("absent"));
    tx.cache_put({"k1", "{\"a\":2}", test::ins_a(), test::t0(), test::t0() + 20s});
    EXPECT_EQ(tx.cache_get("k1")->resultat_json, "{\"a\":2}");
  });
  std::size_t purged = 0;
  std::vector<std::string> dropped;
  s.transact([&](StateTx& tx) {
    purged = tx.cache_purge(test::t0() + 50s);
    dropped = tx.cache_drop_ins(test::ins_b());
  });
  EXPECT_EQ(purged, 1u);
  EXPECT_EQ(dropped, std::vector<std::string>{"k2"});
  s.transact([](StateTx& tx) { EXPECT_FALSE(tx.cache_get("k2")); });
}

TYPED_TEST(StateStoreContract, identity_round_trip_update_and_lookups) {
  auto r = this->identity(test::ins_a());
  r.piece = PieceIdentite{PieceType::passeport, "2024-03-01"};
  r.rniv.document = true;
  r.qualifie_par = "ab12";
  r.qualifie_le = test::t0() + 1s;
  r.id = this->insert(r);
  ASSERT_GT(r.id, 0);
  this->store->transact([&](StateTx& tx) {
    auto got = tx.identity_by_ins(test::ins_a());
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, r.id);
    EXPECT_EQ(got->rniv.status(), identity::RnivStatus::qualifiee);
    EXPECT_EQ(got->insi_operation, InsiOperation::recuperation);
    EXPECT_EQ(got->insi_at, test::t0());
    ASSERT_TRUE(got->piece);
    EXPECT_EQ(got->piece->type, PieceType::passeport);
    EXPECT_EQ(got->piece->verifiee_le, "2024-03-01");
    EXPECT_EQ(got->qualifie_par, "ab12");
    EXPECT_EQ(got->qualifie_le, test::t0() + 1s);
    EXPECT_EQ(got->traits_json, r.traits_json);
    EXPECT_FALSE(tx.identity_by_ins(test::ins_b()));
    // A replaced INS: the row keeps its id, the old INS goes to the history.
    auto changed = *got;
    changed.ins = test::ins_b();
    changed.rniv.attributes.homonyme = true;
    changed.identifiant_local = std::nullopt;
    changed.updated_at = test::t0() + 2s;
    tx.identity_update(changed);
    tx.history_put(r.id, {test::ins_a(), HistoryOrigin::remplacee, std::nullopt, std::nullopt,
                          test::t0() + 2s});
  });
  this->store->transact([&](StateTx& tx) {
    EXPECT_FALSE(tx.identity_by_ins(test::ins_a()));
    auto got = tx.identity_by_ins(test::ins_b());
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->rniv.attributes.homonyme);
    EXPECT_FALSE(got->identifiant_local);
    EXPECT_EQ(got->updated_at, test::t0() + 2s);
    auto by_history = tx.identity_by_history_ins(test::ins_a());
    ASSERT_TRUE(by_history);
    EXPECT_EQ(by_history->id, r.id);
  });
}

TYPED_TEST(StateStoreContract, local_id_finds_the_most_recently_updated) {
  auto a = this->identity(test::ins_a(), "IPP9");
  auto b = this->identity(test::ins_b(), "IPP9");
  b.updated_at = test::t0() + 60s;
  this->insert(a);
  auto id_b = this->insert(b);
  this->store->transact([&](StateTx& tx) {
    auto got = tx.identity_by_local_id("IPP9");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, id_b);
    EXPECT_FALSE(tx.identity_by_local_id("IPP0"));
  });
}

TYPED_TEST(StateStoreContract, duplicate_ins_throws_state_error_and_rolls_back) {
  this->insert(this->identity(test::ins_a()));
  EXPECT_THROW(this->store->transact([&](StateTx& tx) {
    tx.cache_put({"written-before", "{}", test::ins_a(), test::t0(), test::t0()});
    tx.identity_insert(this->identity(test::ins_a()));
  }),
               StateError);
  this->store->transact([](StateTx& tx) { EXPECT_FALSE(tx.cache_get("written-before")); });
  // The store is still usable afterwards (connection given back sound).
  EXPECT_GT(this->insert(this->identity(test::ins_b())), 0);
}

TYPED_TEST(StateStoreContract, an_exception_from_work_rolls_back_and_propagates_unchanged) {
  struct Mine {};
  EXPECT_THROW(this->store->transact([&](StateTx& tx) {
    tx.identity_insert(this->identity(test::ins_a()));
    throw Mine{};
  }),
               Mine);
  this->store->transact([](StateTx& tx) { EXPECT_FALSE(tx.identity_by_ins(test::ins_a())); });
}

TYPED_TEST(StateStoreContract, history_merges_and_status_log_keeps_order) {
  auto id = this->insert(this->identity(test::ins_a()));
  this->store->transact([&](StateTx& tx) {
    tx.history_put(id, {test::ins_b(), HistoryOrigin::insi_histo, "2001-01-01", std::nullopt,
                        std::nullopt});
    tx.history_put(id, {test::ins_test_oid(), HistoryOrigin::remplacee, std::nullopt,
                        std::nullopt, test::t0()});
    // Refreshing an entry: a date given now is added, 'remplacee' is kept.
    tx.history_put(id, {test::ins_test_oid(), HistoryOrigin::insi_histo, std::nullopt,
                        "2020-12-31", std::nullopt});
    tx.status_log(id, {identity::RnivStatus::provisoire, identity::RnivStatus::recuperee,
                       "insi_match", test::t0()});
    tx.status_log(id, {identity::RnivStatus::recuperee, identity::RnivStatus::qualifiee,
                       "document_checked", test::t0() + 1s});
  });
  this->store->transact([&](StateTx& tx) {
    auto h = tx.history(id);
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(text(h[0].ins), text(test::ins_b()));
    EXPECT_EQ(h[0].date_debut, "2001-01-01");
    EXPECT_EQ(text(h[1].ins), text(test::ins_test_oid()));
    EXPECT_EQ(h[1].origin, HistoryOrigin::remplacee);
    EXPECT_EQ(h[1].date_fin, "2020-12-31");
    EXPECT_EQ(h[1].replaced_at, test::t0());
    auto log = tx.status_changes(id);
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].reason, "insi_match");
    EXPECT_EQ(log[1].to, identity::RnivStatus::qualifiee);
    EXPECT_EQ(log[1].at, test::t0() + 1s);
  });
}

TYPED_TEST(StateStoreContract, structures_are_isolated_by_finess) {
  auto at_a = this->insert(this->identity(test::ins_a()), "010000001");
  // The same INS is another identity at B.
  auto at_b = this->insert(this->identity(test::ins_a()), "020000002");
  EXPECT_NE(at_a, at_b);
  this->store->transact_for("030000003", [](StateTx& tx) {
    EXPECT_FALSE(tx.identity_by_ins(test::ins_a()));
    EXPECT_FALSE(tx.identity_by_local_id("IPP1"));
  }, Durability::full);
  this->store->transact_for("010000001", [&](StateTx& tx) {
    EXPECT_EQ(tx.identity_by_ins(test::ins_a())->id, at_a);
    auto other = tx.identity_by_ins(test::ins_a());
    other->id = at_b;  // a row of another structure cannot be updated from A
    EXPECT_THROW(tx.identity_update(*other), StateError);
  }, Durability::full);
  auto counts = this->store->identity_counts(test::t0() - 1s, std::string("010000001"));
  EXPECT_EQ(counts["recuperee"], 1);
  EXPECT_EQ(this->store->identity_counts(test::t0() - 1s, std::nullopt)["recuperee"], 2);
  EXPECT_TRUE(this->store->identity_counts(test::t0() + 1s, std::nullopt).empty());
}

TYPED_TEST(StateStoreContract, outbox_claims_in_order_and_marks) {
  auto& s = *this->store;
  auto a = this->enqueue("a"), b = this->enqueue("b");
  this->enqueue("other", "dmp-fhir");
  EXPECT_THROW(this->enqueue("a"), StateError);  // same plugin, same key
  auto pending = s.pending(std::string("spool"), 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, a);
  EXPECT_EQ(s.pending(std::nullopt, 10).size(), 3u);

  auto c = s.claim("spool", test::t0(), 30s);
  ASSERT_TRUE(c.row);
  EXPECT_EQ(c.row->id, a);
  EXPECT_EQ(c.row->idempotency_key, "a");
  EXPECT_EQ(c.row->payload_json, "{\"n\":1}");
  // A retry holds the head back, and what is behind it.
  EXPECT_TRUE(s.mark_retry(a, test::t0() + 30s, "connector down"));
  auto held = s.claim("spool", test::t0() + 10s, 30s);
  EXPECT_FALSE(held.row);
  EXPECT_EQ(held.next_due, test::t0() + 30s);
  c = s.claim("spool", test::t0() + 30s, 30s);
  ASSERT_TRUE(c.row);
  EXPECT_EQ(c.row->id, a);
  EXPECT_EQ(c.row->attempts, 1);
  EXPECT_EQ(c.row->last_error, "connector down");
  EXPECT_TRUE(s.renew_lease(a, test::t0() + 30s, 30s));  // the holder, still pending
  EXPECT_TRUE(s.mark_delivered(a, test::t0() + 31s));
  EXPECT_FALSE(s.mark_delivered(a, test::t0() + 31s));  // no longer pending
  EXPECT_FALSE(s.renew_lease(a, test::t0() + 31s, 30s));
  c = s.claim("spool", test::t0() + 31s, 30s);
  ASSERT_TRUE(c.row);
  EXPECT_EQ(c.row->id, b);
  EXPECT_TRUE(s.mark_dead(b, "refused"));
  EXPECT_FALSE(s.claim("spool", test::t0() + 31s, 30s).row);

  auto delivered = s.list(OutboxState::delivered, 10);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].attempts, 2);
  EXPECT_EQ(delivered[0].delivered_at, test::t0() + 31s);
  auto dead = s.list(OutboxState::dead, 10);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].last_error, "refused");
  EXPECT_TRUE(s.retry_dead(b));
  EXPECT_FALSE(s.retry_dead(b));
  c = s.claim("spool", test::t0() + 32s, 30s);
  ASSERT_TRUE(c.row);
  EXPECT_EQ(c.row->id, b);
  EXPECT_EQ(c.row->attempts, 0);
  EXPECT_EQ(s.purge_delivered(test::t0() + 31s), 0u);
  EXPECT_EQ(s.purge_delivered(test::t0() + 32s), 1u);
  EXPECT_TRUE(s.list(OutboxState::delivered, 10).empty());
}

TYPED_TEST(StateStoreContract, unrouted_events_go_to_the_plugins_of_their_structure) {
  auto& s = *this->store;
  this->enqueue("x", std::nullopt, "010000001");
  this->enqueue("y", std::nullopt, "020000002");
  auto backlog = s.pending_backlog();
  ASSERT_EQ(backlog.size(), 1u);
  EXPECT_FALSE(backlog[0].plugin);
  EXPECT_EQ(backlog[0].pending, 2);
  EXPECT_EQ(s.route_unrouted({}), 0u);
  EXPECT_EQ(s.route_unrouted({PluginRoute("spool", {"010000001"})}), 1u);
  auto rows = s.pending(std::string("spool"), 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].idempotency_key, "x");
  EXPECT_EQ(rows[0].finess, "010000001");
  backlog = s.pending_backlog();
  ASSERT_EQ(backlog.size(), 2u);
  EXPECT_FALSE(backlog[0].plugin);  // NULL first
  EXPECT_EQ(backlog[1].plugin, "spool");
  EXPECT_EQ(backlog[1].oldest_created_at, test::t0());
}

TYPED_TEST(StateStoreContract, activity_sums_counters_and_counts_distinct_hashes) {
  auto& s = *this->store;
  ActivityDelta d = delta("010000001", "2024-03");
  d.requetes_insi = 1;
  d.recuperations = 2;
  d.cr00 = 1;
  d.operateur_hash = "op1";
  d.personne_hash = "p1";
  s.transact([&](StateTx& tx) { tx.activity_add(d); });
  d.operateur_hash = "op2";  // p1 again: counted once
  s.transact([&](StateTx& tx) { tx.activity_add(d); });
  ActivityDelta only_hash = delta("010000001", "2024-03");
  only_hash.personne_hash = "p2";
  s.transact([&](StateTx& tx) { tx.activity_add(only_hash); });
  ActivityDelta other = delta("000000009", "2024-03");
  other.cache_hits = 5;
  s.transact([&](StateTx& tx) { tx.activity_add(other); });

  auto m = s.activity("010000001", "2024-03");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->requetes_insi, 2);
  EXPECT_EQ(m->recuperations, 4);
  EXPECT_EQ(m->cr00, 2);
  EXPECT_EQ(m->operateurs_distincts, 2);
  EXPECT_EQ(m->personnes_distinctes, 2);
  EXPECT_FALSE(s.activity("010000001", "2024-04"));
  auto month = s.activity_month("2024-03");
  ASSERT_EQ(month.size(), 2u);
  EXPECT_EQ(month[0].finess, "000000009");  // FINESS order
  EXPECT_EQ(month[0].cache_hits, 5);
}

TYPED_TEST(StateStoreContract, qualification_snapshot_is_replaced_per_month) {
  auto& s = *this->store;
  EXPECT_FALSE(s.qualification_snapshot("010000001", "2024-03"));
  s.put_qualification_snapshot({"010000001", "2024-03", 3, 10, test::t0()});
  s.put_qualification_snapshot({"010000001", "2024-03", 4, 10, test::t0() + 60s});
  auto snap = s.qualification_snapshot("010000001", "2024-03");
  ASSERT_TRUE(snap);
  EXPECT_EQ(snap->qualifiees, 4);
  EXPECT_EQ(snap->file_active, 10);
  EXPECT_EQ(snap->releve_le, test::t0() + 60s);
}

TYPED_TEST(StateStoreContract, data_survives_reopening) {
  auto id = this->insert(this->identity(test::ins_a()), "010000001");
  this->enqueue("kept");
  this->store.reset();
  this->store = this->backend.open();
  this->store->transact_for("010000001", [&](StateTx& tx) {
    auto got = tx.identity_by_ins(test::ins_a());
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, id);
  }, Durability::relaxed);
  EXPECT_EQ(this->store->pending(std::string("spool"), 10).size(), 1u);
}

// ---- PostgreSQL only: what several instances on one database need. ----

std::unique_ptr<PgStore> pg(const std::string& conninfo, const std::string& instance = "") {
  PgOptions o;
  o.conninfo = conninfo;
  o.connections = 2;
  o.instance_id = instance;
  return std::make_unique<PgStore>(o);
}

std::int64_t enqueue_for_identity(StateStore& s, const std::string& key, std::int64_t identity) {
  std::int64_t id = 0;
  s.transact_for("010000001", [&](StateTx& tx) {
    NewOutboxEvent e{std::string("spool"), EventKind::qualifiee, key, "{}", test::t0()};
    e.identity_id = identity;
    id = tx.outbox_enqueue(e);
  }, Durability::full);
  return id;
}

class PgFleetTest : public ::testing::Test {
 protected:
  std::string conninfo = insgate::testing::shared_pg_cluster().fresh_database();
};

TEST_F(PgFleetTest, schema_is_current_after_start) {
  EXPECT_EQ(pg(conninfo)->schema_version(), kPgSchemaVersion);
}

TEST_F(PgFleetTest, a_row_leased_by_one_instance_is_not_leased_by_another) {
  auto a = pg(conninfo, "A"), b = pg(conninfo, "B");
  auto e1 = enqueue_for_identity(*a, "e1", 1);
  auto e2 = enqueue_for_identity(*a, "e2", 1);  // same identity: after e1
  auto e3 = enqueue_for_identity(*a, "e3", 2);  // another identity: in parallel
  auto ca = a->claim("spool", test::t0(), 60s);
  ASSERT_TRUE(ca.row);
  EXPECT_EQ(ca.row->id, e1);
  auto cb = b->claim("spool", test::t0(), 60s);
  ASSERT_TRUE(cb.row);
  EXPECT_EQ(cb.row->id, e3);  // not e1 (leased), not e2 (behind e1)
  EXPECT_FALSE(b->claim("spool", test::t0(), 60s).row);
  // Only the holder marks.
  EXPECT_FALSE(b->mark_delivered(e1, test::t0()));
  EXPECT_FALSE(a->mark_delivered(e3, test::t0()));
  EXPECT_TRUE(a->mark_delivered(e1, test::t0()));
  EXPECT_TRUE(b->mark_delivered(e3, test::t0()));
  auto next = b->claim("spool", test::t0(), 60s);
  ASSERT_TRUE(next.row);
  EXPECT_EQ(next.row->id, e2);
}

TEST_F(PgFleetTest, an_expired_lease_lets_another_instance_deliver) {
  auto a = pg(conninfo, "A"), b = pg(conninfo, "B");
  auto e1 = enqueue_for_identity(*a, "e1", 7);
  ASSERT_TRUE(a->claim("spool", test::t0(), 60s).row);  // then A is "killed"
  EXPECT_FALSE(b->claim("spool", test::t0() + 59s, 60s).row);
  auto taken = b->claim("spool", test::t0() + 61s, 60s);
  ASSERT_TRUE(taken.row);
  EXPECT_EQ(taken.row->id, e1);
  EXPECT_EQ(taken.row->idempotency_key, "e1");  // same key: the plugin deduplicates
  EXPECT_FALSE(a->mark_delivered(e1, test::t0() + 62s));  // A lost it
  EXPECT_TRUE(b->mark_delivered(e1, test::t0() + 62s));
}

// A deliver() longer than the lease: the delivering instance renews it
// (OutboxLease, what the outbox worker does around deliver()), so another
// instance polling all along never takes the event.
TEST_F(PgFleetTest, a_slow_delivery_keeps_its_renewed_lease_from_another_instance) {
  auto a = pg(conninfo, "A"), b = pg(conninfo, "B");
  auto e1 = enqueue_for_identity(*a, "slow", 3);
  constexpr auto kLease = 300ms;
  auto mine = a->claim("spool", Clock::now(), kLease);
  ASSERT_TRUE(mine.row);
  int renewals = 0;
  {
    OutboxLease kept(*a, e1, kLease);
    const auto until = std::chrono::steady_clock::now() + 4 * kLease;  // the slow deliver()
    while (std::chrono::steady_clock::now() < until) {
      EXPECT_FALSE(b->claim("spool", Clock::now(), kLease).row) << "taken during the delivery";
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_FALSE(kept.lost());
    renewals = kept.renewals();
  }
  EXPECT_GE(renewals, 3);
  EXPECT_TRUE(a->mark_delivered(e1, Clock::now()));
  EXPECT_FALSE(b->claim("spool", Clock::now(), kLease).row);
}

// An instance killed during a delivery renews no more: its lease ends one
// lease after the last renewal, another instance takes the event (same
// idempotency key), and the first one's late renewal and mark are refused.
TEST_F(PgFleetTest, a_killed_instance_stops_renewing_and_its_lease_expires) {
  auto a = pg(conninfo, "A"), b = pg(conninfo, "B");
  auto e1 = enqueue_for_identity(*a, "killed", 4);
  constexpr auto kLease = 300ms;
  ASSERT_TRUE(a->claim("spool", Clock::now(), kLease).row);
  std::chrono::steady_clock::time_point killed;
  {
    OutboxLease kept(*a, e1, kLease);
    std::this_thread::sleep_for(2 * kLease);  // renewed meanwhile
    EXPECT_GE(kept.renewals(), 1);
    EXPECT_FALSE(b->claim("spool", Clock::now(), kLease).row);
    killed = std::chrono::steady_clock::now();
  }  // renewals stop here, as with SIGKILL
  std::optional<OutboxRow> taken;
  while (!taken && std::chrono::steady_clock::now() < killed + 10 * kLease) {
    taken = b->claim("spool", Clock::now(), kLease).row;
    if (!taken) std::this_thread::sleep_for(10ms);
  }
  const auto after = std::chrono::steady_clock::now() - killed;
  ASSERT_TRUE(taken) << "the lease of a stopped instance never expired";
  EXPECT_EQ(taken->idempotency_key, "killed");
  EXPECT_LE(after, 2 * kLease);  // at most one lease after the last renewal (+ polling)
  EXPECT_FALSE(a->renew_lease(e1, Clock::now(), kLease));
  EXPECT_FALSE(a->mark_delivered(e1, Clock::now()));
  EXPECT_TRUE(b->renew_lease(e1, Clock::now(), kLease));
  EXPECT_TRUE(b->mark_delivered(e1, Clock::now()));
}

TEST_F(PgFleetTest, concurrent_instances_deliver_every_event_once_in_identity_order) {
  constexpr int kIdentities = 8, kPerIdentity = 6, kInstances = 4;
  {
    auto setup = pg(conninfo);
    for (int n = 0; n < kPerIdentity; ++n)
      for (int i = 1; i <= kIdentities; ++i)
        enqueue_for_identity(*setup, "k" + std::to_string(i) + "-" + std::to_string(n), i);
  }
  std::mutex m;
  std::vector<std::string> delivered;  // in the order marks succeeded
  std::atomic<int> double_marks{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kInstances; ++t) {
    threads.emplace_back([&, t] {
      auto s = pg(conninfo, "I" + std::to_string(t));
      for (int idle = 0; idle < 20;) {
        auto c = s->claim("spool", test::t0(), 60s);
        if (!c.row) {
          ++idle;
          std::this_thread::sleep_for(5ms);
          continue;
        }
        idle = 0;
        std::lock_guard lock(m);  // record then mark, under one lock: the journal's order
        if (s->mark_delivered(c.row->id, test::t0()))
          delivered.push_back(c.row->idempotency_key);
        else
          ++double_marks;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(double_marks, 0);
  ASSERT_EQ(delivered.size(), static_cast<std::size_t>(kIdentities * kPerIdentity));
  std::set<std::string> unique(delivered.begin(), delivered.end());
  EXPECT_EQ(unique.size(), delivered.size());
  // Per identity, n = 0, 1, 2, ... in order.
  std::map<std::string, int> next;
  for (const auto& k : delivered) {
    auto dash = k.find('-');
    auto who = k.substr(0, dash);
    EXPECT_EQ(std::stoi(k.substr(dash + 1)), next[who]) << k;
    next[who] = std::stoi(k.substr(dash + 1)) + 1;
  }
}

TEST_F(PgFleetTest, instances_starting_together_migrate_once_without_failing) {
  constexpr int kInstances = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i)
    threads.emplace_back([&] {
      try {
        auto s = pg(conninfo);
        if (s->schema_version() != kPgSchemaVersion) ++failures;
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  pqxx::connection c(conninfo);
  pqxx::work w(c);
  EXPECT_EQ(w.exec("SELECT count(*) FROM insgate_schema")[0][0].as<int>(), 1);
}

TEST_F(PgFleetTest, a_newer_schema_stops_start_up_and_is_left_untouched) {
  pg(conninfo)->transact([](StateTx& tx) {
    tx.cache_put({"k", "{}", test::ins_a(), test::t0(), test::t0()});
  });
  {
    pqxx::connection c(conninfo);
    pqxx::work w(c);
    w.exec("UPDATE insgate_schema SET version = " + std::to_string(kPgSchemaVersion + 1));
    w.exec("DROP TABLE taux_qualification");  // a newer build's change a migration would redo
    w.commit();
  }
  try {
    pg(conninfo);
    FAIL() << "a newer schema must stop start-up";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("newer than this insgated"), std::string::npos)
        << e.what();
  }
  pqxx::connection c(conninfo);
  pqxx::work w(c);
  EXPECT_EQ(w.exec("SELECT version FROM insgate_schema")[0][0].as<int>(), kPgSchemaVersion + 1);
  EXPECT_TRUE(w.exec("SELECT to_regclass('taux_qualification') IS NULL")[0][0].as<bool>());
  EXPECT_EQ(w.exec("SELECT count(*) FROM cache_entry")[0][0].as<int>(), 1);
}

TEST_F(PgFleetTest, every_instance_gets_the_first_stored_activity_key) {
  auto a = pg(conninfo), b = pg(conninfo);
  EXPECT_EQ(a->activity_key("first-key-0123456789"), "first-key-0123456789");
  EXPECT_EQ(b->activity_key("second-key-012345678"), "first-key-0123456789");
}

TEST_F(PgFleetTest, activity_written_by_two_instances_reads_the_same_from_either) {
  auto a = pg(conninfo), b = pg(conninfo);
  ActivityDelta d = delta("010000001", "2024-03");
  d.recuperations = 1;
  d.operateur_hash = "op";
  a->transact([&](StateTx& tx) { tx.activity_add(d); });
  b->transact([&](StateTx& tx) { tx.activity_add(d); });
  auto ma = a->activity("010000001", "2024-03"), mb = b->activity("010000001", "2024-03");
  ASSERT_TRUE(ma && mb);
  EXPECT_EQ(ma->recuperations, 2);
  EXPECT_EQ(ma->operateurs_distincts, 1);
  EXPECT_EQ(mb->recuperations, ma->recuperations);
  EXPECT_EQ(mb->operateurs_distincts, ma->operateurs_distincts);
}

TEST_F(PgFleetTest, an_unreachable_server_is_a_state_error_without_the_conninfo) {
  PgOptions o;
  o.conninfo = "host=/nonexistent-insgate-socket-dir dbname=x user=u password=s3cr3t-pw "
               "connect_timeout=2";
  try {
    PgStore s(o);
    FAIL() << "no server: start-up must fail";
  } catch (const StateError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cr3t-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  }
}

TEST_F(PgFleetTest, the_pool_never_opens_more_than_its_connections) {
  PgOptions o;
  o.conninfo = conninfo;
  o.connections = 2;
  o.pool_wait = 200ms;
  PgStore s(o);
  std::atomic<int> in{0};
  std::atomic<bool> release{false};
  std::vector<std::thread> holders;
  for (int i = 0; i < 2; ++i)
    holders.emplace_back([&] {
      s.transact([&](StateTx&) {
        ++in;
        while (!release) std::this_thread::sleep_for(1ms);
      });
    });
  while (in < 2) std::this_thread::sleep_for(1ms);
  EXPECT_THROW(s.transact([](StateTx&) {}), StateError);  // a third waits, then gives up
  release = true;
  for (auto& t : holders) t.join();
  EXPECT_NO_THROW(s.transact([](StateTx&) {}));
}

}  // namespace
}  // namespace insgate::state

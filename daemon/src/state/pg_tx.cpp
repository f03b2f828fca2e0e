// insgate — StateTx over PostgreSQL: cache, identities, history, outbox, activity.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/pg_tx.hpp"

#include <algorithm>
#include <iterator>

#include <pqxx/result>

#include "state/unix_time.hpp"
#include "state/state_error.hpp"

namespace insgate::state::detail {
namespace {

using identity::RnivStatus;

std::optional<std::string> opt_str(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}
std::optional<TimePoint> opt_time(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return from_unix(f.as<std::int64_t>());
}
std::optional<std::int64_t> opt_unix(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_unix(*t);
}
RnivStatus status_of(const std::string& s) {
  return identity::parse_rniv_status(s).value_or(RnivStatus::provisoire);
}

IdentityRecord read_identity(const pqxx::row& q) {
  IdentityRecord r;
  r.id = q[0].as<std::int64_t>();
  r.ins = {q[1].as<std::string>(), q[2].as<std::string>(), q[3].as<std::string>()};
  r.rniv.insi = q[4].as<bool>();
  r.rniv.document = q[5].as<bool>();
  r.rniv.birth_date_corrected = q[6].as<bool>();
  r.rniv.attributes = {q[7].as<bool>(), q[8].as<bool>(), q[9].as<bool>()};
  if (auto op = opt_str(q[10]))
    r.insi_operation = *op == "verification" ? InsiOperation::verification
                                             : InsiOperation::recuperation;
  r.insi_at = opt_time(q[11]);
  r.identifiant_local = opt_str(q[12]);
  if (auto t = opt_str(q[13]); t && parse_piece_type(*t))
    r.piece = PieceIdentite{*parse_piece_type(*t), q[14].is_null() ? "" : q[14].as<std::string>()};
  r.qualifie_par = opt_str(q[15]);
  r.qualifie_le = opt_time(q[16]);
  r.traits_json = q[17].as<std::string>();
  r.created_at = from_unix(q[18].as<std::int64_t>());
  r.updated_at = from_unix(q[19].as<std::int64_t>());
  return r;
}

std::optional<IdentityRecord> first_identity(const pqxx::result& res) {
  if (res.empty()) return std::nullopt;
  return read_identity(res[0]);
}

// Every column but id, in the statements' $1..$20 order.
template <class... Tail>
pqxx::result exec_identity(pqxx::transaction_base& w, const char* stmt, const IdentityRecord& r,
                           Tail&&... tail) {
  std::optional<std::string> op;
  if (r.insi_operation) op = std::string(to_name(*r.insi_operation));
  std::optional<std::string> piece_type, piece_date;
  if (r.piece) {
    piece_type = std::string(to_api_name(r.piece->type));
    piece_date = r.piece->verifiee_le;
  }
  return w.exec_prepared(stmt, r.ins.matricule, r.ins.cle, r.ins.oid, r.rniv.insi,
                         r.rniv.document, r.rniv.birth_date_corrected,
                         r.rniv.attributes.douteuse, r.rniv.attributes.fictive,
                         r.rniv.attributes.homonyme,
                         std::string(identity::to_api_name(r.rniv.status())), op,
                         opt_unix(r.insi_at), r.identifiant_local, piece_type, piece_date,
                         r.qualifie_par, opt_unix(r.qualifie_le), r.traits_json,
                         to_unix(r.created_at), to_unix(r.updated_at),
                         std::forward<Tail>(tail)...);
}

}  // namespace

OutboxRow read_pg_outbox_row(const pqxx::row& q) {
  OutboxRow r;
  r.id = q[0].as<std::int64_t>();
  r.plugin = opt_str(q[1]);
  r.kind = parse_event_kind(q[2].as<std::string>()).value_or(EventKind::qualifiee);
  r.idempotency_key = q[3].as<std::string>();
  r.payload_json = q[4].as<std::string>();
  r.attempts = q[5].as<int>();
  r.next_attempt_at = from_unix(q[6].as<std::int64_t>());
  r.state = parse_outbox_state(q[7].as<std::string>()).value_or(OutboxState::pending);
  r.last_error = opt_str(q[8]);
  r.created_at = from_unix(q[9].as<std::int64_t>());
  r.delivered_at = opt_time(q[10]);
  r.finess = q[11].as<std::string>();
  return r;
}

void PgTx::lock_structure() {
  if (locked_) return;
  w_.exec_prepared("lock_finess", finess_);
  locked_ = true;
}

std::optional<CacheEntry> PgTx::cache_get(const std::string& key) {
  auto res = w_.exec_prepared("cache_get", key);
  if (res.empty()) return std::nullopt;
  const auto& q = res[0];
  return CacheEntry{key, q[0].as<std::string>(),
                    {q[1].as<std::string>(), q[2].as<std::string>(), q[3].as<std::string>()},
                    from_unix(q[4].as<std::int64_t>()), from_unix(q[5].as<std::int64_t>())};
}

void PgTx::cache_put(const CacheEntry& e) {
  w_.exec_prepared("cache_put", e.key, e.resultat_json, e.ins.matricule, e.ins.cle, e.ins.oid,
                   to_unix(e.stored_at), to_unix(e.expires_at), finess_);
}

std::vector<std::string> PgTx::cache_drop_ins(const identity::Ins& ins) {
  std::vector<std::string> keys;
  for (const auto& row : w_.exec_prepared("cache_drop_ins", ins.matricule, ins.cle, ins.oid))
    keys.push_back(row[0].as<std::string>());
  return keys;
}

std::size_t PgTx::cache_purge(TimePoint t) {
  return w_.exec_prepared("cache_purge", to_unix(t)).affected_rows();
}

std::optional<IdentityRecord> PgTx::identity_by_ins(const identity::Ins& ins) {
  lock_structure();
  return first_identity(
      w_.exec_prepared("identity_by_ins", finess_, ins.matricule, ins.cle, ins.oid));
}

std::optional<IdentityRecord> PgTx::identity_by_local_id(const std::string& local_id) {
  lock_structure();
  return first_identity(w_.exec_prepared("identity_by_local", finess_, local_id));
}

std::optional<IdentityRecord> PgTx::identity_by_history_ins(const identity::Ins& ins) {
  lock_structure();
  return first_identity(
      w_.exec_prepared("identity_by_history", finess_, ins.matricule, ins.cle, ins.oid));
}

std::int64_t PgTx::identity_insert(const IdentityRecord& r) {
  lock_structure();
  return exec_identity(w_, "identity_insert", r, finess_)[0][0].as<std::int64_t>();
}

void PgTx::identity_update(const IdentityRecord& r) {
  lock_structure();
  if (exec_identity(w_, "identity_update", r, r.id, finess_).affected_rows() != 1)
    throw StateError("state: identity row to update does not exist");
}

void PgTx::history_put(std::int64_t identity_id, const InsHistoryEntry& h) {
  lock_structure();
  w_.exec_prepared("history_put", identity_id, h.ins.matricule, h.ins.cle, h.ins.oid,
                   std::string(h.origin == HistoryOrigin::remplacee ? "remplacee" : "insi_histo"),
                   h.date_debut, h.date_fin, opt_unix(h.replaced_at));
}

std::vector<InsHistoryEntry> PgTx::history(std::int64_t identity_id) {
  lock_structure();
  std::vector<InsHistoryEntry> out;
  for (const auto& q : w_.exec_prepared("history", identity_id)) {
    InsHistoryEntry h;
    h.ins = {q[0].as<std::string>(), q[1].as<std::string>(), q[2].as<std::string>()};
    h.origin = q[3].as<std::string>() == "remplacee" ? HistoryOrigin::remplacee
                                                     : HistoryOrigin::insi_histo;
    h.date_debut = opt_str(q[4]);
    h.date_fin = opt_str(q[5]);
    h.replaced_at = opt_time(q[6]);
    out.push_back(std::move(h));
  }
  return out;
}

void PgTx::status_log(std::int64_t identity_id, const StatusChange& c) {
  lock_structure();
  w_.exec_prepared("status_log", identity_id, std::string(identity::to_api_name(c.from)),
                   std::string(identity::to_api_name(c.to)), c.reason, to_unix(c.at));
}

std::vector<StatusChange> PgTx::status_changes(std::int64_t identity_id) {
  lock_structure();
  std::vector<StatusChange> out;
  for (const auto& q : w_.exec_prepared("status_changes", identity_id))
    out.push_back({status_of(q[0].as<std::string>()), status_of(q[1].as<std::string>()),
                   q[2].as<std::string>(), from_unix(q[3].as<std::int64_t>())});
  return out;
}

std::int64_t PgTx::outbox_enqueue(const NewOutboxEvent& e) {
  lock_structure();
  queued_events_ = true;
  return w_
      .exec_prepared("outbox_enqueue", e.plugin, std::string(to_name(e.kind)), e.idempotency_key,
                     e.payload_json, to_unix(e.created_at), finess_, e.identity_id)[0][0]
      .as<std::int64_t>();
}

void PgTx::activity_add(const ActivityDelta& d) {
  const std::int64_t v[] = {d.requetes_insi, d.requetes_verification, d.recuperations,
                            d.verifications, d.cr00, d.cr01, d.cr02, d.erreurs, d.cache_hits};
  if (std::any_of(std::begin(v), std::end(v), [](std::int64_t n) { return n != 0; }))
    w_.exec_prepared("activity_add", d.finess, d.mois, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                     v[7], v[8]);
  if (!d.operateur_hash.empty())
    w_.exec_prepared("activity_operateur", d.finess, d.mois, d.operateur_hash);
  if (!d.personne_hash.empty())
    w_.exec_prepared("activity_personne", d.finess, d.mois, d.personne_hash);
}

}  // namespace insgate::state::detail

// insgate — StateTx over SQLite: cache, identities, history, outbox, activity.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/sqlite_tx.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "state/state_error.hpp"

namespace insgate::state::detail {
namespace {

using identity::RnivStatus;

void bind_opt(SQLite::Statement& q, int i, const std::optional<std::string>& v) {
  if (v) q.bind(i, *v); else q.bind(i);
}
void bind_opt(SQLite::Statement& q, int i, const std::optional<TimePoint>& v) {
  if (v) q.bind(i, static_cast<int64_t>(to_unix(*v))); else q.bind(i);
}
std::optional<std::string> opt_str(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
std::optional<TimePoint> opt_time(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return from_unix(c.getInt64());
}
RnivStatus status_of(const std::string& s) {
  return identity::parse_rniv_status(s).value_or(RnivStatus::provisoire);
}

constexpr const char* kIdentityColumns =
    "id, matricule, cle, oid, attr_insi, attr_document, date_corrigee, douteuse, fictive, "
    "homonyme, insi_operation, insi_le, identifiant_local, piece_type, piece_verifiee_le, "
    "qualifie_par, qualifie_le, traits_json, cree_le, maj_le";

IdentityRecord read_identity(SQLite::Statement& q) {
  IdentityRecord r;
  r.id = q.getColumn(0).getInt64();
  r.ins = {q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString()};
  r.rniv.insi = q.getColumn(4).getInt() != 0;
  r.rniv.document = q.getColumn(5).getInt() != 0;
  r.rniv.birth_date_corrected = q.getColumn(6).getInt() != 0;
  r.rniv.attributes = {q.getColumn(7).getInt() != 0, q.getColumn(8).getInt() != 0,
                       q.getColumn(9).getInt() != 0};
  if (auto op = opt_str(q.getColumn(10)))
    r.insi_operation = *op == "verification" ? InsiOperation::verification
                                             : InsiOperation::recuperation;
  r.insi_at = opt_time(q.getColumn(11));
  r.identifiant_local = opt_str(q.getColumn(12));
  if (auto t = opt_str(q.getColumn(13)); t && parse_piece_type(*t))
    r.piece = PieceIdentite{*parse_piece_type(*t), q.getColumn(14).getString()};
  r.qualifie_par = opt_str(q.getColumn(15));
  r.qualifie_le = opt_time(q.getColumn(16));
  r.traits_json = q.getColumn(17).getString();
  r.created_at = from_unix(q.getColumn(18).getInt64());
  r.updated_at = from_unix(q.getColumn(19).getInt64());
  return r;
}

// Binds every column but id, in kIdentityColumns order, from index 1.
void bind_identity(SQLite::Statement& q, const IdentityRecord& r) {
  q.bind(1, r.ins.matricule);
  q.bind(2, r.ins.cle);
  q.bind(3, r.ins.oid);
  q.bind(4, r.rniv.insi ? 1 : 0);
  q.bind(5, r.rniv.document ? 1 : 0);
  q.bind(6, r.rniv.birth_date_corrected ? 1 : 0);
  q.bind(7, r.rniv.attributes.douteuse ? 1 : 0);
  q.bind(8, r.rniv.attributes.fictive ? 1 : 0);
  q.bind(9, r.rniv.attributes.homonyme ? 1 : 0);
  q.bind(10, std::string(identity::to_api_name(r.rniv.status())));
  if (r.insi_operation) q.bind(11, std::string(to_name(*r.insi_operation))); else q.bind(11);
  bind_opt(q, 12, r.insi_at);
  bind_opt(q, 13, r.identifiant_local);
  if (r.piece) {
    q.bind(14, std::string(to_api_name(r.piece->type)));
    q.bind(15, r.piece->verifiee_le);
  } else {
    q.bind(14);
    q.bind(15);
  }
  bind_opt(q, 16, r.qualifie_par);
  bind_opt(q, 17, r.qualifie_le);
  q.bind(18, r.traits_json);
  q.bind(19, static_cast<int64_t>(to_unix(r.created_at)));
  q.bind(20, static_cast<int64_t>(to_unix(r.updated_at)));
}

constexpr const char* kIdentityValues =
    "matricule, cle, oid, attr_insi, attr_document, date_corrigee, douteuse, fictive, "
    "homonyme, statut, insi_operation, insi_le, identifiant_local, piece_type, "
    "piece_verifiee_le, qualifie_par, qualifie_le, traits_json, cree_le, maj_le";

}  // namespace

OutboxRow read_outbox_row(SQLite::Statement& q) {
  OutboxRow r;
  r.id = q.getColumn(0).getInt64();
  r.plugin = opt_str(q.getColumn(1));
  r.kind = parse_event_kind(q.getColumn(2).getString()).value_or(EventKind::qualifiee);
  r.idempotency_key = q.getColumn(3).getString();
  r.payload_json = q.getColumn(4).getString();
  r.attempts = q.getColumn(5).getInt();
  r.next_attempt_at = from_unix(q.getColumn(6).getInt64());
  r.state = parse_outbox_state(q.getColumn(7).getString()).value_or(OutboxState::pending);
  r.last_error = opt_str(q.getColumn(8));
  r.created_at = from_unix(q.getColumn(9).getInt64());
  r.delivered_at = opt_time(q.getColumn(10));
  r.finess = q.getColumn(11).getString();
  return r;
}

std::optional<CacheEntry> SqliteTx::cache_get(const std::string& key) {
  SQLite::Statement& q = stmts_.get( "SELECT resultat_json, ins_matricule, ins_cle, ins_oid, stocke_le, "
                           "expire_le FROM cache_entry WHERE cle = ?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return CacheEntry{key, q.getColumn(0).getString(),
                    {q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getString()},
                    from_unix(q.getColumn(4).getInt64()), from_unix(q.getColumn(5).getInt64())};
}

void SqliteTx::cache_put(const CacheEntry& e) {
  SQLite::Statement& q = stmts_.get( "INSERT OR REPLACE INTO cache_entry (cle, resultat_json, "
                           "ins_matricule, ins_cle, ins_oid, stocke_le, expire_le, finess) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, e.key);
  q.bind(2, e.resultat_json);
  q.bind(3, e.ins.matricule);
  q.bind(4, e.ins.cle);
  q.bind(5, e.ins.oid);
  q.bind(6, static_cast<int64_t>(to_unix(e.stored_at)));
  q.bind(7, static_cast<int64_t>(to_unix(e.expires_at)));
  q.bind(8, finess_);
  q.exec();
}

std::vector<std::string> SqliteTx::cache_drop_ins(const identity::Ins& ins) {
  SQLite::Statement& q = stmts_.get(
      "DELETE FROM cache_entry WHERE ins_matricule = ? AND ins_cle = ? AND ins_oid = ? "
      "RETURNING cle");
  q.bind(1, ins.matricule);
  q.bind(2, ins.cle);
  q.bind(3, ins.oid);
  std::vector<std::string> keys;
  while (q.executeStep()) keys.push_back(q.getColumn(0).getString());
  return keys;
}

std::size_t SqliteTx::cache_purge(TimePoint t) {
  SQLite::Statement& q = stmts_.get( "DELETE FROM cache_entry WHERE expire_le < ?");
  q.bind(1, static_cast<int64_t>(to_unix(t)));
  return static_cast<std::size_t>(q.exec());
}

std::optional<IdentityRecord> SqliteTx::identity_where(const char* where,
                                                       const identity::Ins* ins,
                                                       const std::string* local_id) {
  SQLite::Statement& q = stmts_.get( std::string("SELECT ") + kIdentityColumns +
                               " FROM identite WHERE finess = ? AND " + where + " LIMIT 1");
  q.bind(1, finess_);
  if (ins) {
    q.bind(2, ins->matricule);
    q.bind(3, ins->cle);
    q.bind(4, ins->oid);
  } else {
    q.bind(2, *local_id);
  }
  if (!q.executeStep()) return std::nullopt;
  return read_identity(q);
}

std::optional<IdentityRecord> SqliteTx::identity_by_ins(const identity::Ins& ins) {
  return identity_where("matricule = ? AND cle = ? AND oid = ?", &ins, nullptr);
}

std::optional<IdentityRecord> SqliteTx::identity_by_local_id(const std::string& local_id) {
  return identity_where("identifiant_local = ? ORDER BY maj_le DESC, id DESC", nullptr,
                        &local_id);
}

std::optional<IdentityRecord> SqliteTx::identity_by_history_ins(const identity::Ins& ins) {
  // The history of this structure's identities only.
  return identity_where("id = (SELECT h.identite_id FROM ins_historique h JOIN identite i "
                        "ON i.id = h.identite_id WHERE i.finess = ?1 AND h.matricule = ? "
                        "AND h.cle = ? AND h.oid = ? ORDER BY h.remplacee_le DESC LIMIT 1)",
                        &ins, nullptr);
}

std::int64_t SqliteTx::identity_insert(const IdentityRecord& r) {
  SQLite::Statement& q = stmts_.get( std::string("INSERT INTO identite (") + kIdentityValues +
                               ", finess) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  bind_identity(q, r);
  q.bind(21, finess_);
  q.exec();
  return db_.getLastInsertRowid();
}

void SqliteTx::identity_update(const IdentityRecord& r) {
  SQLite::Statement& q = stmts_.get(
      "UPDATE identite SET matricule=?, cle=?, oid=?, attr_insi=?, attr_document=?, "
      "date_corrigee=?, douteuse=?, fictive=?, homonyme=?, statut=?, insi_operation=?, "
      "insi_le=?, identifiant_local=?, piece_type=?, piece_verifiee_le=?, qualifie_par=?, "
      "qualifie_le=?, traits_json=?, cree_le=?, maj_le=? WHERE id=? AND finess=?");
  bind_identity(q, r);
  q.bind(21, static_cast<int64_t>(r.id));
  q.bind(22, finess_);
  if (q.exec() != 1) throw StateError("state: identity row to update does not exist");
}

void SqliteTx::history_put(std::int64_t identity_id, const InsHistoryEntry& h) {
  SQLite::Statement& q = stmts_.get(
      "INSERT INTO ins_historique (identite_id, matricule, cle, oid, origine, date_debut, "
      "date_fin, remplacee_le) VALUES (?,?,?,?,?,?,?,?) "
      "ON CONFLICT (identite_id, matricule, cle, oid) DO UPDATE SET "
      "origine = CASE WHEN origine = 'remplacee' THEN origine ELSE excluded.origine END, "
      "date_debut = coalesce(excluded.date_debut, date_debut), "
      "date_fin = coalesce(excluded.date_fin, date_fin), "
      "remplacee_le = coalesce(remplacee_le, excluded.remplacee_le)");
  q.bind(1, static_cast<int64_t>(identity_id));
  q.bind(2, h.ins.matricule);
  q.bind(3, h.ins.cle);
  q.bind(4, h.ins.oid);
  q.bind(5, h.origin == HistoryOrigin::remplacee ? "remplacee" : "insi_histo");
  bind_opt(q, 6, h.date_debut);
  bind_opt(q, 7, h.date_fin);
  bind_opt(q, 8, h.replaced_at);
  q.exec();
}

std::vector<InsHistoryEntry> SqliteTx::history(std::int64_t identity_id) {
  SQLite::Statement& q = stmts_.get( "SELECT matricule, cle, oid, origine, date_debut, date_fin, "
                           "remplacee_le FROM ins_historique WHERE identite_id = ? "
                           "ORDER BY rowid");
  q.bind(1, static_cast<int64_t>(identity_id));
  std::vector<InsHistoryEntry> out;
  while (q.executeStep()) {
    InsHistoryEntry h;
    h.ins = {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()};
    h.origin = q.getColumn(3).getString() == "remplacee" ? HistoryOrigin::remplacee
                                                         : HistoryOrigin::insi_histo;
    h.date_debut = opt_str(q.getColumn(4));
    h.date_fin = opt_str(q.getColumn(5));
    h.replaced_at = opt_time(q.getColumn(6));
    out.push_back(std::move(h));
  }
  return out;
}

void SqliteTx::status_log(std::int64_t identity_id, const StatusChange& c) {
  SQLite::Statement& q = stmts_.get( "INSERT INTO statut_journal (identite_id, de, vers, motif, le) "
                           "VALUES (?,?,?,?,?)");
  q.bind(1, static_cast<int64_t>(identity_id));
  q.bind(2, std::string(identity::to_api_name(c.from)));
  q.bind(3, std::string(identity::to_api_name(c.to)));
  q.bind(4, c.reason);
  q.bind(5, static_cast<int64_t>(to_unix(c.at)));
  q.exec();
}

std::vector<StatusChange> SqliteTx::status_changes(std::int64_t identity_id) {
  SQLite::Statement& q = stmts_.get( "SELECT de, vers, motif, le FROM statut_journal "
                           "WHERE identite_id = ? ORDER BY id");
  q.bind(1, static_cast<int64_t>(identity_id));
  std::vector<StatusChange> out;
  while (q.executeStep())
    out.push_back({status_of(q.getColumn(0).getString()), status_of(q.getColumn(1).getString()),
                   q.getColumn(2).getString(), from_unix(q.getColumn(3).getInt64())});
  return out;
}

std::int64_t SqliteTx::outbox_enqueue(const NewOutboxEvent& e) {
  queued_events_ = true;
  SQLite::Statement& q = stmts_.get( "INSERT INTO outbox (plugin, type_evenement, cle_idempotence, "
                           "payload_json, cree_le, finess) VALUES (?,?,?,?,?,?)");
  bind_opt(q, 1, e.plugin);
  q.bind(2, std::string(to_name(e.kind)));
  q.bind(3, e.idempotency_key);
  q.bind(4, e.payload_json);
  q.bind(5, static_cast<int64_t>(to_unix(e.created_at)));
  q.bind(6, finess_);
  q.exec();
  return db_.getLastInsertRowid();
}

void SqliteTx::activity_add(const ActivityDelta& d) {
  const std::int64_t v[] = {d.requetes_insi, d.requetes_verification, d.recuperations,
                            d.verifications, d.cr00, d.cr01, d.cr02, d.erreurs, d.cache_hits};
  if (std::any_of(std::begin(v), std::end(v), [](std::int64_t n) { return n != 0; })) {
    SQLite::Statement& q = stmts_.get(
        "INSERT INTO activite (finess, mois, requetes_insi, requetes_verification, "
        "recuperations, verifications, cr00, cr01, cr02, erreurs, cache_hits) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT (finess, mois) DO UPDATE SET "
        "requetes_insi = requetes_insi + excluded.requetes_insi, "
        "requetes_verification = requetes_verification + excluded.requetes_verification, "
        "recuperations = recuperations + excluded.recuperations, "
        "verifications = verifications + excluded.verifications, "
        "cr00 = cr00 + excluded.cr00, cr01 = cr01 + excluded.cr01, "
        "cr02 = cr02 + excluded.cr02, erreurs = erreurs + excluded.erreurs, "
        "cache_hits = cache_hits + excluded.cache_hits");
    q.bind(1, d.finess);
    q.bind(2, d.mois);
    for (int i = 0; i < 9; ++i) q.bind(3 + i, static_cast<int64_t>(v[i]));
    q.exec();
  }
  for (const auto& [table, hash] : {std::pair{"activite_operateur", &d.operateur_hash},
                                    std::pair{"activite_personne", &d.personne_hash}}) {
    if (hash->empty()) continue;
    SQLite::Statement& h = stmts_.get(std::string("INSERT OR IGNORE INTO ") + table +
                                      " (finess, mois, empreinte) VALUES (?,?,?)");
    h.bind(1, d.finess);
    h.bind(2, d.mois);
    h.bind(3, *hash);
    h.exec();
  }
}

}  // namespace insgate::state::detail

// insgate — the statements of the PostgreSQL state store. Parameters are
// numbered ($n); times are Unix seconds except lease_until (Unix ms).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/pg_statements.hpp"

#include <pqxx/connection>

#include <string>

namespace insgate::state::detail {
namespace {

struct Named {
  const char* name;
  std::string sql;
};

const std::string kIdentityColumns =
    "id, matricule, cle, oid, attr_insi, attr_document, date_corrigee, douteuse, fictive, "
    "homonyme, insi_operation, insi_le, identifiant_local, piece_type, piece_verifiee_le, "
    "qualifie_par, qualifie_le, traits_json, cree_le, maj_le";
const std::string kOutbox = kPgOutboxColumns;
// A row no earlier pending row of its order group holds back.
const std::string kHeadOfGroup =
    "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.etat = 'pending' AND p.plugin = o.plugin "
    "AND p.finess = o.finess AND p.identite_id = o.identite_id AND p.id < o.id)";
const std::string kMonthSelect =
    "SELECT a.finess, a.mois, requetes_insi, requetes_verification, recuperations, "
    "verifications, cr00, cr01, cr02, erreurs, cache_hits, "
    "(SELECT count(*) FROM activite_operateur o WHERE o.finess = a.finess AND o.mois = a.mois), "
    "(SELECT count(*) FROM activite_personne p WHERE p.finess = a.finess AND p.mois = a.mois) "
    "FROM activite a WHERE a.mois = $1";
const std::string kCopyUnrouted =
    "INSERT INTO outbox (plugin, type_evenement, cle_idempotence, payload_json, cree_le, finess, "
    "identite_id) SELECT $1, type_evenement, cle_idempotence, payload_json, cree_le, finess, "
    "identite_id FROM outbox WHERE plugin IS NULL AND etat = 'pending'";

const Named kStatements[] = {
    // The structure's identity lock (PgStore::transact_for): two-int keys,
    // a key space apart from the migration lock's bigint key.
    {"lock_finess", "SELECT pg_advisory_xact_lock(1, hashtext($1))"},
    {"cache_get",
     "SELECT resultat_json, ins_matricule, ins_cle, ins_oid, stocke_le, expire_le "
     "FROM cache_entry WHERE cle = $1"},
    {"cache_put",
     "INSERT INTO cache_entry (cle, resultat_json, ins_matricule, ins_cle, ins_oid, stocke_le, "
     "expire_le, finess) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (cle) DO UPDATE SET "
     "resultat_json = excluded.resultat_json, ins_matricule = excluded.ins_matricule, "
     "ins_cle = excluded.ins_cle, ins_oid = excluded.ins_oid, stocke_le = excluded.stocke_le, "
     "expire_le = excluded.expire_le, finess = excluded.finess"},
    {"cache_drop_ins",
     "DELETE FROM cache_entry WHERE ins_matricule = $1 AND ins_cle = $2 AND ins_oid = $3 "
     "RETURNING cle"},
    {"cache_purge", "DELETE FROM cache_entry WHERE expire_le < $1"},
    {"identity_by_ins", "SELECT " + kIdentityColumns +
                            " FROM identite WHERE finess = $1 AND matricule = $2 AND cle = $3 "
                            "AND oid = $4 LIMIT 1"},
    {"identity_by_local", "SELECT " + kIdentityColumns +
                              " FROM identite WHERE finess = $1 AND identifiant_local = $2 "
                              "ORDER BY maj_le DESC, id DESC LIMIT 1"},
    // SQLite sorts NULL first, so DESC puts it last: the same here.
    {"identity_by_history",
     "SELECT " + kIdentityColumns +
         " FROM identite WHERE finess = $1 AND id = (SELECT h.identite_id FROM ins_historique h "
         "JOIN identite i ON i.id = h.identite_id WHERE i.finess = $1 AND h.matricule = $2 "
         "AND h.cle = $3 AND h.oid = $4 ORDER BY h.remplacee_le DESC NULLS LAST LIMIT 1)"},
    {"identity_insert",
     "INSERT INTO identite (matricule, cle, oid, attr_insi, attr_document, date_corrigee, "
     "douteuse, fictive, homonyme, statut, insi_operation, insi_le, identifiant_local, "
     "piece_type, piece_verifiee_le, qualifie_par, qualifie_le, traits_json, cree_le, maj_le, "
     "finess) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,"
     "$21) RETURNING id"},
    {"identity_update",
     "UPDATE identite SET matricule=$1, cle=$2, oid=$3, attr_insi=$4, attr_document=$5, "
     "date_corrigee=$6, douteuse=$7, fictive=$8, homonyme=$9, statut=$10, insi_operation=$11, "
     "insi_le=$12, identifiant_local=$13, piece_type=$14, piece_verifiee_le=$15, "
     "qualifie_par=$16, qualifie_le=$17, traits_json=$18, cree_le=$19, maj_le=$20 "
     "WHERE id=$21 AND finess=$22"},
    {"history_put",
     "INSERT INTO ins_historique (identite_id, matricule, cle, oid, origine, date_debut, "
     "date_fin, remplacee_le) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
     "ON CONFLICT (identite_id, matricule, cle, oid) DO UPDATE SET "
     "origine = CASE WHEN ins_historique.origine = 'remplacee' THEN ins_historique.origine "
     "ELSE excluded.origine END, "
     "date_debut = coalesce(excluded.date_debut, ins_historique.date_debut), "
     "date_fin = coalesce(excluded.date_fin, ins_historique.date_fin), "
     "remplacee_le = coalesce(ins_historique.remplacee_le, excluded.remplacee_le)"},
    {"history",
     "SELECT matricule, cle, oid, origine, date_debut, date_fin, remplacee_le "
     "FROM ins_historique WHERE identite_id = $1 ORDER BY seq"},
    {"status_log",
     "INSERT INTO statut_journal (identite_id, de, vers, motif, le) VALUES ($1,$2,$3,$4,$5)"},
    {"status_changes",
     "SELECT de, vers, motif, le FROM statut_journal WHERE identite_id = $1 ORDER BY id"},
    {"outbox_enqueue",
     "INSERT INTO outbox (plugin, type_evenement, cle_idempotence, payload_json, cree_le, "
     "finess, identite_id) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id"},
    {"activity_add",
     "INSERT INTO activite AS a (finess, mois, requetes_insi, requetes_verification, "
     "recuperations, verifications, cr00, cr01, cr02, erreurs, cache_hits) "
     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (finess, mois) DO UPDATE SET "
     "requetes_insi = a.requetes_insi + excluded.requetes_insi, "
     "requetes_verification = a.requetes_verification + excluded.requetes_verification, "
     "recuperations = a.recuperations + excluded.recuperations, "
     "verifications = a.verifications + excluded.verifications, "
     "cr00 = a.cr00 + excluded.cr00, cr01 = a.cr01 + excluded.cr01, "
     "cr02 = a.cr02 + excluded.cr02, erreurs = a.erreurs + excluded.erreurs, "
     "cache_hits = a.cache_hits + excluded.cache_hits"},
    {"activity_operateur",
     "INSERT INTO activite_operateur (finess, mois, empreinte) VALUES ($1,$2,$3) "
     "ON CONFLICT DO NOTHING"},
    {"activity_personne",
     "INSERT INTO activite_personne (finess, mois, empreinte) VALUES ($1,$2,$3) "
     "ON CONFLICT DO NOTHING"},
    // Outbox management (PgStore).
    {"outbox_pending_all",
     "SELECT " + kOutbox + " FROM outbox WHERE etat = 'pending' ORDER BY id LIMIT $1"},
    {"outbox_pending_plugin", "SELECT " + kOutbox +
                                  " FROM outbox WHERE etat = 'pending' AND plugin = $1 "
                                  "ORDER BY id LIMIT $2"},
    // $1 plugin, $2 instance, $3 now (s), $4 now (ms), $5 lease end (ms).
    {"outbox_claim",
     "UPDATE outbox SET leased_by = $2, lease_until = $5 WHERE id = ("
     "SELECT o.id FROM outbox o WHERE o.etat = 'pending' AND o.plugin = $1 "
     "AND o.prochaine_tentative <= $3 AND (o.lease_until IS NULL OR o.lease_until <= $4) AND " +
         kHeadOfGroup +
         " ORDER BY o.id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " + kOutbox},
    // $1 id, $2 instance, $3 new lease end (ms).
    {"outbox_renew_lease",
     "UPDATE outbox SET lease_until = $3 WHERE id = $1 AND etat = 'pending' AND leased_by = $2"},
    {"outbox_next_due",
     "SELECT min(o.prochaine_tentative) FROM outbox o WHERE o.etat = 'pending' "
     "AND o.plugin = $1 AND o.prochaine_tentative > $2 AND " + kHeadOfGroup},
    {"outbox_delivered",
     "UPDATE outbox SET etat = 'delivered', tentatives = tentatives + 1, livre_le = $1, "
     "leased_by = NULL, lease_until = NULL WHERE id = $2 AND etat = 'pending' "
     "AND leased_by = $3"},
    {"outbox_retry",
     "UPDATE outbox SET tentatives = tentatives + 1, prochaine_tentative = $1, "
     "derniere_erreur = $2, leased_by = NULL, lease_until = NULL "
     "WHERE id = $3 AND etat = 'pending' AND leased_by = $4"},
    {"outbox_dead",
     "UPDATE outbox SET etat = 'dead', tentatives = tentatives + 1, derniere_erreur = $1, "
     "leased_by = NULL, lease_until = NULL WHERE id = $2 AND etat = 'pending' "
     "AND leased_by = $3"},
    {"outbox_list", "SELECT " + kOutbox + " FROM outbox WHERE etat = $1 ORDER BY id LIMIT $2"},
    {"outbox_retry_dead",
     "UPDATE outbox SET etat = 'pending', tentatives = 0, prochaine_tentative = 0, "
     "leased_by = NULL, lease_until = NULL WHERE id = $1 AND etat = 'dead'"},
    {"outbox_purge", "DELETE FROM outbox WHERE etat = 'delivered' AND livre_le < $1"},
    {"outbox_copy_unrouted", kCopyUnrouted + " ORDER BY id ON CONFLICT DO NOTHING"},
    {"outbox_copy_unrouted_finess",
     kCopyUnrouted + " AND finess = $2 ORDER BY id ON CONFLICT DO NOTHING"},
    {"outbox_drop_routed",
     "DELETE FROM outbox WHERE plugin IS NULL AND etat = 'pending' AND EXISTS (SELECT 1 FROM "
     "outbox o WHERE o.plugin IS NOT NULL AND o.cle_idempotence = outbox.cle_idempotence)"},
    {"outbox_backlog",
     "SELECT plugin, count(*), min(cree_le) FROM outbox WHERE etat = 'pending' "
     "GROUP BY plugin ORDER BY plugin NULLS FIRST"},
    // Activity and the qualified-identity rate.
    {"activity_month", kMonthSelect + " ORDER BY a.finess"},
    {"activity_one", kMonthSelect + " AND a.finess = $2"},
    {"identity_counts_all",
     "SELECT statut, count(*) FROM identite WHERE maj_le >= $1 GROUP BY statut"},
    {"identity_counts_finess",
     "SELECT statut, count(*) FROM identite WHERE maj_le >= $1 AND finess = $2 GROUP BY statut"},
    {"snapshot_get",
     "SELECT qualifiees, file_active, releve_le FROM taux_qualification "
     "WHERE finess = $1 AND mois = $2"},
    {"snapshot_put",
     "INSERT INTO taux_qualification (finess, mois, qualifiees, file_active, releve_le) "
     "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (finess, mois) DO UPDATE SET "
     "qualifiees = excluded.qualifiees, file_active = excluded.file_active, "
     "releve_le = excluded.releve_le"},
    {"key_put", "INSERT INTO cle_activite (cle) VALUES ($1) ON CONFLICT DO NOTHING"},
    {"key_get", "SELECT cle FROM cle_activite"},
};

}  // namespace

void prepare_pg_statements(pqxx::connection_base& c) {
  for (const auto& s : kStatements) c.prepare(s.name, s.sql);
}

}  // namespace insgate::state::detail

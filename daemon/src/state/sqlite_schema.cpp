// insgate — schema migrations of the SQLite state store.
// Times are INTEGER Unix seconds (UTC); booleans INTEGER 0/1.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/sqlite_schema.hpp"

#include <array>

namespace insgate::state::detail {
namespace {

constexpr const char* kV1 = R"sql(
CREATE TABLE cache_entry (
  cle            TEXT PRIMARY KEY,      -- hex SHA-256 of normalised traits / Vitale data
  resultat_json  TEXT NOT NULL,
  ins_matricule  TEXT NOT NULL,
  ins_cle        TEXT NOT NULL,
  ins_oid        TEXT NOT NULL,
  stocke_le      INTEGER NOT NULL,
  expire_le      INTEGER NOT NULL
) STRICT;
CREATE INDEX cache_entry_expire ON cache_entry(expire_le);

CREATE TABLE identite (
  id                 INTEGER PRIMARY KEY,
  matricule          TEXT NOT NULL,
  cle                TEXT NOT NULL,
  oid                TEXT NOT NULL,
  attr_insi          INTEGER NOT NULL DEFAULT 0,   -- I
  attr_document      INTEGER NOT NULL DEFAULT 0,   -- C
  date_corrigee      INTEGER NOT NULL DEFAULT 0,
  douteuse           INTEGER NOT NULL DEFAULT 0,
  fictive            INTEGER NOT NULL DEFAULT 0,
  homonyme           INTEGER NOT NULL DEFAULT 0,
  statut             TEXT NOT NULL,                -- derived, kept for queries
  insi_operation     TEXT CHECK (insi_operation IN ('recuperation', 'verification')),
  insi_le            INTEGER,
  identifiant_local  TEXT,
  piece_type         TEXT,
  piece_verifiee_le  TEXT,
  qualifie_par       TEXT,                         -- operator HMAC, hex
  qualifie_le        INTEGER,
  traits_json        TEXT NOT NULL DEFAULT '{}',
  cree_le            INTEGER NOT NULL,
  maj_le             INTEGER NOT NULL,
  UNIQUE (matricule, cle, oid)
) STRICT;
CREATE INDEX identite_local ON identite(identifiant_local);

CREATE TABLE ins_historique (
  identite_id  INTEGER NOT NULL REFERENCES identite(id) ON DELETE CASCADE,
  matricule    TEXT NOT NULL,
  cle          TEXT NOT NULL,
  oid          TEXT NOT NULL,
  origine      TEXT NOT NULL CHECK (origine IN ('insi_histo', 'remplacee')),
  date_debut   TEXT,
  date_fin     TEXT,
  remplacee_le INTEGER,
  PRIMARY KEY (identite_id, matricule, cle, oid)
) STRICT;
CREATE INDEX ins_historique_ins ON ins_historique(matricule, cle, oid);

CREATE TABLE statut_journal (
  id           INTEGER PRIMARY KEY,
  identite_id  INTEGER NOT NULL REFERENCES identite(id) ON DELETE CASCADE,
  de           TEXT NOT NULL,
  vers         TEXT NOT NULL,
  motif        TEXT NOT NULL,
  le           INTEGER NOT NULL
) STRICT;
CREATE INDEX statut_journal_identite ON statut_journal(identite_id);

CREATE TABLE outbox (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused: delivery order
  plugin            TEXT,                                -- NULL = every plugin
  type_evenement    TEXT NOT NULL
    CHECK (type_evenement IN ('qualifiee', 'mise_a_jour', 'ins_remplacee', 'declassee')),
  cle_idempotence   TEXT NOT NULL,
  payload_json      TEXT NOT NULL,
  tentatives        INTEGER NOT NULL DEFAULT 0,
  prochaine_tentative INTEGER NOT NULL DEFAULT 0,
  etat              TEXT NOT NULL DEFAULT 'pending'
    CHECK (etat IN ('pending', 'delivered', 'dead')),
  derniere_erreur   TEXT,
  cree_le           INTEGER NOT NULL,
  livre_le          INTEGER
) STRICT;
CREATE UNIQUE INDEX outbox_idempotence ON outbox(coalesce(plugin, ''), cle_idempotence);
CREATE INDEX outbox_etat ON outbox(etat, plugin, id);

CREATE TABLE activite (
  finess          TEXT NOT NULL,
  mois            TEXT NOT NULL,                 -- AAAA-MM
  sollicitations  INTEGER NOT NULL DEFAULT 0,
  recuperations   INTEGER NOT NULL DEFAULT 0,
  verifications   INTEGER NOT NULL DEFAULT 0,
  cr00            INTEGER NOT NULL DEFAULT 0,
  cr01            INTEGER NOT NULL DEFAULT 0,
  cr02            INTEGER NOT NULL DEFAULT 0,
  erreurs         INTEGER NOT NULL DEFAULT 0,
  cache_hits      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (finess, mois)
) STRICT;
CREATE TABLE activite_operateur (
  finess TEXT NOT NULL, mois TEXT NOT NULL, empreinte TEXT NOT NULL,  -- HMAC-SHA256 hex
  PRIMARY KEY (finess, mois, empreinte)
) STRICT, WITHOUT ROWID;
CREATE TABLE activite_personne (
  finess TEXT NOT NULL, mois TEXT NOT NULL, empreinte TEXT NOT NULL,
  PRIMARY KEY (finess, mois, empreinte)
) STRICT, WITHOUT ROWID;
)sql";

// v2: cache entries by INS, for dropping every key of a superseded INS
// (ResultCache::store) without scanning the table.
constexpr const char* kV2 = R"sql(
CREATE INDEX cache_entry_ins ON cache_entry(ins_matricule, ins_cle, ins_oid);
)sql";

// v3: the monthly snapshot of the qualified-identity rate (Ségur indicator),
// so that a past month's report keeps the rate of that month.
constexpr const char* kV3 = R"sql(
CREATE TABLE taux_qualification (
  finess       TEXT NOT NULL,
  mois         TEXT NOT NULL,                 -- AAAA-MM
  qualifiees   INTEGER NOT NULL,
  file_active  INTEGER NOT NULL,
  releve_le    INTEGER NOT NULL,              -- Unix seconds
  PRIMARY KEY (finess, mois)
) STRICT;
)sql";

// v4 (issue #11): the activity counts what INSi received. `sollicitations`
// counted API requests that reached INSi: renamed `requetes_insi` (the
// report's sollicitations are now the INSi calls of every operation). A
// vérification by comparison sends récupérations (insi-protocol.md §6), so
// the calls counted so far under `verifications` move to `recuperations`;
// `requetes_verification` counts vérification requests from now on.
constexpr const char* kV4 = R"sql(
ALTER TABLE activite RENAME COLUMN sollicitations TO requetes_insi;
ALTER TABLE activite ADD COLUMN requetes_verification INTEGER NOT NULL DEFAULT 0;
UPDATE activite SET recuperations = recuperations + verifications, verifications = 0;
)sql";

// v5 (issue 12): one daemon serves several structures. Identities (and so
// their RNIV statuses, history and status log), cache entries and outbox
// events carry the FINESS of the structure they belong to; one INS may be
// an identity at A and another at B. identite is rebuilt (SQLite cannot
// change a UNIQUE constraint in place) keeping its ids, so that
// ins_historique and statut_journal still point at their rows; the store
// runs migrations with foreign keys off and checks them before committing.
// Rows written before v5 get '' here; the store then gives them the FINESS
// of the configuration's first structure (SqliteOptions::legacy_finess).
constexpr const char* kV5 = R"sql(
CREATE TABLE identite_v5 (
  id                 INTEGER PRIMARY KEY,
  finess             TEXT NOT NULL,
  matricule          TEXT NOT NULL,
  cle                TEXT NOT NULL,
  oid                TEXT NOT NULL,
  attr_insi          INTEGER NOT NULL DEFAULT 0,
  attr_document      INTEGER NOT NULL DEFAULT 0,
  date_corrigee      INTEGER NOT NULL DEFAULT 0,
  douteuse           INTEGER NOT NULL DEFAULT 0,
  fictive            INTEGER NOT NULL DEFAULT 0,
  homonyme           INTEGER NOT NULL DEFAULT 0,
  statut             TEXT NOT NULL,
  insi_operation     TEXT CHECK (insi_operation IN ('recuperation', 'verification')),
  insi_le            INTEGER,
  identifiant_local  TEXT,
  piece_type         TEXT,
  piece_verifiee_le  TEXT,
  qualifie_par       TEXT,
  qualifie_le        INTEGER,
  traits_json        TEXT NOT NULL DEFAULT '{}',
  cree_le            INTEGER NOT NULL,
  maj_le             INTEGER NOT NULL,
  UNIQUE (finess, matricule, cle, oid)
) STRICT;
INSERT INTO identite_v5 (id, finess, matricule, cle, oid, attr_insi, attr_document,
  date_corrigee, douteuse, fictive, homonyme, statut, insi_operation, insi_le,
  identifiant_local, piece_type, piece_verifiee_le, qualifie_par, qualifie_le, traits_json,
  cree_le, maj_le)
SELECT id, '', matricule, cle, oid, attr_insi, attr_document, date_corrigee, douteuse, fictive,
  homonyme, statut, insi_operation, insi_le, identifiant_local, piece_type, piece_verifiee_le,
  qualifie_par, qualifie_le, traits_json, cree_le, maj_le FROM identite;
DROP TABLE identite;
ALTER TABLE identite_v5 RENAME TO identite;
CREATE INDEX identite_local ON identite(finess, identifiant_local);
CREATE INDEX identite_maj ON identite(finess, maj_le);
ALTER TABLE cache_entry ADD COLUMN finess TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN finess TEXT NOT NULL DEFAULT '';
)sql";

constexpr std::array<const char*, 5> kMigrations{kV1, kV2, kV3, kV4, kV5};

}  // namespace

std::span<const char* const> migrations() { return kMigrations; }

int finess_schema_version() { return 5; }

}  // namespace insgate::state::detail

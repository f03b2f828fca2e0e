// insgate — schema migrations of the PostgreSQL state store.
// Times are BIGINT Unix seconds (UTC), as in the SQLite store; booleans
// BOOLEAN. Identity rows carry their structure's FINESS (issue 12).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/pg_schema.hpp"

#include <array>

namespace insgate::state::detail {
namespace {

// v1 (issue 15): the SQLite v5 tables, plus
//  - outbox.identite_id (the identity an event concerns: delivery order is
//    kept per plugin × structure × identity) and the lease columns
//    (leased_by, lease_until) that let one instance of a fleet deliver an
//    event while the others skip it;
//  - cle_activite: the one HMAC key of the activity counters, shared by
//    every instance so that a distinct operator or person hashes alike.
constexpr const char* kV1 = R"sql(
CREATE TABLE cache_entry (
  cle            TEXT PRIMARY KEY,      -- FINESS ':' hex SHA-256 (api routes)
  finess         TEXT NOT NULL DEFAULT '',
  resultat_json  TEXT NOT NULL,
  ins_matricule  TEXT NOT NULL,
  ins_cle        TEXT NOT NULL,
  ins_oid        TEXT NOT NULL,
  stocke_le      BIGINT NOT NULL,
  expire_le      BIGINT NOT NULL
);
CREATE INDEX cache_entry_expire ON cache_entry(expire_le);
CREATE INDEX cache_entry_ins ON cache_entry(ins_matricule, ins_cle, ins_oid);

CREATE TABLE identite (
  id                 BIGSERIAL PRIMARY KEY,
  finess             TEXT NOT NULL,
  matricule          TEXT NOT NULL,
  cle                TEXT NOT NULL,
  oid                TEXT NOT NULL,
  attr_insi          BOOLEAN NOT NULL DEFAULT false,   -- I
  attr_document      BOOLEAN NOT NULL DEFAULT false,   -- C
  date_corrigee      BOOLEAN NOT NULL DEFAULT false,
  douteuse           BOOLEAN NOT NULL DEFAULT false,
  fictive            BOOLEAN NOT NULL DEFAULT false,
  homonyme           BOOLEAN NOT NULL DEFAULT false,
  statut             TEXT NOT NULL,                    -- derived, kept for queries
  insi_operation     TEXT CHECK (insi_operation IN ('recuperation', 'verification')),
  insi_le            BIGINT,
  identifiant_local  TEXT,
  piece_type         TEXT,
  piece_verifiee_le  TEXT,
  qualifie_par       TEXT,                             -- operator HMAC, hex
  qualifie_le        BIGINT,
  traits_json        TEXT NOT NULL DEFAULT '{}',
  cree_le            BIGINT NOT NULL,
  maj_le             BIGINT NOT NULL,
  UNIQUE (finess, matricule, cle, oid)
);
CREATE INDEX identite_local ON identite(finess, identifiant_local);
CREATE INDEX identite_maj ON identite(finess, maj_le);

CREATE TABLE ins_historique (
  seq          BIGSERIAL,                                -- insertion order
  identite_id  BIGINT NOT NULL REFERENCES identite(id) ON DELETE CASCADE,
  matricule    TEXT NOT NULL,
  cle          TEXT NOT NULL,
  oid          TEXT NOT NULL,
  origine      TEXT NOT NULL CHECK (origine IN ('insi_histo', 'remplacee')),
  date_debut   TEXT,
  date_fin     TEXT,
  remplacee_le BIGINT,
  PRIMARY KEY (identite_id, matricule, cle, oid)
);
CREATE INDEX ins_historique_ins ON ins_historique(matricule, cle, oid);

CREATE TABLE statut_journal (
  id           BIGSERIAL PRIMARY KEY,
  identite_id  BIGINT NOT NULL REFERENCES identite(id) ON DELETE CASCADE,
  de           TEXT NOT NULL,
  vers         TEXT NOT NULL,
  motif        TEXT NOT NULL,
  le           BIGINT NOT NULL
);
CREATE INDEX statut_journal_identite ON statut_journal(identite_id);

CREATE TABLE outbox (
  id                  BIGSERIAL PRIMARY KEY,             -- never reused: delivery order
  plugin              TEXT,                              -- NULL = not routed yet
  finess              TEXT NOT NULL DEFAULT '',
  identite_id         BIGINT NOT NULL DEFAULT 0,         -- ordering key, 0 = none
  type_evenement      TEXT NOT NULL
    CHECK (type_evenement IN ('qualifiee', 'mise_a_jour', 'ins_remplacee', 'declassee')),
  cle_idempotence     TEXT NOT NULL,
  payload_json        TEXT NOT NULL,
  tentatives          INTEGER NOT NULL DEFAULT 0,
  prochaine_tentative BIGINT NOT NULL DEFAULT 0,
  etat                TEXT NOT NULL DEFAULT 'pending'
    CHECK (etat IN ('pending', 'delivered', 'dead')),
  derniere_erreur     TEXT,
  cree_le             BIGINT NOT NULL,
  livre_le            BIGINT,
  leased_by           TEXT,                              -- instance delivering it
  lease_until         BIGINT                             -- Unix ms; expired = free
);
CREATE UNIQUE INDEX outbox_idempotence ON outbox(coalesce(plugin, ''), cle_idempotence);
CREATE INDEX outbox_etat ON outbox(etat, plugin, id);
CREATE INDEX outbox_ordre ON outbox(plugin, finess, identite_id, id) WHERE etat = 'pending';

CREATE TABLE activite (
  finess                 TEXT NOT NULL,
  mois                   TEXT NOT NULL,                  -- AAAA-MM
  requetes_insi          BIGINT NOT NULL DEFAULT 0,
  requetes_verification  BIGINT NOT NULL DEFAULT 0,
  recuperations          BIGINT NOT NULL DEFAULT 0,
  verifications          BIGINT NOT NULL DEFAULT 0,
  cr00                   BIGINT NOT NULL DEFAULT 0,
  cr01                   BIGINT NOT NULL DEFAULT 0,
  cr02                   BIGINT NOT NULL DEFAULT 0,
  erreurs                BIGINT NOT NULL DEFAULT 0,
  cache_hits             BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (finess, mois)
);
CREATE TABLE activite_operateur (
  finess TEXT NOT NULL, mois TEXT NOT NULL, empreinte TEXT NOT NULL,  -- HMAC-SHA256 hex
  PRIMARY KEY (finess, mois, empreinte)
);
CREATE TABLE activite_personne (
  finess TEXT NOT NULL, mois TEXT NOT NULL, empreinte TEXT NOT NULL,
  PRIMARY KEY (finess, mois, empreinte)
);

CREATE TABLE taux_qualification (
  finess       TEXT NOT NULL,
  mois         TEXT NOT NULL,
  qualifiees   BIGINT NOT NULL,
  file_active  BIGINT NOT NULL,
  releve_le    BIGINT NOT NULL,
  PRIMARY KEY (finess, mois)
);

CREATE TABLE cle_activite (
  seule  BOOLEAN PRIMARY KEY DEFAULT true CHECK (seule),  -- at most one row
  cle    TEXT NOT NULL
);
)sql";

constexpr std::array<const char*, 1> kMigrations{kV1};

}  // namespace

std::span<const char* const> pg_migrations() { return kMigrations; }

}  // namespace insgate::state::detail

// insgate — the SQL of the PostgreSQL state store, one named statement per
// operation, prepared once on each pooled connection (internal).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace pqxx {
class connection_base;
}

namespace insgate::state::detail {

/// Registers every statement below on `c` (libpqxx prepares each on the
/// server at its first use on that connection).
void prepare_pg_statements(pqxx::connection_base& c);

/// Columns of an outbox row, in read_pg_outbox_row order.
inline constexpr const char* kPgOutboxColumns =
    "id, plugin, type_evenement, cle_idempotence, payload_json, tentatives, "
    "prochaine_tentative, etat, derniere_erreur, cree_le, livre_le, finess";

}  // namespace insgate::state::detail

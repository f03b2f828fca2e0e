// insgate — schema migrations of the PostgreSQL state store (internal).
// The version lives in the one-row table insgate_schema; migration i
// (0-based) takes version i to i + 1. Never edit a shipped migration:
// append one and raise kPgSchemaVersion (pg_store.hpp). Independent of the
// SQLite numbering: the PostgreSQL schema starts where SQLite v5 stands
// (FINESS partition) plus what a fleet needs (outbox leases, shared key).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <span>

namespace insgate::state::detail {

/// The SQL of each migration, in order; size() == kPgSchemaVersion.
std::span<const char* const> pg_migrations();

}  // namespace insgate::state::detail

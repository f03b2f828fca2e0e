// insgate — schema migrations of the SQLite state store (internal).
// Migration i (0-based) takes user_version i to i + 1. Never edit a shipped
// migration: append a new one and raise kSchemaVersion (sqlite_store.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <span>

namespace insgate::state::detail {

/// The SQL of each migration, in order; size() == kSchemaVersion.
std::span<const char* const> migrations();

/// The version whose migration gave identities, cache entries and outbox
/// events their FINESS (issue 12); rows of older files get
/// SqliteOptions::legacy_finess once it has run.
int finess_schema_version();

}  // namespace insgate::state::detail

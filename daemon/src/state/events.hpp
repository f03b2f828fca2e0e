// insgate — outbox events for the DMP connector plugins.
//
// Payload JSON (one object, what the delivery worker turns into a
// plugins/include/insgate/plugin.h insgate_event):
//   {"type": "qualifiee"|"mise_a_jour"|"ins_remplacee"|"declassee",
//    "cle_idempotence": "<uuid>", "horodatage": "2024-01-15T10:30:00Z",
//    "ins": {"matricule", "cle", "oid"},
//    "ins_precedent": {...} (ins_remplacee only),
//    "traits": {"nom_naissance", "liste_prenoms", "premier_prenom", "sexe",
//               "date_naissance", "lieu_naissance"} (INSi's TIQ, verbatim),
//    "statut": RNIV status after the event, "identifiant_local": string|null,
//    "insi_le": last INSi match (ISO 8601 UTC) | null,
//    "piece_identite": {"type": "CNI"|..., "verifiee_le": "AAAA-MM-JJ"} | null}
//   (insi_le and piece_identite: plugin ABI minor 1; older rows lack them)
// Source rule: issue 5 "Durable outbox"; ins-identity-rules.md §0 rule 4
// (only qualifiée identities leave the gateway), §3 downgrades.
// Pure except for the random idempotency key; thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "state/state_store.hpp"

namespace insgate::state {

/// ISO 8601 UTC with seconds, e.g. "2024-01-15T10:30:00Z".
std::string iso_utc(TimePoint t);

/// @brief Queues one event for `identity` (its state after the change) into
/// `out`: one row per name in `plugins` sharing one idempotency key, or a
/// single row with a NULL plugin when `plugins` is empty.
/// @return the idempotency key.
std::string enqueue_event(OutboxWriter& out, const std::vector<std::string>& plugins,
                          EventKind kind, const IdentityRecord& identity,
                          const std::optional<identity::Ins>& previous, TimePoint when);

}  // namespace insgate::state

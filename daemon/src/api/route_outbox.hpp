// insgate — the outbox administration routes behind `insgatectl outbox`
// (issue #5): GET /v1/outbox?etat=pending|dead|delivered[&limite=N],
// POST /v1/outbox/retry {"id"} (a dead event goes back to pending),
// POST /v1/outbox/purge {"jours"} (delivered events older than that).
// Listings never include the event payload (it holds identity data).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string_view>

#include "api/problem.hpp"
#include "api/route_table.hpp"
#include "state/records.hpp"

namespace insgate::api {

/// One event of a listing: id, plugin (null: waiting for a plugin), type,
/// cle_idempotence, tentatives, etat, derniere_erreur, cree_le,
/// prochain_essai (the date of the next attempt after a "retry later";
/// null when none is scheduled: due now, delivered or dead), livre_le.
nlohmann::json outbox_row_json(const state::OutboxRow& r);

/// GET /v1/outbox?etat=pending|dead|delivered[&limite=1..1000, default 100].
asio::awaitable<ApiResponse> route_outbox_liste(RouteContext& ctx, const RouteCall& call);
/// POST /v1/outbox/retry {"id"}: 404 ressource_inconnue when no dead event has it.
asio::awaitable<ApiResponse> route_outbox_retry(RouteContext& ctx, const RouteCall& call);
/// POST /v1/outbox/purge {"jours": 0..3650}: {"supprimes": N}.
asio::awaitable<ApiResponse> route_outbox_purge(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

// insgate — the outbox administration routes behind `insgatectl outbox`
// (issue #5): GET /v1/outbox?etat=pending|dead|delivered[&limite=N],
// POST /v1/outbox/retry {"id"} (a dead event goes back to pending),
// POST /v1/outbox/purge {"jours"} (delivered events older than that).
// Listings never include the event payload (it holds identity data).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string_view>

#include "api/problem.hpp"
#include "api/router.hpp"
#include "api/state_gateway.hpp"

namespace insgate::api {

/// One event of a listing: id, plugin (null: waiting for a plugin), type,
/// cle_idempotence, tentatives, etat, derniere_erreur, cree_le,
/// prochain_essai (the date of the next attempt after a "retry later";
/// null when none is scheduled: due now, delivered or dead), livre_le.
nlohmann::json outbox_row_json(const state::OutboxRow& r);

/// Handles any /v1/outbox path; 404/405 problems for the others.
asio::awaitable<ApiResponse> outbox_route(StateGateway& state, const Request& req,
                                          std::string_view path, std::string_view query);

}  // namespace insgate::api

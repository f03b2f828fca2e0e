// insgate — POST /v1/ins/recherche: récupération of the INS by traits.
// Decode: recherche_input.hpp (decode_recherche); act: the cache, else
// INSi's first-name strategy (insi/recherche.hpp), recorded in the state;
// encode: recherche_answer.hpp.
// Source rule: local-api.md POST /v1/ins/recherche; insi-protocol.md §8.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/route_table.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> route_recherche(RouteContext& ctx, const RouteCall& call);

}  // namespace insgate::api

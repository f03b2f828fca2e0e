// insgate — checks every route with a JSON body runs before decoding it.
// Source rule: local-api.md (Transport, Errors; "Caller identity" for finess).
// Pure functions; messages never echo caller values.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "api/problem.hpp"
#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::api {

using Request = http::request<http::string_body>;

/// 415 requete_invalide for a Content-Type other than application/json (an
/// absent one is accepted), 400 for a NUL byte in the body (JSON parsers
/// may stop there and ignore what follows); nullopt when the body may be
/// decoded.
std::optional<ApiResponse> check_json_body(const Request& req);

/// (The request's `finess` is resolved by StructureRegistry::resolve,
/// api/structures.hpp.)

}  // namespace insgate::api

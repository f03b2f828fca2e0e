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

/// `finess` names the structure the call is made for; this daemon serves
/// the one of its configuration, so another one is 400 requete_invalide (it
/// would be counted under the wrong structure in the monthly report).
std::optional<ApiResponse> foreign_finess(const std::optional<std::string>& finess,
                                          const config::Config& cfg);

}  // namespace insgate::api

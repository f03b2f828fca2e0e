// insgate — the query string of a local API request (RFC 3986 §3.4):
// `name=value` pairs separated by `&`, values percent-decoded. Used by the
// GET routes of local-api.md (`/v1/stats/mensuel?mois=…&format=…`,
// `/v1/outbox?etat=…&limite=…`).
// Written by hand: Boost.URL is not in Debian 12's Boost (1.74).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace insgate::api {

/// The value of the first `name=` pair of `query` (without the leading
/// '?'), percent-decoded; "" when `name` is absent; nullopt when its value
/// has a malformed escape (`%` not followed by two hex digits) or decodes
/// to a NUL byte (the caller answers 400).
std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace insgate::api

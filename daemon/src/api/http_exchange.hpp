// insgate — the stream-independent parts of one HTTP exchange on the local
// API: request id, what the log may show, the fixed answers of the transport
// (refusals, read failures, stop), and ApiResponse -> Beast response.
//
// Source rule: local-api.md (Transport, Errors): X-Request-Id on every
// response, problem+json errors, bodies of at most 64 KiB. Pure functions,
// shared by every listener (http_session.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "api/problem.hpp"
#include "api/route_table.hpp"
#include "net/net.hpp"

namespace insgate::api {

using Response = http::response<http::string_body>;

/// The caller's X-Request-Id when it is a short printable token, else a new UUID.
std::string request_id_of(const Request& req);

/// What the log may show of a request: paths of the route table and known
/// methods only (a caller could put identity data in a path or a method name).
std::string loggable(const Request& req);

/// The wire form of `r`, with Server, X-Request-Id and Content-Length.
Response to_http(const ApiResponse& r, unsigned version, bool keep_alive,
                 const std::string& requete_id);

/// 403 appelant_non_autorise (api.utilisateurs_autorises / groupes_autorises).
ApiResponse not_allowed();
/// 503 service_sature with Retry-After (api.connexions_max reached).
ApiResponse saturated();
/// 503 arret_en_cours with Retry-After: a request still waiting at the end
/// of the stop drain.
ApiResponse stopping_now();

/// The answer to a request that could not be read: 413, 431, 408 or 400
/// (bounds: request_reader.hpp).
ApiResponse read_failure(const boost::system::error_code& ec);

/// Errors worth an HTTP answer before closing (a parse error or a timeout
/// once a header has started); EOF and resets just end the connection.
bool answerable(const boost::system::error_code& ec);

/// Transfer codings other than plain "chunked" are not supported.
bool unsupported_transfer_coding(const Request& req);

}  // namespace insgate::api

// insgate — the local API's routes, each declared once (issue 16): method,
// path, handler and the value of the metrics' "route" label.
//
// The router dispatches from this table: an unknown path is 404
// ressource_inconnue, a known path with another method 405
// methode_non_autorisee with Allow. The request log (http_exchange.hpp) and
// the metrics (MetricsOptions::routes) name routes from it, and a unit test
// checks it against proto/openapi.yaml. Adding a route: one row in
// route_table.cpp and one api/route_<resource>.{hpp,cpp} holding its
// decode -> act -> encode.
// Source rule: local-api.md (Endpoints).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "api/caller.hpp"
#include "api/problem.hpp"
#include "net/net.hpp"

namespace insgate::api {

using Request = http::request<http::string_body>;
class RouteContext;

/// One request as its handler sees it.
struct RouteCall {
  const Request& req;
  const std::string& requete_id;
  std::string_view query;  ///< the target after '?', "" when none
  const Caller& caller;    ///< who sent it (structure authorisation)
};

/// decode -> act -> encode of one route. Bad input is a problem answer,
/// never an exception; an exception is an internal failure (500).
/// [io-thread]
using RouteHandler = asio::awaitable<ApiResponse> (*)(RouteContext& ctx, const RouteCall& call);

struct Route {
  http::verb method;
  std::string_view path;           ///< exact, without query string
  RouteHandler handler;
  std::string_view metrics_label;  ///< value of the "route" label (the path)
};

/// The local API: every route, in the order of proto/openapi.yaml.
std::span<const Route> routes();

/// What a request matches in a table.
struct RouteMatch {
  const Route* route = nullptr;  ///< the route to run; nullptr: 404 or 405
  /// When no route: the methods the path allows ("GET", "GET, POST"), ""
  /// for a path the table does not know.
  std::string allow;
};

/// The route for `method` on `path` (exact match, no query string).
RouteMatch match(std::span<const Route> table, http::verb method, std::string_view path);

/// The "route" label of a request target (query ignored): the label of
/// its path in `table`, whatever the method, or "autre" (metrics::kAutre).
std::string_view route_label(std::string_view target, std::span<const Route> table = routes());

/// Every label of `table` once, in table order (MetricsOptions::routes).
std::vector<std::string> route_labels(std::span<const Route> table = routes());

/// 404 ressource_inconnue.
ApiResponse unknown_route();
/// 405 methode_non_autorisee with `Allow: allow`.
ApiResponse method_not_allowed(const std::string& allow);

}  // namespace insgate::api

// insgate — routing of the local API: request in, response out.
//
// A thin router: it dispatches from the route table (api/route_table.hpp;
// 404 for an unknown path, 405 with Allow for another method), runs the
// route's handler with the shared RouteContext, and turns any exception into
// a 500 problem answer. Source rule: local-api.md (Endpoints). Testable
// without a socket: the server only moves bytes. [io-thread] handle() runs
// on the io_context.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <span>
#include <string>

#include "api/problem.hpp"
#include "api/route_context.hpp"
#include "api/route_table.hpp"
#include "net/net.hpp"

namespace insgate::api {

class StateGateway;

class Router {
 public:
  /// `table`: the routes served (the local API's by default; tests give theirs).
  Router(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
         StateGateway& state, metrics::Metrics& metrics, std::span<const Route> table = routes());

  /// [io-thread] Later requests use `next`; those in flight finish with theirs.
  void reconfigure(std::shared_ptr<const InsiSetup> next);

  /// Updates the gauges read from the state store (api/state_gauges.hpp),
  /// taking the running month's snapshot of the qualified-identity rate
  /// (called periodically by the controller).
  asio::awaitable<void> refresh_identity_gauges();

  /// Never throws: any failure becomes a problem+json response.
  /// `caller`: as the listener identified the connection (Caller::Kind::internal
  /// for tests and in-process callers: admitted for every structure).
  asio::awaitable<ApiResponse> handle(const Request& req, const std::string& requete_id,
                                      const Caller& caller = Caller{});

 private:
  RouteContext ctx_;
  std::span<const Route> table_;
};

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_health.hpp"

#include <ctime>

#include "api/route_context.hpp"

namespace insgate::api {
namespace {

std::string iso_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

asio::awaitable<ApiResponse> route_health(RouteContext& ctx, const RouteCall&) {
  const auto setup = ctx.setup();
  const config::Config& cfg = *setup->cfg;
  const insi::ClientCertificateInfo& cert = setup->certificate;
  auto& breaker = ctx.breaker();
  auto circuit = breaker.state(Clock::now());
  std::string etat = circuit != insi::CircuitBreaker::State::closed ? "circuit_ouvert"
                     : ctx.insi_reachable()                          ? "ok"
                                                                      : "indisponible";
  nlohmann::json j = {
      {"statut", etat == "ok" ? "ok" : "degrade"},
      {"insi", {{"etat", etat},
                {"circuit", insi::CircuitBreaker::name(circuit)},
                {"echecs_consecutifs", breaker.consecutive_failures()},
                {"environnement", cfg.insi.environment},
                {"endpoint", cfg.insi.endpoint.url}}},
      {"certificat", {{"expire_le", iso_date(cert.not_after)},
                      {"jours_restants", cert.days_left}}},
      {"version", INSGATE_VERSION}};
  co_return json_response(200, j);
}

}  // namespace insgate::api

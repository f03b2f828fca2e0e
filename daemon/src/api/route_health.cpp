// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_health.hpp"

#include <algorithm>
#include <ctime>

#include "api/route_context.hpp"
#include "api/state_gateway.hpp"

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

nlohmann::json refusal_json(const InsiRefusal& r) {
  return {{"famille", std::string(metrics::to_label(r.famille))},
          {"code", r.code},
          {"depuis", iso_date(r.depuis)},
          {"message", refusal_message(r)}};
}

}  // namespace

nlohmann::json health_json(const config::Config& cfg, const insi::ClientCertificateInfo& cert,
                           insi::CircuitBreaker::State circuit, int consecutive_failures,
                           const InsiHealth& insi) {
  const std::string etat = circuit != insi::CircuitBreaker::State::closed ? "circuit_ouvert"
                           : insi.reachable()                               ? "ok"
                                                                            : "indisponible";
  nlohmann::json refus = nullptr;
  nlohmann::json raison = nullptr;
  if (const auto r = insi.refusal()) {
    refus = refusal_json(*r);
    raison = refusal_message(*r);
  } else if (etat == "circuit_ouvert") {
    raison = "Circuit INSi ouvert après des échecs de transport répétés : les appels sont "
             "refusés sans être envoyés jusqu'au prochain essai.";
  } else if (etat == "indisponible") {
    raison = "INSi était injoignable au dernier appel (réseau, délai ou service indisponible).";
  }
  return {{"statut", raison.is_null() ? "ok" : "degrade"},
          {"raison", raison},
          {"insi", {{"etat", etat},
                    {"circuit", insi::CircuitBreaker::name(circuit)},
                    {"echecs_consecutifs", consecutive_failures},
                    {"refus", refus},
                    {"environnement", cfg.insi.environment},
                    {"endpoint", cfg.insi.endpoint.url}}},
          {"certificat", {{"expire_le", iso_date(cert.not_after)},
                          {"jours_restants", cert.days_left}}},
          {"version", INSGATE_VERSION}};
}

nlohmann::json structures_json(const StructureRegistry& structures, const InsiHealth& insi) {
  nlohmann::json list = nlohmann::json::array();
  const auto now = Clock::now();
  for (const auto& s : structures.all()) {
    const auto refusal = insi.refusal_of(s->cfg.finess);
    const auto circuit = s->certificate_breaker ? s->certificate_breaker->state(now)
                                                : insi::CircuitBreaker::State::closed;
    list.push_back({{"finess", s->cfg.finess},
                    {"nom", s->cfg.name},
                    {"certificat", {{"expire_le", iso_date(s->certificate.not_after)},
                                    {"jours_restants", s->certificate.days_left}}},
                    {"circuit", insi::CircuitBreaker::name(circuit)},
                    {"refus", refusal ? refusal_json(*refusal) : nlohmann::json(nullptr)}});
  }
  return list;
}

asio::awaitable<ApiResponse> route_health(RouteContext& ctx, const RouteCall&) {
  const auto setup = ctx.setup();
  auto& breaker = ctx.breaker();
  // `certificat`: the certificate that expires first; each one under `structures`.
  const auto& all = setup->structures.all();
  auto first = std::min_element(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a->certificate.not_after < b->certificate.not_after;
  });
  auto j = health_json(*setup->cfg, first == all.end() ? insi::ClientCertificateInfo{} : (*first)->certificate,
                       breaker.state(Clock::now()), breaker.consecutive_failures(),
                       ctx.insi_health());
  j["structures"] = structures_json(setup->structures, ctx.insi_health());
  // The state store (issue 15): PostgreSQL unreachable degrades the daemon
  // (qualifications answer 503 etat_indisponible; recherches still answer).
  const auto store = co_await ctx.state().store_health();
  j["etat"] = {{"stockage", store.backend}, {"disponible", store.available}};
  if (!store.available) {
    j["statut"] = "degrade";
    if (j["raison"].is_null())
      j["raison"] = "La base d'état (PostgreSQL) est injoignable : les qualifications sont "
                    "refusées (503 etat_indisponible) ; les recherches sont servies par INSi.";
  }
  co_return json_response(200, j);
}

}  // namespace insgate::api

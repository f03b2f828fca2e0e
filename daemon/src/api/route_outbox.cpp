// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_outbox.hpp"

#include <charconv>
#include <limits>
#include <variant>

#include "api/query_string.hpp"
#include "api/recherche_input.hpp"
#include "api/route_context.hpp"
#include "api/state_gateway.hpp"
#include "state/events.hpp"

namespace insgate::api {

using nlohmann::json;

json outbox_row_json(const state::OutboxRow& r) {
  // A pending event waits for a retry date only after a "retry later"; a
  // delivered or dead one has no next attempt at all.
  const bool scheduled =
      r.state == state::OutboxState::pending && r.next_attempt_at != state::TimePoint{};
  json j = {{"id", r.id},
            {"plugin", r.plugin ? json(*r.plugin) : json(nullptr)},
            {"type", std::string(state::to_name(r.kind))},
            {"cle_idempotence", r.idempotency_key},
            {"tentatives", r.attempts},
            {"etat", std::string(state::to_name(r.state))},
            {"derniere_erreur", r.last_error ? json(*r.last_error) : json(nullptr)},
            {"cree_le", state::iso_utc(r.created_at)},
            {"prochain_essai", scheduled ? json(state::iso_utc(r.next_attempt_at)) : json(nullptr)}};
  if (r.delivered_at) j["livre_le"] = state::iso_utc(*r.delivered_at);
  return j;
}

namespace {

/// The one integer member `key` of a body (the API's rule: wrong type or
/// unknown member 400, missing 422, out of [min, max] 422).
std::variant<long, ApiResponse> integer_body(const std::string& body, const char* key, long min,
                                             long max) {
  auto parsed = parse_object(body);
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return bad_request(*bad);
  Findings f;
  BodyReader r(std::get<json>(parsed), "", f);
  r.only({key});
  const json* v = r.get(key, JsonType::integer, true);
  if (v && (v->get<long>() < min || v->get<long>() > max))
    r.fail(key, identity::rule::format_invalide);
  if (auto bad = f.bad_request()) return bad_request(*bad);
  if (auto inv = f.invalid()) return invalid_traits(inv->errors);
  return v->get<long>();
}

}  // namespace

asio::awaitable<ApiResponse> route_outbox_liste(RouteContext& ctx, const RouteCall& call) {
  std::string etat = query_param(call.query, "etat").value_or("?");
  auto s = state::parse_outbox_state(etat.empty() ? "pending" : etat);
  if (!s)
    co_return problem(400, "requete_invalide", "Requête invalide",
                      "Le paramètre etat vaut pending, dead ou delivered.");
  std::size_t limit = 100;
  std::string l = query_param(call.query, "limite").value_or("?");
  if (!l.empty()) {
    auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
    if (ec != std::errc() || p != l.data() + l.size() || limit == 0 || limit > 1000)
      co_return problem(400, "requete_invalide", "Requête invalide",
                        "Le paramètre limite est un entier de 1 à 1000.");
  }
  json rows = json::array();
  for (const auto& r : co_await ctx.state().outbox_list(*s, limit)) rows.push_back(outbox_row_json(r));
  co_return json_response(200, {{"etat", etat.empty() ? "pending" : etat}, {"evenements", rows}});
}

asio::awaitable<ApiResponse> route_outbox_retry(RouteContext& ctx, const RouteCall& call) {
  auto decoded = integer_body(call.req.body(), "id", 1, std::numeric_limits<long>::max());
  if (auto* refused = std::get_if<ApiResponse>(&decoded)) co_return *refused;
  const long id = std::get<long>(decoded);
  if (!co_await ctx.state().outbox_retry(id))
    co_return problem(404, "ressource_inconnue", "Événement introuvable",
                      "Aucun événement en lettre morte avec cet id.");
  co_return json_response(200, {{"id", id}, {"etat", "pending"}});
}

asio::awaitable<ApiResponse> route_outbox_purge(RouteContext& ctx, const RouteCall& call) {
  auto decoded = integer_body(call.req.body(), "jours", 0, 3650);
  if (auto* refused = std::get_if<ApiResponse>(&decoded)) co_return *refused;
  auto n = co_await ctx.state().outbox_purge(std::chrono::hours(24 * std::get<long>(decoded)));
  co_return json_response(200, {{"supprimes", n}});
}

}  // namespace insgate::api

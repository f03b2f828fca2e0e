// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/outbox_routes.hpp"

#include <charconv>

#include "api/query_string.hpp"
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

std::optional<long> number_member(const std::string& body, const char* key) {
  auto j = json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<long>();
}

}  // namespace

asio::awaitable<ApiResponse> outbox_route(StateGateway& state, const Request& req,
                                          std::string_view path, std::string_view query) {
  if (path == "/v1/outbox") {
    if (req.method() != http::verb::get)
      co_return problem(405, "methode_non_autorisee", "Méthode non autorisée", "GET attendu.");
    std::string etat = query_param(query, "etat").value_or("?");
    auto s = state::parse_outbox_state(etat.empty() ? "pending" : etat);
    if (!s)
      co_return problem(400, "requete_invalide", "Requête invalide",
                        "etat vaut pending, dead ou delivered.");
    std::size_t limit = 100;
    std::string l = query_param(query, "limite").value_or("?");
    if (!l.empty()) {
      auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), limit);
      if (ec != std::errc() || p != l.data() + l.size() || limit == 0 || limit > 1000)
        co_return problem(400, "requete_invalide", "Requête invalide", "limite : 1 à 1000.");
    }
    json rows = json::array();
    for (const auto& r : co_await state.outbox_list(*s, limit)) rows.push_back(outbox_row_json(r));
    co_return json_response(200, {{"etat", etat.empty() ? "pending" : etat}, {"evenements", rows}});
  }
  if (path == "/v1/outbox/retry" || path == "/v1/outbox/purge") {
    if (req.method() != http::verb::post)
      co_return problem(405, "methode_non_autorisee", "Méthode non autorisée", "POST attendu.");
    if (path == "/v1/outbox/retry") {
      auto id = number_member(req.body(), "id");
      if (!id) co_return problem(400, "requete_invalide", "Requête invalide", "id (entier) attendu.");
      if (!co_await state.outbox_retry(*id))
        co_return problem(404, "ressource_inconnue", "Événement introuvable",
                          "Aucun événement en lettre morte avec cet id.");
      co_return json_response(200, {{"id", *id}, {"etat", "pending"}});
    }
    auto days = number_member(req.body(), "jours");
    if (!days || *days < 0 || *days > 3650)
      co_return problem(400, "requete_invalide", "Requête invalide", "jours (0 à 3650) attendu.");
    auto n = co_await state.outbox_purge(std::chrono::hours(24 * *days));
    co_return json_response(200, {{"supprimes", n}});
  }
  co_return problem(404, "ressource_inconnue", "Ressource inconnue",
                    "Chemin inconnu de l'API locale v1.");
}

}  // namespace insgate::api

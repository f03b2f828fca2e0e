// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include "api/recherche_answer.hpp"
#include "api/recherche_input.hpp"

namespace insgate::api {
namespace {

bool is_json(const Request& req) {
  auto it = req.find(http::field::content_type);
  if (it == req.end()) return true;  // lenient with old clients that send none
  std::string_view v = sv(it->value());
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return beast::iequals(beast::string_view(v.data(), v.size()), "application/json");
}

/// INSi fault fields as they may appear in a log line: at most 40
/// characters of [A-Za-z0-9_-], anything else replaced (INSi's text is not
/// ours to trust).
std::string loggable_code(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 40))
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '?');
  return out;
}

ApiResponse method_not_allowed(const char* allow) {
  auto r = problem(405, "methode_non_autorisee", "Méthode non autorisée",
                   std::string("Méthode autorisée : ") + allow + ".");
  r.headers.emplace_back("Allow", allow);
  return r;
}

std::string iso_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Router::Router(insi::InsiTransport& transport, insi::CircuitBreaker& breaker,
               const config::Config& cfg, insi::ClientCertificateInfo certificate)
    : transport_(transport), breaker_(breaker), cfg_(cfg), certificate_(std::move(certificate)) {}

asio::awaitable<ApiResponse> Router::handle(const Request& req, const std::string& requete_id) {
  try {
    std::string_view target = sv(req.target());
    auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    if (path == "/v1/health") {
      if (req.method() != http::verb::get) co_return method_not_allowed("GET");
      co_return health();
    }
    if (path == "/v1/ins/recherche") {
      if (req.method() != http::verb::post) co_return method_not_allowed("POST");
      co_return co_await recherche(req, requete_id);
    }
    co_return problem(404, "ressource_inconnue", "Ressource inconnue",
                      "Chemin inconnu de l'API locale v1.");
  } catch (const std::exception& e) {
    spdlog::error("[API_INTERNAL] request {} failed: {}", requete_id, e.what());
    co_return problem(500, "erreur_interne", "Erreur interne",
                      "Erreur interne du démon; voir le journal avec requete_id.",
                      {{"requete_id", requete_id}});
  }
}

asio::awaitable<ApiResponse> Router::recherche(const Request& req, const std::string& requete_id) {
  if (!is_json(req))
    co_return problem(415, "requete_invalide", "Type de contenu non pris en charge",
                      "Content-Type attendu : application/json.");
  if (req.body().find('\0') != std::string::npos)
    co_return problem(400, "requete_invalide", "Requête invalide",
                      "Le corps contient un octet nul.");
  Decoded decoded = decode_recherche(req.body());
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<RechercheInput>(decoded);

  insi::RechercheLimits limits{Clock::now() + cfg_.insi.deadlines.request,
                               cfg_.insi.deadlines.call};
  insi::FaultPolicy policy{cfg_.insi.resilience.max_retries, cfg_.insi.resilience.backoff,
                           &breaker_};
  auto outcome = co_await insi::rechercher_par_traits(transport_, cfg_.call_context, input.traits,
                                                      limits, policy);
  using K = insi::RechercheOutcome::Kind;
  insi_reachable_ = outcome.kind != K::transport && outcome.kind != K::timeout &&
                    outcome.kind != K::circuit_open &&
                    !(outcome.kind == K::fault && insi::is_retryable(outcome.fault));
  using Kind = insi::RechercheOutcome::Kind;
  switch (outcome.kind) {
    case Kind::resultat:
      spdlog::info("[INSI_RECHERCHE] request {}: CR {} after {} call(s)", requete_id,
                   outcome.resultat.code_cr, outcome.appels);
      break;
    case Kind::fault:
      spdlog::warn("[INSI_FAULT] request {}: fault {} / {} ({}) after {} call(s)", requete_id,
                   loggable_code(outcome.fault.subcode), loggable_code(outcome.fault.erreur_code),
                   loggable_code(outcome.fault.erreur_severite), outcome.appels);
      break;
    default:
      spdlog::warn("[INSI_FAILURE] request {}: {}", requete_id, outcome.error);
  }
  co_return recherche_answer(outcome, input.traits, requete_id);
}

ApiResponse Router::health() const {
  auto now = Clock::now();
  auto circuit = breaker_.state(now);
  std::string etat = circuit != insi::CircuitBreaker::State::closed ? "circuit_ouvert"
                     : insi_reachable_                               ? "ok"
                                                                      : "indisponible";
  nlohmann::json j = {
      {"statut", etat == "ok" ? "ok" : "degrade"},
      {"insi", {{"etat", etat},
                {"circuit", insi::CircuitBreaker::name(circuit)},
                {"echecs_consecutifs", breaker_.consecutive_failures()},
                {"environnement", cfg_.insi.environment},
                {"endpoint", cfg_.insi.endpoint.url}}},
      {"certificat", {{"expire_le", iso_date(certificate_.not_after)},
                      {"jours_restants", certificate_.days_left}}},
      {"version", INSGATE_VERSION}};
  return json_response(200, j);
}

}  // namespace insgate::api

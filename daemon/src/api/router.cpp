// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include "api/recherche_answer.hpp"
#include "api/recherche_input.hpp"
#include "api/outbox_routes.hpp"
#include "metrics/insi_outcome.hpp"
#include "stats/monthly_report.hpp"
#include "api/qualification_api.hpp"
#include "api/query_string.hpp"
#include "api/state_gateway.hpp"
#include "api/verification_api.hpp"
#include "api/vitale_api.hpp"
#include "insi/recherche_vitale.hpp"

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

/// 415 for a non-JSON content type, 400 for a NUL byte (JSON parsers may
/// stop there and ignore what follows).
std::optional<ApiResponse> check_json_body(const Request& req) {
  if (!is_json(req))
    return problem(415, "requete_invalide", "Type de contenu non pris en charge",
                   "Content-Type attendu : application/json.");
  if (req.body().find('\0') != std::string::npos)
    return problem(400, "requete_invalide", "Requête invalide", "Le corps contient un octet nul.");
  return std::nullopt;
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

/// local-api.md "Caller identity": `finess` names the structure the call is
/// made for; this daemon serves one, so another one is refused (it would
/// be counted under the wrong structure in the monthly report).
std::optional<ApiResponse> foreign_finess(const std::optional<std::string>& finess,
                                          const config::Config& cfg) {
  if (!finess || *finess == cfg.structure.finess) return std::nullopt;
  return problem(400, "requete_invalide", "FINESS inconnu",
                 "finess ne correspond pas à la structure servie par ce démon "
                 "(structure.finess de sa configuration).");
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

namespace {

identity::OidPolicy oid_policy_of(const config::Config& cfg) {
  return identity::OidPolicy::for_environment(
      identity::parse_environment(cfg.insi.environment).value_or(identity::Environment::production));
}

}  // namespace

Router::Router(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
               StateGateway& state, metrics::Metrics& metrics)
    : setup_(std::move(setup)),
      breaker_(breaker),
      state_(state),
      metrics_(metrics),
      oid_policy_(oid_policy_of(*setup_->cfg)),
      verificateur_(std::make_unique<insi::VerificationParComparaison>()) {}

void Router::reconfigure(std::shared_ptr<const InsiSetup> next) {
  setup_ = std::move(next);
  oid_policy_ = oid_policy_of(*setup_->cfg);
}

insi::RechercheLimits Router::limits(const config::Config& cfg) {
  return {Clock::now() + cfg.insi.deadlines.request, cfg.insi.deadlines.call};
}

insi::FaultPolicy Router::policy(const config::Config& cfg) {
  return {cfg.insi.resilience.max_retries, cfg.insi.resilience.backoff, &breaker_};
}

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
    if (path == "/v1/ins/recherche-vitale") {
      if (req.method() != http::verb::post) co_return method_not_allowed("POST");
      co_return co_await recherche_vitale(req, requete_id);
    }
    if (path == "/v1/ins/qualification") {
      if (req.method() != http::verb::post) co_return method_not_allowed("POST");
      co_return co_await qualification(req, requete_id);
    }
    if (path == "/v1/stats/mensuel") {
      if (req.method() != http::verb::get) co_return method_not_allowed("GET");
      co_return co_await stats_mensuel(req, q == std::string_view::npos ? std::string_view()
                                                                         : target.substr(q + 1));
    }
    if (path.rfind("/v1/outbox", 0) == 0)
      co_return co_await outbox_route(state_, req, path,
                                      q == std::string_view::npos ? std::string_view()
                                                                  : target.substr(q + 1));
    if (path == "/v1/ins/verification") {
      if (req.method() != http::verb::post) co_return method_not_allowed("POST");
      co_return co_await verification(req, requete_id);
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

asio::awaitable<void> Router::refresh_identity_gauges() {
  const auto setup = setup_;
  const config::Config& cfg = *setup->cfg;
  auto counts = co_await state_.identity_counts(std::chrono::hours(24 * cfg.structure.file_active_jours));
  std::int64_t total = 0;
  for (auto s : {identity::RnivStatus::provisoire, identity::RnivStatus::recuperee,
                 identity::RnivStatus::validee, identity::RnivStatus::qualifiee}) {
    std::string name(identity::to_api_name(s));
    std::int64_t n = counts.count(name) ? counts.at(name) : 0;
    metrics_.set_identities(s, n);
    total += n;
  }
  std::int64_t q = counts.count("qualifiee") ? counts.at("qualifiee") : 0;
  metrics_.set_qualified_identity_rate(
      cfg.structure.finess,
      total > 0 ? std::optional<double>(static_cast<double>(q) / static_cast<double>(total))
                : std::nullopt);
  // Unique users of the current month (Ségur), from the persisted counters.
  auto month = co_await state_.activity_month(state::ActivityCounter::month_of(state::Clock::now()));
  for (const auto& m : month)
    if (m.finess == cfg.structure.finess)
      metrics_.set_insi_unique_users(m.finess, m.operateurs_distincts);
  // Outbox backlog per plugin, and the age of its oldest pending event.
  auto pending = co_await state_.outbox_list(state::OutboxState::pending, 1000);
  std::map<std::string, std::pair<std::int64_t, double>> backlog;
  for (const auto& p : cfg.plugins) backlog[p.name] = {0, 0.0};
  for (const auto& row : pending) {
    if (!row.plugin) continue;
    auto& [n, oldest] = backlog[*row.plugin];
    ++n;
    oldest = std::max(oldest, std::chrono::duration<double>(state::Clock::now() - row.created_at).count());
  }
  for (const auto& [plugin, b] : backlog) metrics_.set_outbox_pending(plugin, b.first, b.second);
}

asio::awaitable<std::optional<insi::RechercheOutcome>> Router::from_cache(RequestRecord& record,
                                                                         bool bypass,
                                                                         const std::string& requete_id) {
  if (bypass) {
    state_.note_bypass();
    metrics_.cache_lookup(metrics::CacheResult::bypass);
    co_return std::nullopt;
  }
  auto hit = co_await state_.lookup(record.cache_key);
  if (!hit.hit) {
    metrics_.cache_lookup(metrics::CacheResult::miss);
    co_return std::nullopt;
  }
  metrics_.cache_lookup(metrics::CacheResult::hit);
  insi::RechercheOutcome cached;
  cached.kind = insi::RechercheOutcome::Kind::resultat;
  cached.resultat = std::move(*hit.resultat);
  record.from_cache = true;
  state_.record(record);
  spdlog::debug("[CACHE_HIT] request {}: answered from the cache", requete_id);
  co_return cached;
}

asio::awaitable<ApiResponse> Router::recherche(const Request& req, const std::string& requete_id) {
  const auto setup = setup_;  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(req)) co_return *refused;
  Decoded decoded = decode_recherche(req.body());
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<RechercheInput>(decoded);
  if (auto refused = foreign_finess(input.finess, *setup_->cfg)) co_return *refused;

  RequestRecord record;
  record.operateur = input.operateur;
  record.cache_key = state::ResultCache::key_for(input.traits);
  if (auto cached = co_await from_cache(record, input.cache_bypass, requete_id))
    co_return recherche_answer(*cached, input.traits, requete_id, oid_policy_, "cache");
  auto started = Clock::now();
  auto outcome = co_await insi::rechercher_par_traits(*setup->transport, cfg.call_context,
                                                      input.traits, limits(cfg), policy(cfg));
  note_insi_outcome(outcome, "INSI_RECHERCHE", requete_id, metrics::Operation::recuperation_traits,
                    started);
  record.outcome = &outcome;
  record.anomalies = has_anomalies(outcome, oid_policy_);
  state_.record(record);
  co_return recherche_answer(outcome, input.traits, requete_id, oid_policy_);
}

void Router::note_insi_outcome(const insi::RechercheOutcome& outcome, const char* what,
                               const std::string& requete_id, metrics::Operation op,
                               Clock::time_point started) {
  using K = insi::RechercheOutcome::Kind;
  metrics::record_insi_request(metrics_, op, setup_->cfg->structure.finess, outcome);
  metrics_.set_insi_circuit_open(breaker_.state(Clock::now()) !=
                                 insi::CircuitBreaker::State::closed);
  insi_reachable_ = outcome.kind != K::transport && outcome.kind != K::timeout &&
                    outcome.kind != K::circuit_open &&
                    !(outcome.kind == K::fault && insi::is_retryable(outcome.fault));
  switch (outcome.kind) {
    case K::resultat:
      spdlog::info("[{}] request {}: CR {} after {} call(s)", what, requete_id,
                   loggable_code(outcome.resultat.code_cr), outcome.appels);
      break;
    case K::fault:
      spdlog::warn("[INSI_FAULT] request {}: fault {} / {} ({}) after {} call(s)", requete_id,
                   loggable_code(outcome.fault.subcode), loggable_code(outcome.fault.erreur_code),
                   loggable_code(outcome.fault.erreur_severite), outcome.appels);
      break;
    case K::circuit_open:
      if (Clock::now() - circuit_logged_ < kCircuitLogPeriod) {
        ++circuit_unlogged_;
        break;
      }
      spdlog::warn("[INSI_FAILURE] request {}: {} ({} more refusal(s) since the last line)",
                   requete_id, outcome.error, circuit_unlogged_);
      circuit_logged_ = Clock::now();
      circuit_unlogged_ = 0;
      break;
    default:
      spdlog::warn("[INSI_FAILURE] request {}: {} after {} call(s)", requete_id, outcome.error,
                   outcome.appels);
  }
}

asio::awaitable<ApiResponse> Router::recherche_vitale(const Request& req,
                                                      const std::string& requete_id) {
  const auto setup = setup_;  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(req)) co_return *refused;
  auto decoded = decode_recherche_vitale(req.body());
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<VitaleInput>(decoded);
  if (auto refused = foreign_finess(input.finess, *setup_->cfg)) co_return *refused;
  // Two wsse:Security headers without a role are not allowed (WS-Security):
  // the caller's assertion and our signature cannot travel together.
  if (input.assertion_xml && cfg.call_context.signer)
    co_return problem(400, "requete_invalide", "Assertion Vitale incompatible avec la signature",
                      "assertion_vitale ne peut pas être transmise quand la signature XML "
                      "(insi.signature_xml) est activée : envoyez la demande sans assertion, "
                      "ou désactivez la signature.");
  nlohmann::json envoyee = {{"assertion_vitale", input.assertion_xml.has_value()}};
  RequestRecord record;
  record.operateur = input.operateur;
  record.cache_key = state::ResultCache::key_for(input.carte);
  if (auto cached = co_await from_cache(record, input.cache_bypass, requete_id))
    co_return resultat_answer(*cached, "vitale_envoyee", envoyee, requete_id, oid_policy_,
                              "cache");
  auto started = Clock::now();
  auto outcome = co_await insi::rechercher_par_carte_vitale(
      *setup->transport, cfg.call_context, input.carte, input.assertion_xml, limits(cfg),
      policy(cfg));
  note_insi_outcome(outcome, "INSI_RECHERCHE_VITALE", requete_id,
                    metrics::Operation::recuperation_vitale, started);
  record.outcome = &outcome;
  record.anomalies = has_anomalies(outcome, oid_policy_);
  state_.record(record);
  co_return resultat_answer(outcome, "vitale_envoyee", envoyee, requete_id, oid_policy_);
}

asio::awaitable<ApiResponse> Router::stats_mensuel(const Request& req, std::string_view query) {
  const auto setup = setup_;  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  // A malformed escape becomes "?", which no check below accepts.
  const std::string mois = query_param(query, "mois").value_or("?");
  const std::string format = query_param(query, "format").value_or("?");
  auto parsed = stats::parse_mois(mois);
  if (!parsed) co_return problem(400, "requete_invalide", "Mois invalide", parsed.erreur);
  if (!format.empty() && format != "csv" && format != "json")
    co_return problem(400, "requete_invalide", "Format invalide", "format vaut json ou csv.");
  const auto& m = *parsed.mois;
  auto months = co_await state_.activity_month(m.iso());
  auto counts = co_await state_.identity_counts(std::chrono::hours(24 * cfg.structure.file_active_jours));
  stats::TauxQualification taux;
  for (const auto& [statut, n] : counts) taux.file_active += n;
  taux.qualifiees = counts.count("qualifiee") ? counts.at("qualifiee") : 0;
  auto report = stats::build_report(
      m, {{cfg.structure.finess, cfg.structure.name, cfg.structure.categorie}}, months,
      {{cfg.structure.finess, taux}});
  if (format == "csv") {
    ApiResponse r;
    r.status = 200;
    r.content_type = "text/csv";
    r.body = stats::to_csv(report);
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"insi-activite-" + m.iso() + ".csv\"");
    co_return r;
  }
  co_return json_response(200, stats::to_json(report));
}

asio::awaitable<ApiResponse> Router::qualification(const Request& req,
                                                   const std::string& requete_id) {
  if (auto refused = check_json_body(req)) co_return *refused;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char today[16];
  std::strftime(today, sizeof today, "%Y-%m-%d", &tm);
  auto decoded = decode_qualification(req.body(), oid_policy_, today);
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  auto& input = std::get<QualificationInput>(decoded);
  if (auto refused = foreign_finess(input.finess, *setup_->cfg)) co_return *refused;
  auto outcome =
      co_await state_.qualify(input.ins, input.piece, input.identifiant_local, input.operateur);
  spdlog::info("[IDENTITY_QUALIFICATION] request {}: {}", requete_id,
               outcome.result == state::QualifyResult::qualified ? "qualifiee" : "refusee");
  co_return qualification_answer(outcome, input.ins, requete_id);
}

asio::awaitable<ApiResponse> Router::verification(const Request& req,
                                                  const std::string& requete_id) {
  const auto setup = setup_;  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(req)) co_return *refused;
  auto decoded = decode_verification(req.body(), oid_policy_);
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<VerificationInput>(decoded);
  if (auto refused = foreign_finess(input.finess, *setup_->cfg)) co_return *refused;
  auto started = Clock::now();
  auto outcome = co_await verificateur_->verifier(*setup->transport, cfg.call_context, input.ins,
                                                  input.traits, limits(cfg), policy(cfg));
  note_insi_outcome(outcome.recherche, "INSI_VERIFICATION", requete_id,
                    metrics::Operation::verification, started);
  RequestRecord record;
  record.operation = state::InsiOperation::verification;
  record.operateur = input.operateur;
  record.outcome = &outcome.recherche;
  // Only a conforming answer confirms the INS (attribute I).
  record.anomalies = has_anomalies(outcome.recherche, oid_policy_) ||
                     !(outcome.verification && outcome.verification->conforme);
  state_.record(record);
  co_return verification_answer(outcome, verificateur_->methode(), requete_id, oid_policy_);
}

ApiResponse Router::health() const {
  const config::Config& cfg = *setup_->cfg;
  const insi::ClientCertificateInfo& cert = setup_->certificate;
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
                {"environnement", cfg.insi.environment},
                {"endpoint", cfg.insi.endpoint.url}}},
      {"certificat", {{"expire_le", iso_date(cert.not_after)},
                      {"jours_restants", cert.days_left}}},
      {"version", INSGATE_VERSION}};
  return json_response(200, j);
}

}  // namespace insgate::api

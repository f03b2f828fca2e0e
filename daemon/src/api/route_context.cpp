// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_context.hpp"

#include <spdlog/spdlog.h>


#include "api/state_gateway.hpp"
#include "metrics/insi_outcome.hpp"

namespace insgate::api {
namespace {

identity::OidPolicy oid_policy_of(const config::Config& cfg) {
  return identity::OidPolicy::for_environment(
      identity::parse_environment(cfg.insi.environment).value_or(identity::Environment::production));
}

}  // namespace

RouteContext::RouteContext(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
                           StateGateway& state, metrics::Metrics& metrics)
    : setup_(std::move(setup)),
      breaker_(breaker),
      state_(state),
      metrics_(metrics),
      oid_policy_(oid_policy_of(*setup_->cfg)),
      verificateur_(std::make_unique<insi::VerificationParComparaison>()) {}

RouteContext::~RouteContext() = default;

void RouteContext::reconfigure(std::shared_ptr<const InsiSetup> next) {
  setup_ = std::move(next);
  insi_health_.forget_refusal();  // it concerned the previous configuration
  oid_policy_ = oid_policy_of(*setup_->cfg);
}

insi::RechercheLimits RouteContext::limits(const config::Config& cfg) {
  return {Clock::now() + cfg.insi.deadlines.request, cfg.insi.deadlines.call};
}

insi::FaultPolicy RouteContext::policy(const config::Config& cfg, const StructureRuntime& s) {
  return {cfg.insi.resilience.max_retries, cfg.insi.resilience.backoff, &breaker_,
          s.certificate_breaker.get()};
}

asio::awaitable<std::optional<insi::RechercheOutcome>> RouteContext::from_cache(
    RequestRecord& record, bool bypass, const std::string& requete_id) {
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

void RouteContext::note_insi_outcome(const insi::RechercheOutcome& outcome, const char* what,
                                     const std::string& requete_id, const std::string& finess,
                                     metrics::Operation op, Clock::time_point started) {
  using K = insi::RechercheOutcome::Kind;
  metrics::record_insi_request(metrics_, op, finess, outcome);
  metrics_.set_insi_circuit_open(breaker_.state(Clock::now()) !=
                                 insi::CircuitBreaker::State::closed);
  if (auto family = metrics::fault_family_of(outcome)) metrics_.insi_fault(*family);
  if (insi_health_.note(outcome, finess))
    spdlog::error("[INSI_REFUSAL] request {} (FINESS {}): {}", requete_id, finess,
                  refusal_message(*insi_health_.refusal_of(finess)));
  switch (outcome.kind) {
    case K::resultat:
      spdlog::info("[{}] request {}: CR {} after {} call(s)", what, requete_id,
                   insi::printable_code(outcome.resultat.code_cr), outcome.appels);
      break;
    case K::fault:
      spdlog::warn("[INSI_FAULT] request {}: fault {} / {} ({}) after {} call(s)", requete_id,
                   insi::printable_code(outcome.fault.subcode), insi::printable_code(outcome.fault.erreur_code),
                   insi::printable_code(outcome.fault.erreur_severite), outcome.appels);
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
    case K::saturated:
      // Our own saturation (issue 19): INSi was not called, not its fault.
      spdlog::warn("[APP_SATURATED] request {}: INSi not called, local resources exhausted: {}",
                   requete_id, outcome.error);
      break;
    default:
      spdlog::warn("[INSI_FAILURE] request {}: {} after {} call(s)", requete_id, outcome.error,
                   outcome.appels);
  }
}

}  // namespace insgate::api

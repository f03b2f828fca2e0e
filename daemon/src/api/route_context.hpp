// insgate — what the route handlers share (api/route_table.hpp), owned by
// the Router: the current setup (configuration + INSi transport, replaced
// as one by a SIGHUP reload), the circuit breaker, the state gateway, the
// metrics, the OID policy of the environment and the vérification method;
// and the steps every INSi-backed route runs around its call: the cache
// lookup, the request's deadlines and fault policy, and the outcome's
// log line, metrics and reachability (for /v1/health).
// Thread safety: [io-thread], like the Router.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/insi_health.hpp"
#include "api/structures.hpp"
#include "config/config.hpp"
#include "identity/matricule.hpp"
#include "insi/circuit_breaker.hpp"
#include "insi/insi_client.hpp"
#include "insi/tls_setup.hpp"
#include "insi/verification.hpp"
#include "metrics/metrics.hpp"
#include "net/net.hpp"

namespace insgate::api {

class StateGateway;
struct RequestRecord;

/// What a SIGHUP reload replaces as one unit: the configuration and the
/// INSi transport built from it (certificate, endpoint). Requests in flight
/// keep the setup they started with until they finish.
struct InsiSetup {
  std::shared_ptr<const config::Config> cfg;
  /// Every structure with its own INSi identity and transport (issue 12).
  StructureRegistry structures;
};

class RouteContext {
 public:
  RouteContext(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
               StateGateway& state, metrics::Metrics& metrics);
  ~RouteContext();

  /// Later requests use `next`; those in flight finish with theirs.
  void reconfigure(std::shared_ptr<const InsiSetup> next);

  /// The current setup; a handler keeps the pointer for the whole request
  /// (a reload may replace the current one meanwhile).
  std::shared_ptr<const InsiSetup> setup() const { return setup_; }
  /// The OIDs accepted in the configured environment (ins-identity-rules.md §1.4).
  const identity::OidPolicy& oid_policy() const { return oid_policy_; }
  insi::CircuitBreaker& breaker() { return breaker_; }
  StateGateway& state() { return state_; }
  metrics::Metrics& metrics() { return metrics_; }
  insi::Verificateur& verificateur() { return *verificateur_; }
  /// What the INSi calls made so far say about INSi (reachability, a
  /// refusal of every call), for /v1/health.
  const InsiHealth& insi_health() const { return insi_health_; }

  /// The request's deadline (insi.delais.requete_ms from now) and per-call
  /// deadline (appel_ms).
  static insi::RechercheLimits limits(const config::Config& cfg);
  /// Retries of insi.reprises, through the endpoint's circuit breaker and
  /// the structure's own (TLS handshake failures of its certificate).
  insi::FaultPolicy policy(const config::Config& cfg, const StructureRuntime& s);

  /// The cached answer for `record.cache_key` (then counted as a cache hit
  /// and recorded), or nullopt: bypass requested, or a miss. Counts the lookup.
  asio::awaitable<std::optional<insi::RechercheOutcome>> from_cache(RequestRecord& record,
                                                                    bool bypass,
                                                                    const std::string& requete_id);

  /// After an INSi operation: metrics (call, duration, circuit state, fault
  /// family), INSi's health (a refusal of every call is logged once as
  /// [INSI_REFUSAL]), and one log line `[what]` (CR and number of calls; fault
  /// codes; failures, circuit refusals at most once per 10 s).
  void note_insi_outcome(const insi::RechercheOutcome& outcome, const char* what,
                         const std::string& requete_id, const std::string& finess,
                         metrics::Operation op, Clock::time_point started);

 private:
  std::shared_ptr<const InsiSetup> setup_;
  insi::CircuitBreaker& breaker_;
  StateGateway& state_;
  metrics::Metrics& metrics_;
  identity::OidPolicy oid_policy_;
  std::unique_ptr<insi::Verificateur> verificateur_;
  InsiHealth insi_health_;
  /// "circuit open" refusals are logged once per kCircuitLogPeriod, with
  /// how many were not (a closed-loop client would flood the journal).
  static constexpr std::chrono::seconds kCircuitLogPeriod{10};
  Clock::time_point circuit_logged_{};
  std::uint64_t circuit_unlogged_ = 0;
};

}  // namespace insgate::api

// insgate — routing of the local API: request in, response out.
//
// Source rule: local-api.md (Endpoints). Testable without a socket: the
// server only moves bytes. [io-thread] handle() runs on the io_context.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "api/health.hpp"
#include "api/problem.hpp"
#include "config/config.hpp"
#include "insi/circuit_breaker.hpp"
#include "insi/insi_client.hpp"
#include "identity/matricule.hpp"
#include "insi/tls_setup.hpp"
#include "insi/verification.hpp"
#include "metrics/metrics.hpp"
#include "net/net.hpp"

namespace insgate::api {

using Request = http::request<http::string_body>;
class StateGateway;

/// What a SIGHUP reload replaces as one unit: the configuration and the
/// INSi transport built from it (certificate, endpoint). Requests in flight
/// keep the setup they started with until they finish.
struct InsiSetup {
  std::shared_ptr<const config::Config> cfg;
  std::shared_ptr<insi::InsiTransport> transport;
  insi::ClientCertificateInfo certificate;
};

class Router {
 public:
  Router(std::shared_ptr<const InsiSetup> setup, insi::CircuitBreaker& breaker,
         StateGateway& state, metrics::Metrics& metrics);

  /// [io-thread] Later requests use `next`; those in flight finish with theirs.
  void reconfigure(std::shared_ptr<const InsiSetup> next);

  /// Updates insgate_identities{statut}, the qualified-identity rate, the
  /// month's unique users and the outbox backlog from the state store
  /// (called periodically by the controller).
  asio::awaitable<void> refresh_identity_gauges();

  /// Never throws: any failure becomes a problem+json response.
  asio::awaitable<ApiResponse> handle(const Request& req, const std::string& requete_id);

 private:
  asio::awaitable<ApiResponse> recherche(const Request& req, const std::string& requete_id);
  asio::awaitable<ApiResponse> verification(const Request& req, const std::string& requete_id);
  asio::awaitable<ApiResponse> recherche_vitale(const Request& req, const std::string& requete_id);
  asio::awaitable<ApiResponse> qualification(const Request& req, const std::string& requete_id);
  static insi::RechercheLimits limits(const config::Config& cfg);
  insi::FaultPolicy policy(const config::Config& cfg);
  void note_insi_outcome(const insi::RechercheOutcome& outcome, const char* what,
                         const std::string& requete_id, metrics::Operation op,
                         Clock::time_point started);
  asio::awaitable<ApiResponse> stats_mensuel(const Request& req, std::string_view query);
  /// The cached answer for `record.cache_key` (then counted as a cache hit),
  /// or nullopt: bypass requested, or a miss. Counts the lookup.
  asio::awaitable<std::optional<insi::RechercheOutcome>> from_cache(struct RequestRecord& record,
                                                                    bool bypass,
                                                                    const std::string& requete_id);
  ApiResponse health() const;

  std::shared_ptr<const InsiSetup> setup_;
  insi::CircuitBreaker& breaker_;
  StateGateway& state_;
  metrics::Metrics& metrics_;
  identity::OidPolicy oid_policy_;
  std::unique_ptr<insi::Verificateur> verificateur_;
  /// What the INSi calls say about INSi (for /v1/health).
  InsiHealth insi_health_;
  /// "circuit open" refusals are logged once per kCircuitLogPeriod, with
  /// how many were not (a closed-loop client would flood the journal).
  static constexpr std::chrono::seconds kCircuitLogPeriod{10};
  Clock::time_point circuit_logged_{};
  std::uint64_t circuit_unlogged_ = 0;
};

}  // namespace insgate::api

// insgate — Prometheus metrics of the daemon (issue #6).
//
// One prometheus::Registry (a shared_ptr the MetricsServer exposes). Every
// family and every series is built once, in the constructor: all label
// values come from closed sets (enums below, or lists taken from the
// configuration at construction), so the number of series is fixed when the
// object exists and never grows with traffic. No INS, trait, `operateur` or
// request id can reach a label: the recording API takes enums and
// configuration names only; an unknown FINESS or plugin name is folded into
// the fixed label "autre" (counters) or ignored (gauges).
// Source rule: ins-identity-rules.md §0 rule 7 (no identity data outside the
// store), §6 (indicators); style-examples.md §10.
// Thread safety: [any-thread] after construction. Recording only touches
// pre-built prometheus series (atomic) through read-only lookup tables.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "identity/rniv.hpp"  // RnivStatus (enum only, no link needed)

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace insgate::metrics {

/// A configuration value that cannot become a label, or a listener problem.
class MetricsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// INSi operations as the API exposes them ("operation" label).
enum class Operation { recuperation_traits, recuperation_vitale, verification };
inline constexpr std::size_t kOperations = 3;
std::string_view to_label(Operation op);  ///< "recuperation_traits", ...

/// How one INSi call — one SOAP message written completely to INSi — ended
/// ("outcome" label of insgate_insi_calls_total): its CR, a SOAP fault or an
/// unreadable answer (fault), HTTP 502/503/504 or an answer lost or
/// truncated (transport), an answer too late (timeout).
enum class InsiOutcome { cr_00, cr_01, cr_02, fault, transport, timeout };
inline constexpr std::size_t kInsiOutcomes = 6;
std::string_view to_label(InsiOutcome o);  ///< "cr_00", ..., "timeout"

/// Where an attempt's transport failed ("stage" label of
/// insgate_insi_transport_failures_total). connect (DNS, TCP), tls
/// (handshake, certificate refused) and send (message not written
/// completely): nothing reached INSi, not a call. receive: the message was
/// sent and its answer lost, truncated or late: a call.
enum class TransportStage { connect, tls, send, receive };
inline constexpr std::size_t kTransportStages = 4;
std::string_view to_label(TransportStage s);  ///< "connect", "tls", "send", "receive"

/// Why a message the daemon meant to send was not even attempted ("reason"
/// label of insgate_insi_calls_not_made_total): the request deadline was
/// reached before it, or the circuit breaker refused it.
enum class NotMadeReason { deadline, circuit_open, sature };
inline constexpr std::size_t kNotMadeReasons = 3;
std::string_view to_label(NotMadeReason r);  ///< "deadline", "circuit_open", "sature"

/// How a local API request that needed INSi ended, whatever the number of
/// messages it sent ("outcome" label of insgate_api_insi_requests_total):
/// the outcomes of InsiOutcome, plus circuit_open (refused at once).
/// sature: a local resource ran out (issue 19), nothing reached INSi.
enum class ApiInsiOutcome { cr_00, cr_01, cr_02, fault, transport, timeout, circuit_open, sature };
inline constexpr std::size_t kApiInsiOutcomes = 8;
std::string_view to_label(ApiInsiOutcome o);  ///< "cr_00", ..., "circuit_open"

/// Family of an INSi fault or refusal ("famille" label of
/// insgate_insi_faults_total), from INSi's codes (insi-protocol.md §7).
/// The last three refuse every call until the configuration is fixed.
enum class InsiFaultFamily {
  siram_40,   ///< service temporarily unavailable (desir_1020, insi_102): retried
  autre,      ///< any other SOAP fault
  desir_550,  ///< siram_100 / desir_550: the software (lps.idam) is not authorised
  desir_560,  ///< DESIR_560: access level, i.e. certificate CN not INSI-AUTO / INSI-MANU
  tls,        ///< TLS handshake refused: client certificate unknown, or server not trusted
};
inline constexpr std::size_t kInsiFaultFamilies = 5;
std::string_view to_label(InsiFaultFamily f);  ///< "siram_40", ..., "tls"
/// Whether every INSi call fails the same way until the configuration (IDAM,
/// certificate, trust anchors) is fixed: desir_550, desir_560, tls.
bool refuses_every_call(InsiFaultFamily f);

enum class CacheResult { hit, miss, bypass };
inline constexpr std::size_t kCacheResults = 3;
std::string_view to_label(CacheResult r);

/// Where a state-store error (state::StateError) was met: a cache read that
/// fell through to INSi, a request answered 503 etat_indisponible, the
/// outbox worker (claim, lease, mark).
enum class StateErrorSource { cache, request, outbox };
inline constexpr std::size_t kStateErrorSources = 3;

/// Outcome of one delivery attempt of an outbox event to a plugin.
enum class DeliveryOutcome { delivered, retry, dead };
inline constexpr std::size_t kDeliveryOutcomes = 3;
std::string_view to_label(DeliveryOutcome o);

/// Which certificate an expiry belongs to ("usage" label).
enum class CertificateUsage { insi_client, insi_ca };
inline constexpr std::size_t kCertificateUsages = 2;
std::string_view to_label(CertificateUsage u);  ///< "insi_client" | "insi_ca"

std::string_view to_label(identity::RnivStatus s);  ///< "provisoire", ... "qualifiee"

/// The "status" label of an HTTP status: the exact code when it is one of
/// the codes the API answers (200, 201, 204, 400, 401, 403, 404, 405, 406,
/// 408, 409, 411, 413, 415, 422, 429, 431, 500, 502, 503, 504), else its
/// class ("1xx".."5xx"), else "autre".
std::string_view status_label(int http_status);
/// Every value status_label() can return, in a fixed order.
const std::vector<std::string_view>& status_labels();

/// The fixed label for anything outside the configured lists.
inline constexpr std::string_view kAutre = "autre";
/// The "plugin" label of outbox events queued while no plugin was
/// configured (they wait for one). Not a valid plugin name, so reserved.
inline constexpr std::string_view kNoPlugin = "(aucun)";

struct MetricsOptions {
  /// FINESS of the configured structures (9 characters [0-9A-Z] each, at
  /// most 1000). The only values the "finess" label takes, with "autre".
  std::vector<std::string> finess;
  /// Names of the configured plugins ([A-Za-z0-9_.-], 1..64 bytes, at most 64).
  std::vector<std::string> plugins;
  /// Daemon version for insgate_build_info ([0-9A-Za-z.+~_-], 1..64 bytes).
  std::string version;
  /// The "route" label values of the local API: the labels of its route
  /// table (api/route_table.hpp, route_labels()), each "/" then
  /// [A-Za-z0-9/_.-], at most 64; with "autre" for any other path.
  std::vector<std::string> routes;
  /// The state store in use, the "stockage" label of insgate_state_store_up:
  /// "sqlite" (default) or "postgresql" (etat.postgresql, issue 15).
  std::string state_store = "sqlite";
};

/// The daemon's metrics. Construct once at start-up (with the configured
/// FINESS and plugin names); a reload that changes those lists builds a new
/// Metrics and hands its registry to the MetricsServer.
class Metrics {
 public:
  /// @throw MetricsError when a FINESS, plugin name, route or version is not
  /// acceptable as a label value (see MetricsOptions).
  explicit Metrics(MetricsOptions options);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// The registry to expose (MetricsServer keeps a weak reference).
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // --- INSi ---------------------------------------------------------------
  /// One INSi call as INSi counts it: one SOAP message written completely
  /// to `op` (the operation the message was sent to; a vérification by
  /// comparison sends récupérations). insgate_insi_calls_total +1,
  /// insgate_insi_call_duration_seconds observes `seconds` (this message,
  /// connection set-up included); when INSi answered (cr_* or fault) also
  /// sets insgate_insi_last_call_timestamp_seconds{finess} to `when`.
  /// Attempts that sent nothing are not calls: see the next two.
  /// An unknown FINESS counts under finess="autre".
  void insi_call(Operation op, std::string_view finess, InsiOutcome outcome, double seconds,
                 std::chrono::system_clock::time_point when = std::chrono::system_clock::now());
  /// One attempt whose transport failed at `stage`:
  /// insgate_insi_transport_failures_total{operation,stage} +1.
  void insi_transport_failure(Operation op, TransportStage stage);
  /// One message not attempted: insgate_insi_calls_not_made_total{operation,reason} +1.
  void insi_call_not_made(Operation op, NotMadeReason reason);
  /// One local API request that needed INSi (the operation the caller
  /// asked for), by final outcome: insgate_api_insi_requests_total +1.
  /// Per request, not per message: not INSi's count (insi_call is).
  void api_insi_request(Operation op, std::string_view finess, ApiInsiOutcome outcome);
  /// Seeds the last-call time (e.g. at start-up from the persisted activity).
  /// @return false (nothing set) for a FINESS that is not configured.
  bool set_insi_last_call(std::string_view finess, std::chrono::system_clock::time_point when);
  /// Distinct operators of the current month (ActivityMonth::operateurs_distincts).
  bool set_insi_unique_users(std::string_view finess, std::int64_t n);
  /// INSi sollicitations of the current month (ActivityMonth::sollicitations):
  /// the monthly report's figure, persisted, so it survives restarts.
  bool set_insi_sollicitations_current_month(std::string_view finess, std::int64_t n);
  /// insgate_qualified_identity_ratio: qualifiées / identities in the active
  /// file, a ratio in [0, 1] (the report's rate); nullopt when the active
  /// file is empty (the gauge then reads NaN).
  bool set_qualified_identity_ratio(std::string_view finess, std::optional<double> ratio);
  /// One INSi operation that ended with a fault or a refusal:
  /// insgate_insi_faults_total{famille} +1.
  void insi_fault(InsiFaultFamily f);
  /// 1 while the circuit breaker is open or half-open, 0 when closed.
  void set_insi_circuit_open(bool open);
  /// One TLS handshake completed towards INSi (issue 19):
  /// insgate_insi_tls_handshakes_total{resumed="oui|non"} +1.
  void insi_tls_handshake(bool resumed);
  /// The INSi connection pools, summed over the structures:
  /// insgate_insi_connections{state="open|idle|waiting"} (waiting: calls
  /// queued for a connection).
  void set_insi_connections(std::size_t open, std::size_t idle, std::size_t waiting);

  // --- local API ----------------------------------------------------------
  /// One answered request: insgate_api_requests_total{route,status} +1 and
  /// insgate_api_request_duration_seconds{route} observes `seconds`. A
  /// route outside MetricsOptions::routes counts under route="autre".
  void api_request(std::string_view route, int http_status, double seconds);
  void api_connection_opened();
  void api_connection_closed();

  // --- state --------------------------------------------------------------
  void cache_lookup(CacheResult r);
  /// Number of identities with status `s` (absolute value).
  void set_identities(identity::RnivStatus s, std::int64_t n);
  /// Pending outbox rows of `plugin`, and the age of its oldest one (0 if none).
  /// kNoPlugin counts the events waiting for a plugin (always accepted).
  /// @return false for a plugin that is not configured.
  bool set_outbox_pending(std::string_view plugin, std::int64_t n, double oldest_age_seconds);
  /// One delivery attempt; an unknown plugin counts under plugin="autre".
  void outbox_delivery(std::string_view plugin, DeliveryOutcome o);
  /// insgate_state_store_up{stockage}: 1 when the state store answered its
  /// last health check (every 5 s and at each GET /v1/health), else 0; 1
  /// from start-up (the store was reached to start).
  void set_state_store_up(bool up);
  /// insgate_state_store_errors_total{source} + 1.
  void state_store_error(StateErrorSource s);

  // --- certificates -------------------------------------------------------
  void set_certificate_expiry(CertificateUsage u, std::chrono::system_clock::time_point not_after);
  /// insgate_insi_client_certificate_expiry_timestamp_seconds{finess}: the
  /// notAfter of one structure's ORG AUTH_CLI certificate (issue 12: the
  /// expiry alert fires per structure); epoch = unknown / no longer served.
  /// @return false (nothing set) for a FINESS that is not configured.
  bool set_client_certificate_expiry(std::string_view finess,
                                     std::chrono::system_clock::time_point not_after);

  /// Names of every family this class exports (histograms by their base
  /// name; their samples add _bucket, _sum and _count).
  static const std::vector<std::string>& metric_names();
  /// The subset of metric_names() that are histograms.
  static const std::vector<std::string>& histogram_names();

 private:
  struct Series;
  std::optional<std::size_t> finess_index(std::string_view finess) const;
  std::optional<std::size_t> plugin_index(std::string_view plugin) const;
  std::size_t route_slot(std::string_view route) const;

  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::string> finess_;   // configured, index = label slot; slot size() = autre
  std::vector<std::string> plugins_;  // idem
  std::vector<std::string> routes_;   // idem
  std::string state_store_;
  std::unique_ptr<Series> s_;
};

}  // namespace insgate::metrics

// insgate — Prometheus metrics of the daemon (issue #6). See metrics.hpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace insgate::metrics {

namespace {

constexpr std::size_t kMaxListed = 64;
/// FINESS: a vendor's daemon may serve hundreds of structures (issue 12).
constexpr std::size_t kMaxFiness = 1000;

const std::array<std::string_view, kOperations> kOperationLabels{
    "recuperation_traits", "recuperation_vitale", "verification"};
const std::array<std::string_view, kInsiOutcomes> kOutcomeLabels{
    "cr_00", "cr_01", "cr_02", "fault", "transport", "timeout"};
const std::array<std::string_view, kTransportStages> kStageLabels{"connect", "tls", "send",
                                                                  "receive"};
const std::array<std::string_view, kNotMadeReasons> kNotMadeLabels{"deadline", "circuit_open",
                                                                 "sature"};
const std::array<std::string_view, kApiInsiOutcomes> kApiOutcomeLabels{
    "cr_00", "cr_01", "cr_02", "fault", "transport", "timeout", "circuit_open", "sature"};
const std::array<std::string_view, kCacheResults> kCacheLabels{"hit", "miss", "bypass"};
const std::array<std::string_view, kDeliveryOutcomes> kDeliveryLabels{"delivered", "retry",
                                                                      "dead"};
const std::array<std::string_view, kCertificateUsages> kUsageLabels{"insi_client", "insi_ca"};
const std::array<std::string_view, kStateErrorSources> kStateErrorLabels{"cache", "request",
                                                                         "outbox"};
const std::array<std::string_view, kInsiFaultFamilies> kFaultFamilyLabels{
    "siram_40", "autre", "desir_550", "desir_560", "tls"};
constexpr std::size_t kStatuses = 4;
const std::array<std::string_view, kStatuses> kStatusLabels{"provisoire", "recuperee", "validee",
                                                            "qualifiee"};

constexpr std::array<int, 21> kExactCodes{200, 201, 204, 400, 401, 403, 404, 405, 406, 408, 409,
                                          411, 413, 415, 422, 429, 431, 500, 502, 503, 504};

std::string S(std::string_view v) { return std::string(v); }

bool finess_ok(const std::string& f) {
  return f.size() == 9 && std::all_of(f.begin(), f.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}

bool plugin_ok(const std::string& p) {
  return !p.empty() && p.size() <= 64 && std::all_of(p.begin(), p.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  c == '_' || c == '.' || c == '-';
         });
}

bool route_ok(const std::string& r) {
  return r.size() >= 2 && r.size() <= 64 && r[0] == '/' &&
         std::all_of(r.begin(), r.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  c == '/' || c == '_' || c == '.' || c == '-';
         });
}

bool version_ok(const std::string& v) {
  return !v.empty() && v.size() <= 64 &&
         std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                  c == '.' || c == '+' || c == '~' || c == '_' || c == '-';
         });
}

void check_list(const std::vector<std::string>& values, bool (*ok)(const std::string&),
                const char* what, std::size_t max = kMaxListed) {
  if (values.size() > max) {
    throw MetricsError(std::string("metrics: too many ") + what + " (at most " +
                       std::to_string(max) + ")");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!ok(values[i])) {
      throw MetricsError(std::string("metrics: ") + what + " #" + std::to_string(i + 1) +
                         " is not acceptable as a label value");
    }
    if (values[i] == kAutre ||
        std::find(values.begin(), values.begin() + static_cast<long>(i), values[i]) !=
            values.begin() + static_cast<long>(i)) {
      throw MetricsError(std::string("metrics: ") + what + " #" + std::to_string(i + 1) +
                         " is duplicated or reserved");
    }
  }
}

double to_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

double non_negative(double seconds) {
  return std::isfinite(seconds) && seconds > 0 ? seconds : 0.0;
}

const prometheus::Histogram::BucketBoundaries kInsiBuckets{0.05, 0.1, 0.25, 0.5, 1,
                                                           2,    5,   10,   20,  30};
const prometheus::Histogram::BucketBoundaries kApiBuckets{0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                          0.25,  0.5,   1,    2.5,   5,    10,
                                                          30};

}  // namespace

std::string_view to_label(Operation op) { return kOperationLabels[static_cast<std::size_t>(op)]; }
std::string_view to_label(InsiOutcome o) { return kOutcomeLabels[static_cast<std::size_t>(o)]; }
std::string_view to_label(TransportStage s) { return kStageLabels[static_cast<std::size_t>(s)]; }
std::string_view to_label(NotMadeReason r) { return kNotMadeLabels[static_cast<std::size_t>(r)]; }
std::string_view to_label(ApiInsiOutcome o) {
  return kApiOutcomeLabels[static_cast<std::size_t>(o)];
}
std::string_view to_label(CacheResult r) { return kCacheLabels[static_cast<std::size_t>(r)]; }
std::string_view to_label(DeliveryOutcome o) {
  return kDeliveryLabels[static_cast<std::size_t>(o)];
}
std::string_view to_label(CertificateUsage u) { return kUsageLabels[static_cast<std::size_t>(u)]; }
std::string_view to_label(InsiFaultFamily f) {
  return kFaultFamilyLabels[static_cast<std::size_t>(f)];
}
bool refuses_every_call(InsiFaultFamily f) {
  return f == InsiFaultFamily::desir_550 || f == InsiFaultFamily::desir_560 ||
         f == InsiFaultFamily::tls;
}
std::string_view to_label(identity::RnivStatus s) {
  return kStatusLabels[static_cast<std::size_t>(s)];
}

const std::vector<std::string_view>& status_labels() {
  static const std::vector<std::string_view> labels = [] {
    std::vector<std::string_view> v;
    static std::vector<std::string> exact;
    for (int c : kExactCodes) exact.push_back(std::to_string(c));
    for (const auto& e : exact) v.push_back(e);
    for (std::string_view c : {"1xx", "2xx", "3xx", "4xx", "5xx", "autre"}) v.push_back(c);
    return v;
  }();
  return labels;
}

std::string_view status_label(int http_status) {
  const auto& labels = status_labels();
  for (std::size_t i = 0; i < kExactCodes.size(); ++i) {
    if (kExactCodes[i] == http_status) return labels[i];
  }
  if (http_status >= 100 && http_status <= 599) {
    return labels[kExactCodes.size() + static_cast<std::size_t>(http_status / 100 - 1)];
  }
  return labels.back();
}

const std::vector<std::string>& Metrics::metric_names() {
  static const std::vector<std::string> names{
      "insgate_insi_calls_total",
      "insgate_insi_call_duration_seconds",
      "insgate_insi_transport_failures_total",
      "insgate_insi_calls_not_made_total",
      "insgate_api_insi_requests_total",
      "insgate_insi_last_call_timestamp_seconds",
      "insgate_insi_unique_users",
      "insgate_insi_circuit_open",
      "insgate_insi_tls_handshakes_total",
      "insgate_insi_connections",
      "insgate_insi_faults_total",
      "insgate_insi_sollicitations_current_month",
      "insgate_qualified_identity_ratio",
      "insgate_api_requests_total",
      "insgate_api_request_duration_seconds",
      "insgate_api_connections",
      "insgate_cache_lookups_total",
      "insgate_identities",
      "insgate_outbox_pending",
      "insgate_outbox_oldest_pending_age_seconds",
      "insgate_outbox_deliveries_total",
      "insgate_state_store_up",
      "insgate_state_store_errors_total",
      "insgate_certificate_expiry_timestamp_seconds",
      "insgate_insi_client_certificate_expiry_timestamp_seconds",
      "insgate_build_info",
  };
  return names;
}

const std::vector<std::string>& Metrics::histogram_names() {
  static const std::vector<std::string> names{"insgate_insi_call_duration_seconds",
                                              "insgate_api_request_duration_seconds"};
  return names;
}

/// Every series, pre-built. Indexes: finess/plugin slot n = "autre".
struct Metrics::Series {
  // [finess slot][operation][outcome]
  std::vector<std::array<std::array<prometheus::Counter*, kInsiOutcomes>, kOperations>> insi_calls;
  std::array<prometheus::Histogram*, kOperations> insi_duration{};
  std::array<std::array<prometheus::Counter*, kTransportStages>, kOperations> transport_failures{};
  std::array<std::array<prometheus::Counter*, kNotMadeReasons>, kOperations> not_made{};
  // [finess slot][operation][outcome]
  std::vector<std::array<std::array<prometheus::Counter*, kApiInsiOutcomes>, kOperations>>
      api_insi_requests;
  std::vector<prometheus::Gauge*> last_call;     // configured FINESS only
  std::vector<prometheus::Gauge*> unique_users;  // idem
  std::vector<prometheus::Gauge*> qualified_ratio;
  std::vector<prometheus::Gauge*> sollicitations_month;
  std::vector<prometheus::Gauge*> client_cert_expiry;  // configured FINESS only
  prometheus::Gauge* circuit_open = nullptr;
  std::array<prometheus::Counter*, 2> handshakes{};  ///< [resumed]
  std::array<prometheus::Gauge*, 3> insi_connections{};  ///< open, idle, waiting
  std::array<prometheus::Counter*, kInsiFaultFamilies> insi_faults{};
  // [route slot][status label index]; slot routes_.size() = "autre"
  std::vector<std::vector<prometheus::Counter*>> api_requests;
  std::vector<prometheus::Histogram*> api_duration;
  prometheus::Gauge* api_connections = nullptr;
  std::array<prometheus::Counter*, kCacheResults> cache{};
  std::array<prometheus::Gauge*, kStatuses> identities{};
  std::vector<prometheus::Gauge*> outbox_pending;  // configured plugins, then kNoPlugin
  std::vector<prometheus::Gauge*> outbox_oldest;
  // [plugin slot][outcome]
  std::vector<std::array<prometheus::Counter*, kDeliveryOutcomes>> deliveries;
  std::array<prometheus::Gauge*, kCertificateUsages> cert_expiry{};
  prometheus::Gauge* state_store_up = nullptr;
  std::array<prometheus::Counter*, kStateErrorSources> state_errors{};
};

Metrics::Metrics(MetricsOptions options)
    : registry_(std::make_shared<prometheus::Registry>()),
      finess_(std::move(options.finess)),
      plugins_(std::move(options.plugins)),
      routes_(std::move(options.routes)),
      state_store_(std::move(options.state_store)),
      s_(std::make_unique<Series>()) {
  check_list(finess_, finess_ok, "FINESS", kMaxFiness);
  check_list(plugins_, plugin_ok, "plugin name");
  check_list(routes_, route_ok, "route");
  if (state_store_ != "sqlite" && state_store_ != "postgresql")
    throw MetricsError("metrics: the state store is \"sqlite\" or \"postgresql\"");
  if (!version_ok(options.version)) {
    throw MetricsError("metrics: the version is not acceptable as a label value");
  }
  auto& r = *registry_;
  auto& s = *s_;
  std::vector<std::string> finess_slots = finess_;
  finess_slots.push_back(S(kAutre));
  std::vector<std::string> plugin_slots = plugins_;
  plugin_slots.push_back(S(kAutre));

  auto& calls = prometheus::BuildCounter()
                    .Name("insgate_insi_calls_total")
                    .Help("INSi calls as INSi counts them: SOAP messages written completely to "
                          "INSi (each first name and each retry is one), by the operation they "
                          "were sent to and how each ended")
                    .Register(r);
  s.insi_calls.resize(finess_slots.size());
  for (std::size_t f = 0; f < finess_slots.size(); ++f) {
    for (std::size_t o = 0; o < kOperations; ++o) {
      for (std::size_t k = 0; k < kInsiOutcomes; ++k) {
        s.insi_calls[f][o][k] = &calls.Add({{"operation", S(kOperationLabels[o])},
                                            {"finess", finess_slots[f]},
                                            {"outcome", S(kOutcomeLabels[k])}});
      }
    }
  }
  auto& insi_duration = prometheus::BuildHistogram()
                            .Name("insgate_insi_call_duration_seconds")
                            .Help("Duration of each INSi call (one SOAP message, connection "
                                  "set-up included)")
                            .Register(r);
  auto& failures = prometheus::BuildCounter()
                       .Name("insgate_insi_transport_failures_total")
                       .Help("Attempts whose transport failed, by stage: connect, tls, send "
                             "(nothing reached INSi: not a call), receive (the message was "
                             "sent, its answer lost, truncated or late: a call)")
                       .Register(r);
  auto& not_made = prometheus::BuildCounter()
                       .Name("insgate_insi_calls_not_made_total")
                       .Help("Messages not attempted (not calls): request deadline reached "
                             "before sending or while waiting for a pooled connection, circuit "
                             "breaker open, or local saturation (sature: descriptors or memory "
                             "exhausted, pool queue full)")
                       .Register(r);
  for (std::size_t o = 0; o < kOperations; ++o) {
    s.insi_duration[o] = &insi_duration.Add({{"operation", S(kOperationLabels[o])}}, kInsiBuckets);
    for (std::size_t k = 0; k < kTransportStages; ++k) {
      s.transport_failures[o][k] =
          &failures.Add({{"operation", S(kOperationLabels[o])}, {"stage", S(kStageLabels[k])}});
    }
    for (std::size_t k = 0; k < kNotMadeReasons; ++k) {
      s.not_made[o][k] =
          &not_made.Add({{"operation", S(kOperationLabels[o])}, {"reason", S(kNotMadeLabels[k])}});
    }
  }
  auto& api_insi = prometheus::BuildCounter()
                       .Name("insgate_api_insi_requests_total")
                       .Help("Local API requests that needed INSi, one per request whatever the "
                             "number of messages sent, by requested operation and final outcome; "
                             "not INSi's count (that is insgate_insi_calls_total)")
                       .Register(r);
  s.api_insi_requests.resize(finess_slots.size());
  for (std::size_t f = 0; f < finess_slots.size(); ++f) {
    for (std::size_t o = 0; o < kOperations; ++o) {
      for (std::size_t k = 0; k < kApiInsiOutcomes; ++k) {
        s.api_insi_requests[f][o][k] = &api_insi.Add({{"operation", S(kOperationLabels[o])},
                                                      {"finess", finess_slots[f]},
                                                      {"outcome", S(kApiOutcomeLabels[k])}});
      }
    }
  }
  auto& last_call = prometheus::BuildGauge()
                        .Name("insgate_insi_last_call_timestamp_seconds")
                        .Help("Unix time of the last INSi call that reached INSi (0: none known)")
                        .Register(r);
  auto& unique_users = prometheus::BuildGauge()
                           .Name("insgate_insi_unique_users")
                           .Help("Distinct operators who used INSi in the current month")
                           .Register(r);
  auto& sollicitations = prometheus::BuildGauge()
                             .Name("insgate_insi_sollicitations_current_month")
                             .Help("INSi sollicitations of the current month (SOAP messages "
                                   "INSi received, every operation), from the persisted monthly "
                                   "counters: the monthly report's figure")
                             .Register(r);
  auto& ratio = prometheus::BuildGauge()
                    .Name("insgate_qualified_identity_ratio")
                    .Help("Taux d'identites qualifiees as a ratio from 0 to 1: identities "
                          "qualifiees / identities in the active file (NaN: empty file)")
                    .Register(r);
  auto& client_expiry = prometheus::BuildGauge()
                            .Name("insgate_insi_client_certificate_expiry_timestamp_seconds")
                            .Help("Unix time of notAfter of each structure's INSi client "
                                  "certificate (0: unknown or no longer served)")
                            .Register(r);
  for (const auto& f : finess_) {
    s.client_cert_expiry.push_back(&client_expiry.Add({{"finess", f}}));
    s.last_call.push_back(&last_call.Add({{"finess", f}}));
    s.unique_users.push_back(&unique_users.Add({{"finess", f}}));
    s.sollicitations_month.push_back(&sollicitations.Add({{"finess", f}}));
    s.qualified_ratio.push_back(&ratio.Add({{"finess", f}}));
    s.qualified_ratio.back()->Set(std::numeric_limits<double>::quiet_NaN());
  }
  auto& faults = prometheus::BuildCounter()
                     .Name("insgate_insi_faults_total")
                     .Help("INSi operations that ended with a fault or a refusal, by INSi code "
                           "family (desir_550, desir_560 and tls refuse every call)")
                     .Register(r);
  for (std::size_t i = 0; i < kInsiFaultFamilies; ++i)
    s.insi_faults[i] = &faults.Add({{"famille", S(kFaultFamilyLabels[i])}});
  s.circuit_open = &prometheus::BuildGauge()
                        .Name("insgate_insi_circuit_open")
                        .Help("1 while the INSi circuit breaker is open or half-open")
                        .Register(r)
                        .Add({});
  auto& handshakes = prometheus::BuildCounter()
                         .Name("insgate_insi_tls_handshakes_total")
                         .Help("TLS handshakes completed towards INSi (new connections of the "
                               "pools); resumed: a TLS session was resumed")
                         .Register(r);
  s.handshakes[0] = &handshakes.Add({{"resumed", "non"}});
  s.handshakes[1] = &handshakes.Add({{"resumed", "oui"}});
  auto& pool = prometheus::BuildGauge()
                   .Name("insgate_insi_connections")
                   .Help("Connections to INSi over every structure's pool: open (in use or "
                         "idle), idle, and calls waiting for one (insi.connexions_max reached)")
                   .Register(r);
  s.insi_connections[0] = &pool.Add({{"state", "open"}});
  s.insi_connections[1] = &pool.Add({{"state", "idle"}});
  s.insi_connections[2] = &pool.Add({{"state", "waiting"}});

  auto& requests = prometheus::BuildCounter()
                       .Name("insgate_api_requests_total")
                       .Help("Local API requests by route and HTTP status")
                       .Register(r);
  auto& api_duration = prometheus::BuildHistogram()
                           .Name("insgate_api_request_duration_seconds")
                           .Help("Local API request duration by route")
                           .Register(r);
  std::vector<std::string> route_slots = routes_;
  route_slots.push_back(S(kAutre));
  s.api_requests.resize(route_slots.size());
  for (std::size_t i = 0; i < route_slots.size(); ++i) {
    for (auto st : status_labels()) {
      s.api_requests[i].push_back(&requests.Add({{"route", route_slots[i]}, {"status", S(st)}}));
    }
    s.api_duration.push_back(&api_duration.Add({{"route", route_slots[i]}}, kApiBuckets));
  }
  s.api_connections = &prometheus::BuildGauge()
                           .Name("insgate_api_connections")
                           .Help("Open connections on the local API socket")
                           .Register(r)
                           .Add({});

  auto& cache = prometheus::BuildCounter()
                    .Name("insgate_cache_lookups_total")
                    .Help("Lookups in the cache of INSi answers")
                    .Register(r);
  for (std::size_t i = 0; i < kCacheResults; ++i) {
    s.cache[i] = &cache.Add({{"result", S(kCacheLabels[i])}});
  }
  auto& identities = prometheus::BuildGauge()
                         .Name("insgate_identities")
                         .Help("Identities of the active file by RNIV status")
                         .Register(r);
  for (std::size_t i = 0; i < kStatuses; ++i) {
    s.identities[i] = &identities.Add({{"statut", S(kStatusLabels[i])}});
  }

  auto& pending = prometheus::BuildGauge()
                      .Name("insgate_outbox_pending")
                      .Help("Outbox events waiting for delivery, by plugin")
                      .Register(r);
  auto& oldest = prometheus::BuildGauge()
                     .Name("insgate_outbox_oldest_pending_age_seconds")
                     .Help("Age of the oldest pending outbox event, by plugin (0: none)")
                     .Register(r);
  for (const auto& p : plugins_) {
    s.outbox_pending.push_back(&pending.Add({{"plugin", p}}));
    s.outbox_oldest.push_back(&oldest.Add({{"plugin", p}}));
  }
  s.outbox_pending.push_back(&pending.Add({{"plugin", S(kNoPlugin)}}));
  s.outbox_oldest.push_back(&oldest.Add({{"plugin", S(kNoPlugin)}}));
  auto& deliveries = prometheus::BuildCounter()
                         .Name("insgate_outbox_deliveries_total")
                         .Help("Delivery attempts of outbox events, by plugin and outcome")
                         .Register(r);
  s.deliveries.resize(plugin_slots.size());
  for (std::size_t p = 0; p < plugin_slots.size(); ++p) {
    for (std::size_t o = 0; o < kDeliveryOutcomes; ++o) {
      s.deliveries[p][o] =
          &deliveries.Add({{"plugin", plugin_slots[p]}, {"outcome", S(kDeliveryLabels[o])}});
    }
  }

  s.state_store_up = &prometheus::BuildGauge()
                          .Name("insgate_state_store_up")
                          .Help("1 while the state store (SQLite, PostgreSQL) answers its health "
                                "check, 0 when it does not")
                          .Register(r)
                          .Add({{"stockage", state_store_}});
  s.state_store_up->Set(1);
  auto& state_errors = prometheus::BuildCounter()
                           .Name("insgate_state_store_errors_total")
                           .Help("State-store errors met, by where: cache (read fell through to "
                                 "INSi), request (answered 503 etat_indisponible), outbox")
                           .Register(r);
  for (std::size_t i = 0; i < kStateErrorSources; ++i) {
    s.state_errors[i] = &state_errors.Add({{"source", S(kStateErrorLabels[i])}});
  }

  auto& expiry = prometheus::BuildGauge()
                     .Name("insgate_certificate_expiry_timestamp_seconds")
                     .Help("Unix time of notAfter: INSi client certificate (insi_client), earliest of the insi.ca certificates (insi_ca); 0: unknown")
                     .Register(r);
  for (std::size_t i = 0; i < kCertificateUsages; ++i) {
    s.cert_expiry[i] = &expiry.Add({{"usage", S(kUsageLabels[i])}});
  }
  prometheus::BuildGauge()
      .Name("insgate_build_info")
      .Help("Always 1; the version of the running daemon")
      .Register(r)
      .Add({{"version", options.version}})
      .Set(1);
}

Metrics::~Metrics() = default;

std::optional<std::size_t> Metrics::finess_index(std::string_view finess) const {
  for (std::size_t i = 0; i < finess_.size(); ++i) {
    if (finess_[i] == finess) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> Metrics::plugin_index(std::string_view plugin) const {
  for (std::size_t i = 0; i < plugins_.size(); ++i) {
    if (plugins_[i] == plugin) return i;
  }
  return std::nullopt;
}

void Metrics::insi_call(Operation op, std::string_view finess, InsiOutcome outcome,
                        double seconds, std::chrono::system_clock::time_point when) {
  const auto f = finess_index(finess);
  const auto o = static_cast<std::size_t>(op);
  s_->insi_calls[f.value_or(finess_.size())][o][static_cast<std::size_t>(outcome)]->Increment();
  s_->insi_duration[o]->Observe(non_negative(seconds));
  const bool reached = outcome != InsiOutcome::transport && outcome != InsiOutcome::timeout;
  if (reached && f) s_->last_call[*f]->Set(to_seconds(when));
}

void Metrics::insi_transport_failure(Operation op, TransportStage stage) {
  s_->transport_failures[static_cast<std::size_t>(op)][static_cast<std::size_t>(stage)]
      ->Increment();
}

void Metrics::insi_tls_handshake(bool resumed) { s_->handshakes[resumed ? 1 : 0]->Increment(); }

void Metrics::set_insi_connections(std::size_t open, std::size_t idle, std::size_t waiting) {
  s_->insi_connections[0]->Set(static_cast<double>(open));
  s_->insi_connections[1]->Set(static_cast<double>(idle));
  s_->insi_connections[2]->Set(static_cast<double>(waiting));
}

void Metrics::insi_call_not_made(Operation op, NotMadeReason reason) {
  s_->not_made[static_cast<std::size_t>(op)][static_cast<std::size_t>(reason)]->Increment();
}

void Metrics::api_insi_request(Operation op, std::string_view finess, ApiInsiOutcome outcome) {
  const auto f = finess_index(finess).value_or(finess_.size());
  s_->api_insi_requests[f][static_cast<std::size_t>(op)][static_cast<std::size_t>(outcome)]
      ->Increment();
}

bool Metrics::set_insi_last_call(std::string_view finess,
                                 std::chrono::system_clock::time_point when) {
  const auto f = finess_index(finess);
  if (f) s_->last_call[*f]->Set(to_seconds(when));
  return f.has_value();
}

bool Metrics::set_client_certificate_expiry(std::string_view finess,
                                            std::chrono::system_clock::time_point not_after) {
  const auto f = finess_index(finess);
  if (f) s_->client_cert_expiry[*f]->Set(to_seconds(not_after));
  return f.has_value();
}

bool Metrics::set_insi_unique_users(std::string_view finess, std::int64_t n) {
  const auto f = finess_index(finess);
  if (f) s_->unique_users[*f]->Set(static_cast<double>(std::max<std::int64_t>(n, 0)));
  return f.has_value();
}

bool Metrics::set_insi_sollicitations_current_month(std::string_view finess, std::int64_t n) {
  const auto f = finess_index(finess);
  if (f) s_->sollicitations_month[*f]->Set(static_cast<double>(std::max<std::int64_t>(n, 0)));
  return f.has_value();
}

bool Metrics::set_qualified_identity_ratio(std::string_view finess, std::optional<double> ratio) {
  const auto f = finess_index(finess);
  if (f) {
    s_->qualified_ratio[*f]->Set(ratio && std::isfinite(*ratio)
                                     ? std::clamp(*ratio, 0.0, 1.0)
                                     : std::numeric_limits<double>::quiet_NaN());
  }
  return f.has_value();
}

void Metrics::insi_fault(InsiFaultFamily f) {
  s_->insi_faults[static_cast<std::size_t>(f)]->Increment();
}

void Metrics::set_insi_circuit_open(bool open) { s_->circuit_open->Set(open ? 1 : 0); }

std::size_t Metrics::route_slot(std::string_view route) const {
  auto it = std::find(routes_.begin(), routes_.end(), route);
  return static_cast<std::size_t>(it - routes_.begin());  // routes_.size(): "autre"
}

void Metrics::api_request(std::string_view route, int http_status, double seconds) {
  const auto r = route_slot(route);
  const auto& labels = status_labels();
  const auto label = status_label(http_status);
  const auto idx = static_cast<std::size_t>(
      std::find(labels.begin(), labels.end(), label) - labels.begin());
  s_->api_requests[r][idx]->Increment();
  s_->api_duration[r]->Observe(non_negative(seconds));
}

void Metrics::api_connection_opened() { s_->api_connections->Increment(); }
void Metrics::api_connection_closed() { s_->api_connections->Decrement(); }

void Metrics::cache_lookup(CacheResult r) {
  s_->cache[static_cast<std::size_t>(r)]->Increment();
}

void Metrics::set_identities(identity::RnivStatus st, std::int64_t n) {
  s_->identities[static_cast<std::size_t>(st)]->Set(
      static_cast<double>(std::max<std::int64_t>(n, 0)));
}

bool Metrics::set_outbox_pending(std::string_view plugin, std::int64_t n,
                                 double oldest_age_seconds) {
  const auto p = plugin == kNoPlugin ? std::optional<std::size_t>(plugins_.size())
                                     : plugin_index(plugin);
  if (p) {
    s_->outbox_pending[*p]->Set(static_cast<double>(std::max<std::int64_t>(n, 0)));
    s_->outbox_oldest[*p]->Set(n > 0 ? non_negative(oldest_age_seconds) : 0.0);
  }
  return p.has_value();
}

void Metrics::outbox_delivery(std::string_view plugin, DeliveryOutcome o) {
  const auto p = plugin_index(plugin).value_or(plugins_.size());
  s_->deliveries[p][static_cast<std::size_t>(o)]->Increment();
}

void Metrics::set_state_store_up(bool up) { s_->state_store_up->Set(up ? 1 : 0); }

void Metrics::state_store_error(StateErrorSource s) {
  s_->state_errors[static_cast<std::size_t>(s)]->Increment();
}

void Metrics::set_certificate_expiry(CertificateUsage u,
                                     std::chrono::system_clock::time_point not_after) {
  s_->cert_expiry[static_cast<std::size_t>(u)]->Set(to_seconds(not_after));
}

}  // namespace insgate::metrics

// Unit tests of metrics/metrics.hpp: families built once, closed label sets,
// a series count that does not grow with traffic.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <random>
#include <set>
#include <sstream>

namespace insgate::metrics {
namespace {

using namespace std::chrono_literals;

MetricsOptions options() {
  return {{"750000001", "2A0000012"},
          {"dmp-lgc", "mssante"},
          "0.1.0",
          {"/v1/health", "/v1/ins/recherche", "/v1/outbox"}};
}

std::string scrape(const Metrics& m) {
  return prometheus::TextSerializer().Serialize(m.registry()->Collect());
}

std::vector<std::string> sample_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l[0] != '#') out.push_back(l);
  }
  return out;
}

/// The value of the sample line that starts with `series` + ' '.
std::optional<double> value(const std::string& text, const std::string& series) {
  for (const auto& l : sample_lines(text)) {
    if (l.rfind(series + " ", 0) == 0) return std::stod(l.substr(series.size() + 1));
  }
  return std::nullopt;
}

TEST(MetricsTest, every_family_is_exported_from_construction) {
  Metrics m(options());
  const auto text = scrape(m);
  for (const auto& name : Metrics::metric_names()) {
    EXPECT_NE(text.find("# TYPE " + name + " "), std::string::npos) << name;
  }
}

TEST(MetricsTest, exported_families_are_exactly_metric_names) {
  Metrics m(options());
  std::set<std::string> exported;
  for (const auto& f : m.registry()->Collect()) exported.insert(f.name);
  const std::set<std::string> listed(Metrics::metric_names().begin(),
                                     Metrics::metric_names().end());
  EXPECT_EQ(exported, listed);
}

TEST(MetricsTest, insi_call_counts_by_operation_finess_and_outcome) {
  Metrics m(options());
  m.insi_call(Operation::recuperation_traits, "750000001", InsiOutcome::cr_00, 0.3);
  m.insi_call(Operation::recuperation_traits, "750000001", InsiOutcome::cr_00, 0.2);
  m.insi_call(Operation::verification, "2A0000012", InsiOutcome::fault, 1.5);
  const auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_insi_calls_total{finess=\"750000001\",operation=\"recuperation_"
                        "traits\",outcome=\"cr_00\"}"),
            2.0);
  EXPECT_EQ(value(text, "insgate_insi_calls_total{finess=\"2A0000012\",operation=\"verification\","
                        "outcome=\"fault\"}"),
            1.0);
  EXPECT_EQ(value(text, "insgate_insi_call_duration_seconds_count{operation=\"recuperation_"
                        "traits\"}"),
            2.0);
  EXPECT_EQ(value(text, "insgate_insi_call_duration_seconds_bucket{operation=\"verification\","
                        "le=\"1\"}"),
            0.0);
  EXPECT_EQ(value(text, "insgate_insi_call_duration_seconds_bucket{operation=\"verification\","
                        "le=\"2\"}"),
            1.0);
}

TEST(MetricsTest, unknown_finess_counts_under_autre) {
  Metrics m(options());
  m.insi_call(Operation::recuperation_vitale, "999999999", InsiOutcome::cr_01, 0.1);
  const auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_insi_calls_total{finess=\"autre\",operation=\"recuperation_"
                        "vitale\",outcome=\"cr_01\"}"),
            1.0);
  EXPECT_EQ(text.find("999999999"), std::string::npos);
}

TEST(MetricsTest, last_call_time_moves_only_when_insi_was_reached) {
  Metrics m(options());
  const auto t1 = std::chrono::system_clock::time_point(1'700'000'000s);
  const auto t2 = t1 + 60s;
  const std::string series = "insgate_insi_last_call_timestamp_seconds{finess=\"750000001\"}";
  EXPECT_EQ(value(scrape(m), series), 0.0);
  m.insi_call(Operation::verification, "750000001", InsiOutcome::cr_02, 0.1, t1);
  EXPECT_EQ(value(scrape(m), series), 1.7e9);
  m.insi_call(Operation::verification, "750000001", InsiOutcome::transport, 0.1, t2);
  m.insi_call(Operation::verification, "750000001", InsiOutcome::timeout, 0.1, t2);
  EXPECT_EQ(value(scrape(m), series), 1.7e9);
  m.insi_call(Operation::verification, "750000001", InsiOutcome::fault, 0.1, t2);
  EXPECT_EQ(value(scrape(m), series), 1.7e9 + 60);
}

TEST(MetricsTest, gauges_for_unknown_finess_or_plugin_are_refused) {
  Metrics m(options());
  EXPECT_FALSE(m.set_insi_unique_users("999999999", 3));
  EXPECT_FALSE(m.set_qualified_identity_ratio("999999999", 0.5));
  EXPECT_FALSE(m.set_insi_last_call("999999999", std::chrono::system_clock::now()));
  EXPECT_FALSE(m.set_outbox_pending("inconnu", 3, 10));
  EXPECT_TRUE(m.set_insi_unique_users("750000001", 3));
  EXPECT_TRUE(m.set_outbox_pending("mssante", 4, 7200));
  const auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_insi_unique_users{finess=\"750000001\"}"), 3.0);
  EXPECT_EQ(value(text, "insgate_outbox_pending{plugin=\"mssante\"}"), 4.0);
  EXPECT_EQ(value(text, "insgate_outbox_oldest_pending_age_seconds{plugin=\"mssante\"}"), 7200.0);
  EXPECT_EQ(text.find("inconnu"), std::string::npos);
}

// Issue 17 item 3: one unit, named in the metric (Prometheus: a 0..1 ratio
// is *_ratio) and in its HELP, as in the report's ratio_identites_qualifiees.
TEST(MetricsTest, qualified_ratio_is_nan_until_known_and_clamped) {
  Metrics m(options());
  const std::string series = "insgate_qualified_identity_ratio{finess=\"750000001\"}";
  const auto text = scrape(m);
  EXPECT_NE(text.find(series + " Nan"), std::string::npos);
  EXPECT_NE(text.find("# HELP insgate_qualified_identity_ratio"), std::string::npos);
  EXPECT_NE(text.find("ratio from 0 to 1"), std::string::npos);
  EXPECT_EQ(text.find("insgate_qualified_identity_rate"), std::string::npos);
  m.set_qualified_identity_ratio("750000001", 0.875);
  EXPECT_EQ(value(scrape(m), series), 0.875);
  m.set_qualified_identity_ratio("750000001", 3.0);
  EXPECT_EQ(value(scrape(m), series), 1.0);
}

// Issue 17 item 7: events queued while no plugin is configured are counted.
TEST(MetricsTest, outbox_events_waiting_for_no_plugin_are_counted) {
  Metrics m(options());
  auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_outbox_pending{plugin=\"(aucun)\"}"), 0.0);
  EXPECT_TRUE(m.set_outbox_pending(kNoPlugin, 2, 5400));
  text = scrape(m);
  EXPECT_EQ(value(text, "insgate_outbox_pending{plugin=\"(aucun)\"}"), 2.0);
  EXPECT_EQ(value(text, "insgate_outbox_oldest_pending_age_seconds{plugin=\"(aucun)\"}"), 5400.0);
}

// Issue 17 item 5: INSi faults by code family.
TEST(MetricsTest, insi_faults_are_counted_by_family) {
  Metrics m(options());
  auto text = scrape(m);
  for (const char* f : {"desir_550", "desir_560", "tls", "siram_40", "autre"})
    EXPECT_EQ(value(text, std::string("insgate_insi_faults_total{famille=\"") + f + "\"}"), 0.0) << f;
  m.insi_fault(InsiFaultFamily::desir_550);
  m.insi_fault(InsiFaultFamily::desir_550);
  m.insi_fault(InsiFaultFamily::tls);
  text = scrape(m);
  EXPECT_EQ(value(text, "insgate_insi_faults_total{famille=\"desir_550\"}"), 2.0);
  EXPECT_EQ(value(text, "insgate_insi_faults_total{famille=\"tls\"}"), 1.0);
  EXPECT_TRUE(refuses_every_call(InsiFaultFamily::desir_560));
  EXPECT_FALSE(refuses_every_call(InsiFaultFamily::siram_40));
}

TEST(MetricsTest, api_status_is_the_exact_code_or_its_class) {
  EXPECT_EQ(status_label(200), "200");
  EXPECT_EQ(status_label(422), "422");
  EXPECT_EQ(status_label(418), "4xx");
  EXPECT_EQ(status_label(599), "5xx");
  EXPECT_EQ(status_label(302), "3xx");
  EXPECT_EQ(status_label(0), "autre");
  EXPECT_EQ(status_label(1000), "autre");
}

// The route label takes the configured values (the API's route table) and
// "autre", nothing else: one series per route and status from the start.
TEST(MetricsTest, routes_come_from_a_closed_list) {
  Metrics m(options());
  m.api_request("/v1/ins/recherche/2800275056123", 200, 0.001);
  m.api_request("/v1/outbox", 200, 0.001);
  const auto text = scrape(m);
  std::set<std::string> routes;
  for (const auto& l : sample_lines(text)) {
    if (l.rfind("insgate_api_requests_total{", 0) != 0) continue;
    auto at = l.find("route=\"") + 7;
    routes.insert(l.substr(at, l.find('"', at) - at));
  }
  EXPECT_EQ(routes, (std::set<std::string>{"/v1/health", "/v1/ins/recherche", "/v1/outbox", "autre"}));
  EXPECT_EQ(value(text, "insgate_api_requests_total{route=\"autre\",status=\"200\"}"), 1.0);
  EXPECT_EQ(value(text, "insgate_api_requests_total{route=\"/v1/outbox\",status=\"200\"}"), 1.0);
}

TEST(MetricsTest, api_request_counts_by_route_and_status) {
  Metrics m(options());
  m.api_request("/v1/health", 200, 0.001);
  m.api_request("/nimporte", 404, 0.001);
  m.api_request("/v1/ins/recherche", 418, 0.02);
  m.api_connection_opened();
  m.api_connection_opened();
  m.api_connection_closed();
  const auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_api_requests_total{route=\"/v1/health\",status=\"200\"}"), 1.0);
  EXPECT_EQ(value(text, "insgate_api_requests_total{route=\"autre\",status=\"404\"}"), 1.0);
  EXPECT_EQ(value(text, "insgate_api_requests_total{route=\"/v1/ins/recherche\",status=\"4xx\"}"),
            1.0);
  EXPECT_EQ(value(text, "insgate_api_connections"), 1.0);
  EXPECT_EQ(value(text, "insgate_api_request_duration_seconds_count{route=\"/v1/ins/"
                        "recherche\"}"),
            1.0);
}

TEST(MetricsTest, cache_identities_outbox_circuit_certificates_and_build_info) {
  Metrics m(options());
  m.cache_lookup(CacheResult::hit);
  m.cache_lookup(CacheResult::bypass);
  m.set_identities(identity::RnivStatus::qualifiee, 42);
  m.outbox_delivery("dmp-lgc", DeliveryOutcome::delivered);
  m.outbox_delivery("???", DeliveryOutcome::dead);
  m.set_insi_circuit_open(true);
  m.set_certificate_expiry(CertificateUsage::insi_client,
                           std::chrono::system_clock::time_point(1'800'000'000s));
  const auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_cache_lookups_total{result=\"hit\"}"), 1.0);
  EXPECT_EQ(value(text, "insgate_cache_lookups_total{result=\"miss\"}"), 0.0);
  EXPECT_EQ(value(text, "insgate_identities{statut=\"qualifiee\"}"), 42.0);
  EXPECT_EQ(value(text, "insgate_outbox_deliveries_total{outcome=\"delivered\",plugin=\"dmp-lgc\"}"),
            1.0);
  EXPECT_EQ(value(text, "insgate_outbox_deliveries_total{outcome=\"dead\",plugin=\"autre\"}"), 1.0);
  EXPECT_EQ(value(text, "insgate_insi_circuit_open"), 1.0);
  EXPECT_EQ(value(text, "insgate_certificate_expiry_timestamp_seconds{usage=\"insi_client\"}"),
            1.8e9);
  // Issue 12: each structure's certificate has its own series (0 until set).
  EXPECT_TRUE(m.set_client_certificate_expiry(
      "750000001", std::chrono::system_clock::time_point(1'900'000'000s)));
  EXPECT_FALSE(m.set_client_certificate_expiry(
      "999999999", std::chrono::system_clock::time_point(1'900'000'000s)));
  EXPECT_EQ(value(scrape(m),
                  "insgate_insi_client_certificate_expiry_timestamp_seconds{finess=\"750000001\"}"),
            1.9e9);
  EXPECT_EQ(value(text, "insgate_build_info{version=\"0.1.0\"}"), 1.0);
}

TEST(MetricsTest, configuration_values_that_are_no_label_are_refused) {
  auto bad = [](MetricsOptions o) { EXPECT_THROW(Metrics{std::move(o)}, MetricsError); };
  bad({{"75000000"}, {}, "1", {}});                   // 8 characters
  bad({{std::string("750000001"), std::string("750000001")}, {}, "1", {}});  // duplicated
  bad({{"75000000\n"}, {}, "1", {}});                 // not alphanumeric
  bad({{}, {"autre"}, "1", {}});                      // reserved
  bad({{}, {"a b"}, "1", {}});
  bad({{}, {}, "", {}});
  bad({{}, {}, "1.0\"}", {}});
  bad({{}, {}, "1", {"v1/health"}});                // not a path
  bad({{}, {}, "1", {"/v1/ins/{id}"}});             // not a plain path
  bad({{}, {}, "1", {"/v1/health", "/v1/health"}});  // duplicated
  EXPECT_NO_THROW(Metrics({{}, {}, "1", {}}));
  EXPECT_NO_THROW(Metrics({{}, {}, "1", {"/v1/health", "/v1/outbox/retry"}}));
}

// 10,000 requests with random operators, request ids, persons and FINESS:
// the recording API takes none of the identity values (there is no
// parameter for them), and the FINESS folds into "autre", so the number of
// series is the one of a fresh object.
TEST(MetricsTest, series_count_does_not_grow_with_traffic) {
  Metrics m(options());
  const auto before = sample_lines(scrape(m)).size();
  std::mt19937 rng(6);
  auto random_string = [&rng](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 43);
    return s;
  };
  const std::vector<std::string> finess{"750000001", "2A0000012"};
  for (int i = 0; i < 10'000; ++i) {
    const std::string operateur = "op-" + random_string(8);
    const std::string request_id = random_string(36);
    const std::string f = (i % 3 == 0) ? random_string(9) : finess[i % 2];
    const auto op = static_cast<Operation>(rng() % kOperations);
    const auto outcome = static_cast<InsiOutcome>(rng() % kInsiOutcomes);
    m.insi_call(op, f, outcome, (rng() % 3000) / 1000.0);
    m.insi_transport_failure(op, static_cast<TransportStage>(rng() % kTransportStages));
    m.insi_call_not_made(op, static_cast<NotMadeReason>(rng() % kNotMadeReasons));
    m.api_insi_request(op, f, static_cast<ApiInsiOutcome>(rng() % kApiInsiOutcomes));
    m.api_request("/v1/ins/" + request_id, static_cast<int>(100 + rng() % 500), 0.01);
    m.api_request(options().routes[rng() % options().routes.size()],
                  static_cast<int>(rng() % 1000), 0.01);
    m.cache_lookup(static_cast<CacheResult>(rng() % kCacheResults));
    m.outbox_delivery(operateur, static_cast<DeliveryOutcome>(rng() % kDeliveryOutcomes));
    m.set_insi_unique_users(f, i);
    m.set_outbox_pending(request_id, i, 1.0);
    m.set_identities(static_cast<identity::RnivStatus>(rng() % 4), i);
  }
  const auto text = scrape(m);
  EXPECT_EQ(sample_lines(text).size(), before);
  EXPECT_EQ(text.find("op-"), std::string::npos);
}

}  // namespace
}  // namespace insgate::metrics

namespace insgate::metrics {
namespace {

// Issue 15: the state store's health gauge (its backend as the label) and
// the errors met, by where.
TEST(MetricsTest, state_store_gauge_and_errors) {
  auto o = options();
  o.state_store = "postgresql";
  Metrics m(o);
  auto text = scrape(m);
  EXPECT_EQ(value(text, "insgate_state_store_up{stockage=\"postgresql\"}"), 1.0);
  EXPECT_EQ(text.find("stockage=\"sqlite\""), std::string::npos);
  m.set_state_store_up(false);
  m.state_store_error(StateErrorSource::request);
  m.state_store_error(StateErrorSource::request);
  m.state_store_error(StateErrorSource::outbox);
  text = scrape(m);
  EXPECT_EQ(value(text, "insgate_state_store_up{stockage=\"postgresql\"}"), 0.0);
  EXPECT_EQ(value(text, "insgate_state_store_errors_total{source=\"request\"}"), 2.0);
  EXPECT_EQ(value(text, "insgate_state_store_errors_total{source=\"outbox\"}"), 1.0);
  EXPECT_EQ(value(text, "insgate_state_store_errors_total{source=\"cache\"}"), 0.0);
  o.state_store = "mysql";
  EXPECT_THROW(Metrics{o}, MetricsError);
}

}  // namespace
}  // namespace insgate::metrics

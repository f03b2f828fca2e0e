// Unit tests of api/route_table.hpp: the table is the one list of the local
// API's routes — it agrees with proto/openapi.yaml (paths and methods) and
// with the metrics' closed "route" label set — and matching a request
// against it gives the route, a 404 or a 405 with the allowed methods.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_table.hpp"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "metrics/metrics.hpp"

namespace insgate::api {
namespace {

using http::verb;

std::string upper(std::string v) {
  for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return v;
}

/// "METHOD path" of every operation of proto/openapi.yaml.
std::set<std::string> openapi_operations() {
  YAML::Node doc = YAML::LoadFile(INSGATE_SOURCE_DIR "/proto/openapi.yaml");
  std::set<std::string> out;
  for (const auto& path : doc["paths"])
    for (const auto& op : path.second) {
      const auto method = op.first.as<std::string>();
      if (method == "parameters" || method == "summary" || method == "description") continue;
      out.insert(upper(method) + " " + path.first.as<std::string>());
    }
  return out;
}

std::set<std::string> table_operations() {
  std::set<std::string> out;
  for (const auto& r : routes()) out.insert(std::string(sv(http::to_string(r.method))) + " " + std::string(r.path));
  return out;
}

TEST(RouteTable, agrees_with_the_paths_and_methods_of_openapi_yaml) {
  const auto openapi = openapi_operations();
  ASSERT_GE(openapi.size(), 9u) << "proto/openapi.yaml not read";
  EXPECT_EQ(table_operations(), openapi);
}

TEST(RouteTable, declares_each_route_once) {
  EXPECT_EQ(table_operations().size(), routes().size());
  for (const auto& r : routes()) {
    EXPECT_NE(r.handler, nullptr) << r.path;
    EXPECT_EQ(r.metrics_label, r.path) << "the route label is the path";
  }
}

// The metrics are built from route_labels() (controller): every route of
// the table has its series from the start, and nothing else but "autre".
TEST(RouteTable, agrees_with_the_closed_route_label_set_of_the_metrics) {
  metrics::Metrics m({{}, {}, "1", route_labels()});
  const std::string text = prometheus::TextSerializer().Serialize(m.registry()->Collect());
  std::set<std::string> labels;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("insgate_api_requests_total{", 0) != 0) continue;
    auto at = line.find("route=\"") + 7;
    labels.insert(line.substr(at, line.find('"', at) - at));
  }
  std::set<std::string> expected{std::string(metrics::kAutre)};
  for (const auto& r : routes()) expected.insert(std::string(r.path));
  EXPECT_EQ(labels, expected);
  EXPECT_TRUE(labels.count("/v1/outbox")) << "outbox calls have their own label";
}

TEST(RouteTable, every_route_is_found_by_its_method_and_path) {
  for (const auto& r : routes()) {
    auto m = match(routes(), r.method, r.path);
    EXPECT_EQ(m.route, &r) << r.path;
    EXPECT_EQ(m.allow, "");
  }
}

TEST(RouteTable, a_path_the_table_does_not_know_matches_nothing_and_allows_nothing) {
  for (std::string_view p : {"/v1/nothing", "/", "", "/v1/outbox/", "/v1/outbox/42",
                             "/v1/ins/recherche/2800275056123", "/v1/INS/RECHERCHE",
                             "/v1/health?x=1"}) {
    auto m = match(routes(), verb::get, p);
    EXPECT_EQ(m.route, nullptr) << p;
    EXPECT_EQ(m.allow, "") << p;
  }
}

TEST(RouteTable, a_known_path_with_another_method_lists_the_allowed_methods) {
  auto m = match(routes(), verb::get, "/v1/ins/recherche");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allow, "POST");
  EXPECT_EQ(match(routes(), verb::delete_, "/v1/outbox").allow, "GET");
  EXPECT_EQ(match(routes(), verb::get, "/v1/outbox/purge").allow, "POST");
  EXPECT_EQ(match(routes(), verb::post, "/v1/health").allow, "GET");
}

asio::awaitable<ApiResponse> stub(RouteContext&, const RouteCall&) { co_return ApiResponse{}; }

TEST(RouteTable, a_path_with_several_methods_allows_them_all) {
  const Route table[] = {{verb::get, "/v1/x", stub, "/v1/x"}, {verb::post, "/v1/x", stub, "/v1/x"}};
  EXPECT_EQ(match(table, verb::put, "/v1/x").allow, "GET, POST");
  EXPECT_EQ(match(table, verb::post, "/v1/x").route, &table[1]);
  EXPECT_EQ(route_labels(table), std::vector<std::string>{"/v1/x"});
}

TEST(RouteTable, the_route_label_is_the_path_of_a_known_route_else_autre) {
  EXPECT_EQ(route_label("/v1/stats/mensuel?mois=2026-03&format=csv"), "/v1/stats/mensuel");
  EXPECT_EQ(route_label("/v1/outbox?etat=dead"), "/v1/outbox");
  EXPECT_EQ(route_label("/v1/outbox/retry"), "/v1/outbox/retry");
  EXPECT_EQ(route_label("/v1/ins/recherche/2800275056123"), "autre");
  EXPECT_EQ(route_label("/"), "autre");
}

TEST(RouteTable, not_found_and_method_not_allowed_are_problem_answers) {
  auto nf = unknown_route();
  EXPECT_EQ(nf.status, 404u);
  EXPECT_EQ(nf.content_type, "application/problem+json");
  EXPECT_NE(nf.body.find("\"ressource_inconnue\""), std::string::npos);
  auto na = method_not_allowed("GET");
  EXPECT_EQ(na.status, 405u);
  EXPECT_NE(na.body.find("\"methode_non_autorisee\""), std::string::npos);
  ASSERT_EQ(na.headers.size(), 1u);
  EXPECT_EQ(na.headers[0], (std::pair<std::string, std::string>{"Allow", "GET"}));
}

}  // namespace
}  // namespace insgate::api

// End to end: proto/openapi.yaml and the running daemon agree — every
// operation the contract lists is served (never 404 ressource_inconnue),
// answers with a status the contract lists (or 403/405/5xx), and a path it
// does not list is 404.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;

TEST(OpenApiE2E, every_listed_operation_is_served_and_unlisted_paths_are_404) {
  YAML::Node doc = YAML::LoadFile(INSGATE_OPENAPI);
  ASSERT_TRUE(doc["paths"].IsMap());
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  LocalHttpClient c(d.socket());
  int operations = 0;
  for (const auto& path : doc["paths"]) {
    const std::string p = path.first.as<std::string>();
    for (const auto& op : path.second) {
      const std::string method = op.first.as<std::string>();
      ASSERT_TRUE(method == "get" || method == "post") << p << " " << method;
      ++operations;
      // An empty JSON object: enough to reach the route, never valid input.
      auto r = method == "get"
                   ? c.request(insgate::http::verb::get, p)
                   : c.request(insgate::http::verb::post, p, "{}");
      EXPECT_NE(r.status, 404u) << method << " " << p << ": " << r.body;
      EXPECT_NE(r.status, 405u) << method << " " << p << " is listed but not allowed";
      const std::string code = std::to_string(r.status);
      EXPECT_TRUE(op.second["responses"][code].IsDefined() || r.status >= 500)
          << method << " " << p << " answered " << code << ", not listed in openapi.yaml";
    }
  }
  EXPECT_GE(operations, 9);
  auto unknown = c.request(insgate::http::verb::get, "/v1/nothing-here");
  EXPECT_EQ(unknown.status, 404u);
}

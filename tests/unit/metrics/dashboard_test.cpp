// The Grafana dashboard and the Prometheus alert rules refer only to
// metrics the daemon exports (Metrics::metric_names()), and the dashboard
// shows every one of them.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "metrics/metrics.hpp"

namespace insgate::metrics {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void collect_exprs(const nlohmann::json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "expr" && v.is_string()) out.push_back(v.get<std::string>());
      else collect_exprs(v, out);
    }
  } else if (j.is_array()) {
    for (const auto& v : j) collect_exprs(v, out);
  }
}

/// insgate_* tokens, histogram sample suffixes folded into the family name.
std::set<std::string> metric_tokens(const std::string& text) {
  static const std::regex token("insgate_[a-z_]+");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), token);
       it != std::sregex_iterator(); ++it) {
    std::string name = it->str();
    for (const auto& h : Metrics::histogram_names()) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (name == h + suffix) name = h;
      }
    }
    out.insert(name);
  }
  return out;
}

bool exported(const std::string& name) {
  const auto& names = Metrics::metric_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(DashboardTest, dashboard_is_json_and_refers_only_to_exported_metrics) {
  const auto text = read(INSGATE_SOURCE_DIR "/config/grafana/insgate-dashboard.json");
  ASSERT_FALSE(text.empty()) << "config/grafana/insgate-dashboard.json missing";
  const auto dashboard = nlohmann::json::parse(text);  // throws (fails) if invalid
  ASSERT_TRUE(dashboard.contains("panels"));
  std::vector<std::string> exprs;
  collect_exprs(dashboard, exprs);
  ASSERT_FALSE(exprs.empty());
  std::set<std::string> used;
  for (const auto& e : exprs) {
    const auto tokens = metric_tokens(e);
    EXPECT_FALSE(tokens.empty()) << "expr without insgate metric: " << e;
    for (const auto& t : tokens) {
      EXPECT_TRUE(exported(t)) << t << " in " << e;
      used.insert(t);
    }
  }
  for (const auto& name : Metrics::metric_names()) {
    EXPECT_TRUE(used.count(name)) << name << " is not on the dashboard";
  }
}

TEST(DashboardTest, alert_rules_refer_only_to_exported_metrics) {
  const auto text = read(INSGATE_SOURCE_DIR "/config/prometheus/insgate-alerts.yml");
  ASSERT_FALSE(text.empty()) << "config/prometheus/insgate-alerts.yml missing";
  const auto tokens = metric_tokens(text);
  EXPECT_FALSE(tokens.empty());
  for (const auto& t : tokens) EXPECT_TRUE(exported(t)) << t;
}

}  // namespace
}  // namespace insgate::metrics

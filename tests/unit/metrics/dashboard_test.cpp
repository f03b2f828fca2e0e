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

// Issue 17 item 4: a title's period is its query's. A panel about the month
// reads the daemon's monthly gauges (the report's figures), never an
// increase over the dashboard's time range (24 h by default); a rate is
// titled per second, an increase over 1 h per hour; outbox panels are per
// plugin (the "(aucun)" series included).
TEST(DashboardTest, panel_titles_match_their_queries) {
  const auto dashboard =
      nlohmann::json::parse(read(INSGATE_SOURCE_DIR "/config/grafana/insgate-dashboard.json"));
  auto has = [](const std::string& s, const char* what) { return s.find(what) != std::string::npos; };
  int monthly = 0;
  for (const auto& panel : dashboard["panels"]) {
    if (!panel.contains("targets")) continue;
    const std::string title = panel["title"];
    std::vector<std::string> exprs;
    collect_exprs(panel, exprs);
    for (const auto& e : exprs) {
      EXPECT_FALSE(has(e, "$__range")) << title << ": the dashboard's range is no period: " << e;
      if (has(title, "mois")) {
        ++monthly;
        EXPECT_TRUE(has(e, "_current_month") || has(e, "insgate_insi_unique_users"))
            << title << ": a monthly title needs the monthly gauges: " << e;
      }
      if (has(e, "increase(") && has(e, "[1h]")) {
        EXPECT_TRUE(has(title, "par heure")) << title << ": " << e;
      }
      if (has(e, "rate(") && !has(e, "histogram_quantile") && !has(e, " / ")) {
        EXPECT_TRUE(has(title, "par seconde")) << title << ": " << e;
      }
      if (has(e, "insgate_outbox_")) {
        EXPECT_TRUE(has(title, "par plugin")) << title;
      }
      if (has(e, "insgate_qualified_identity_ratio")) {
        EXPECT_EQ(panel["fieldConfig"]["defaults"]["unit"], "percentunit") << title;
      }
    }
  }
  EXPECT_GE(monthly, 2) << "unique users and sollicitations of the month";
}

}  // namespace
}  // namespace insgate::metrics

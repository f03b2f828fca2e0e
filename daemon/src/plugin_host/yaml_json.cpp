// insgate — YAML → JSON for plugin configuration subtrees.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugin_host/yaml_json.hpp"

#include <charconv>
#include <cstdint>
#include <regex>
#include <string>

namespace insgate::plugin_host {

namespace {

constexpr int kMaxDepth = 64;

[[noreturn]] void fail(const YAML::Node& n, const std::string& why) {
  throw YamlJsonError("line " + std::to_string(n.Mark().line + 1) + ": " + why);
}

// A plain scalar typed per the YAML 1.2 core schema, restricted to what JSON
// writes the same way (see the header for why).
nlohmann::json plain_scalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;

  static const std::regex integer(R"(-?(0|[1-9][0-9]*))");
  static const std::regex decimal(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  if (std::regex_match(s, integer)) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
    return s;  // out of int64 range: keep every digit
  }
  if (std::regex_match(s, decimal)) {
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size()) return v;
    return s;
  }
  return s;
}

nlohmann::json convert(const YAML::Node& n, int depth) {
  if (depth > kMaxDepth) fail(n, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags quoted scalars "!" and plain ones "?".
      if (n.Tag() == "!") return n.Scalar();
      return plain_scalar(n.Scalar());
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : n) a.push_back(convert(item, depth + 1));
      return a;
    }
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) fail(kv.first, "map key is not a scalar");
        const std::string& key = kv.first.Scalar();
        if (o.contains(key)) fail(kv.first, "duplicate key '" + key + "'");
        o[key] = convert(kv.second, depth + 1);
      }
      return o;
    }
  }
  fail(n, "unknown YAML node type");
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node) { return convert(node, 0); }

}  // namespace insgate::plugin_host

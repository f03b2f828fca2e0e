// insgate — YAML subtree → JSON, for a plugin's configuration subtree
// (plugins[].config in insgate.yaml), which create() receives as JSON text.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <yaml-cpp/yaml.h>

namespace insgate::plugin_host {

/// A YAML subtree JSON cannot hold. what() gives the reason and the 1-based
/// line, e.g. "line 7: duplicate key 'url'".
class YamlJsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// @brief Converts a YAML node to JSON, typing only plain (unquoted) scalars:
///   - null, Null, NULL, ~ and empty values → null;
///   - true/True/TRUE, false/False/FALSE → booleans;
///   - JSON-style integers ("-12", "0", no '+', no leading zero) that fit
///     in int64 → numbers;
///   - JSON-style decimals ("1.5", "-2e3") → floating-point numbers.
///   Everything else, and every quoted scalar, stays a string. Leading zeros
///   keep a string on purpose: FINESS numbers and COG codes ("01234") are
///   identifiers, not numbers; .inf/.nan stay strings as JSON has no such
///   value. Maps → objects (keys must be scalars), sequences → arrays.
///   An undefined node (missing key) gives null.
/// @throw YamlJsonError non-scalar or duplicate map key, nesting deeper than
///        64 levels.
/// Thread-safety: pure function; safe on distinct nodes.
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace insgate::plugin_host

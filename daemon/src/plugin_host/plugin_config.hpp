// insgate — one configured plugin instance (insgate.yaml `plugins:` list).
// Parsing that list belongs to config/; this is the shape it will produce.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace insgate::plugin_host {

struct PluginConfig {
  std::string name;  ///< instance name, unique in the list (outbox key, log origin)
  std::string path;  ///< shared object, absolute or relative to the config file
  nlohmann::json config;  ///< the `config:` subtree (yaml_to_json), given to create() as dump()
  /// `structures:` — the FINESS whose events this instance receives (each a
  /// configured structure's); empty = every structure (issue 12).
  std::vector<std::string> structures;
};

}  // namespace insgate::plugin_host

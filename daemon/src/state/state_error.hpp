// insgate — the one exception type of the state area.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <stdexcept>
#include <string>

namespace insgate::state {

/// The state store cannot be opened, migrated, read or written: corrupt or
/// foreign file, schema newer than this build, I/O or SQLite failure.
/// Messages name the file and the problem, never an identity value.
class StateError : public std::runtime_error {
 public:
  explicit StateError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace insgate::state

// insgate — the stores' time columns: whole Unix seconds (UTC) (internal).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>

#include "state/records.hpp"

namespace insgate::state::detail {

inline std::int64_t to_unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint from_unix(std::int64_t s) { return TimePoint{std::chrono::seconds{s}}; }

}  // namespace insgate::state::detail

// insgate — identifiers and timestamps for INSi headers and request ids.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace insgate::util {

/// A fresh random (version 4) UUID in lower-case canonical form.
/// Thread-safe.
std::string new_uuid();

/// Current UTC time as xs:dateTime with milliseconds and a Z suffix,
/// e.g. "2024-05-02T09:15:03.120Z" (insi-protocol.md §3, Temps).
std::string utc_timestamp_ms();

}  // namespace insgate::util

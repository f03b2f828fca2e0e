// insgate — one-way digests for keys and pseudonymised counters.
// Pure functions over OpenSSL, thread-safe. Output: 64 lower-case hex digits.
// Source rule: local-api.md "Caller identity" (operator stored only as a keyed hash).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace insgate::state {

/// SHA-256 of `data`. Unkeyed: for cache keys, never for pseudonyms.
std::string sha256_hex(std::string_view data);

/// HMAC-SHA256 of `data` under `key` (the installation's secret, ≥ 32 bytes
/// recommended). Use for operators and persons in the activity counters.
/// @throw StateError if `key` is empty.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace insgate::state

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

/// HMAC-SHA256 under one key, keyed once: hex(data) equals
/// hmac_sha256_hex(key, data) at a fraction of the cost (the MAC context
/// is prepared once and duplicated per call). The key stays in OpenSSL's
/// context only. Thread-safe (the prepared context is only read).
class HmacSha256 {
 public:
  /// @throw StateError if `key` is empty or OpenSSL refuses it.
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  /// @throw StateError on an OpenSSL failure (not expected).
  std::string hex(std::string_view data) const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace insgate::state

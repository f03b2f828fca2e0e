// insgate — optional C++ helpers for plugins written in C++ (header only).
//
// plugin.h is the contract; this header only spares a C++ plugin the two
// things every entry point must do by that contract: write its error line
// into the host's buffer (NUL-terminated, truncated to fit), and never let
// an exception cross the C boundary. A plugin written in C ignores it.
//
//   insgate_status my_deliver(insgate_instance* self, const insgate_event* ev,
//                             char* err, size_t err_len) {
//     return insgate::plugin_support::guarded(
//         err, err_len, INSGATE_RETRY_LATER, "my-plugin: internal error",
//         [&] { return do_deliver(self, ev, err, err_len); });
//   }
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <insgate/plugin.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace insgate::plugin_support {

/// Copies `msg` into the host's error buffer `err` of `len` bytes, truncated
/// to len - 1 bytes and NUL-terminated. Does nothing when err is null or
/// len is 0. The message must not carry identity data (plugin.h).
inline void set_error(char* err, size_t len, std::string_view msg) noexcept {
  if (err == nullptr || len == 0) return;
  const size_t n = std::min(len - 1, msg.size());
  std::memcpy(err, msg.data(), n);
  err[n] = '\0';
}

/// Runs `body` (returning insgate_status) for a C entry point. Any exception
/// it throws is caught: `on_exception` is returned and `message` written
/// into err (INSGATE_PERMANENT_FAILURE for create, usually
/// INSGATE_RETRY_LATER for deliver: an internal error may be transient).
template <class Body>
insgate_status guarded(char* err, size_t len, insgate_status on_exception,
                       std::string_view message, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    set_error(err, len, message);
    return on_exception;
  }
}

}  // namespace insgate::plugin_support

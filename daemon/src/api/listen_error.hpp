// insgate — the error of a local API listener that cannot start.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <stdexcept>

namespace insgate::api {

/// A listening address cannot be used (socket in use by a live process, not
/// a socket, permission; TCP address in use; the TCP listener's TLS files).
class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace insgate::api

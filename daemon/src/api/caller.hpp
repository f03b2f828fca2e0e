// insgate — who is calling the local API, as the listener identified the
// connection (local-api.md, "Caller identity"; issue 12, caller
// authorisation). Filled once per connection by unix_server / tcp_server and
// handed with every request to the router.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace insgate::api {

struct Caller {
  /// unix_socket: uid/gid/groups from SO_PEERCRED / SO_PEERGROUPS. tcp:
  /// plain loopback TCP, no identity. tls: the verified client certificate's
  /// subject (cn, ou, serial). internal: the daemon itself / unit tests,
  /// admitted everywhere.
  enum class Kind { unix_socket, tcp, tls, internal };
  Kind kind = Kind::internal;
  std::string label;  ///< for the [API_REQUEST] log line: "uid 1000", "peer …, CN …"
  unsigned uid = 0;
  unsigned gid = 0;
  std::vector<unsigned> groups;  ///< supplementary groups
  std::string cn;                ///< subject CN (first), UTF-8
  std::vector<std::string> ous;  ///< every subject OU
  std::string serial;            ///< upper-case hex, no leading zeros
};

/// Whether `caller` may act for a structure with these rules
/// (config::AllowedCallers: no rule admits everyone).
bool admits(const config::AllowedCallers& rules, const Caller& caller);

}  // namespace insgate::api

// insgate — the structures one daemon serves (issue 12): the registry that
// resolves a request's `finess` and its caller to one structure, with that
// structure's own INSi identity (call context, TLS context and pool of
// kept-alive connections). One home for "which structure is this call for".
//
// Source rule: local-api.md ("Caller identity": `finess` required only with
// several structures). Resolution happens before any INSi call, cache
// lookup or count: a refused request changes nothing.
// Thread safety: immutable once built; shared by the requests of one setup.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/caller.hpp"
#include "api/problem.hpp"
#include "config/config.hpp"
#include "insi/circuit_breaker.hpp"
#include "insi/insi_client.hpp"
#include "insi/insi_messages.hpp"
#include "insi/tls_setup.hpp"

namespace insgate::api {

/// One structure at run time. Its transport authenticates with its own
/// certificate only: a connection of its pool never carries another
/// structure's call.
struct StructureRuntime {
  config::Structure cfg;
  insi::CallContext call_context;  ///< LPS of the configuration + its emetteur (+ signer)
  std::shared_ptr<insi::InsiTransport> transport;  ///< null in tests that never call INSi
  insi::ClientCertificateInfo certificate;
  /// Opens after repeated TLS handshake failures with this certificate and
  /// refuses this structure's calls only (insi/fault_policy.hpp); the
  /// endpoint's breaker is shared. [io-thread]; null in tests.
  std::shared_ptr<insi::CircuitBreaker> certificate_breaker;
};

using StructurePtr = std::shared_ptr<const StructureRuntime>;

class StructureRegistry {
 public:
  /// Adds one structure. @throw std::invalid_argument on a FINESS already there.
  void add(StructurePtr s);

  std::size_t size() const { return list_.size(); }
  /// In configuration order.
  const std::vector<StructurePtr>& all() const { return list_; }
  /// nullptr when no structure has this FINESS.
  StructurePtr find(std::string_view finess) const;

  /// The structure a request acts for: `finess` when given, else the only
  /// structure. Problems (never echoing the value sent):
  /// 400 requete_invalide naming `finess` when it is missing with several
  /// structures or unknown; 403 appelant_non_autorise when the caller may
  /// not act for it.
  std::variant<StructurePtr, ApiResponse> resolve(const std::optional<std::string>& finess,
                                                  const Caller& caller) const;

  /// The structures `caller` may act for, in configuration order.
  std::vector<StructurePtr> visible_to(const Caller& caller) const;

 private:
  std::vector<StructurePtr> list_;
  std::map<std::string, StructurePtr, std::less<>> by_finess_;
};

}  // namespace insgate::api

// insgate — what the INSi calls made so far say about INSi, for GET
// /v1/health (api/route_health.hpp): whether the last call reached the
// service, and the last refusal that affects every call until the
// configuration is fixed —
// desir_550 (siram_100: the software's IDAM, lps.idam, is not authorised),
// DESIR_560 (the certificate's access level: CN not INSI-AUTO/INSI-MANU),
// tls (the TLS handshake fails: client certificate refused, or INSi's
// certificate not trusted by insi.ca). A refusal stays until a call gets
// past it (any RESULTAT, or another fault) or a reload. With several
// structures (issue 12), desir_560 and tls concern one structure's
// certificate and are kept per FINESS; desir_550 concerns the software and
// every structure.
// Source rule: local-api.md GET /v1/health; insi-protocol.md §7.
// Thread safety: [io-thread] like the RouteContext that owns it.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "insi/fault_policy.hpp"
#include "metrics/metrics.hpp"

namespace insgate::api {

/// A refusal of INSi that affects every call.
struct InsiRefusal {
  metrics::InsiFaultFamily famille = metrics::InsiFaultFamily::desir_550;
  std::string code;  ///< INSi's Erreur@code (or "tls"), at most 40 [A-Za-z0-9_-] characters
  std::chrono::system_clock::time_point depuis;  ///< first call refused this way in a row
};

/// What the calls made so far say about INSi.
class InsiHealth {
 public:
  /// Notes how one INSi operation ended. @return true when it starts a new
  /// refusal (another family than the current one, or none before).
  /// `finess`: the structure the call was made for.
  bool note(const insi::CallOutcome& outcome, const std::string& finess = {},
            std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
  /// Forgets the refusals: after a reload, they concerned the previous configuration.
  void forget_refusal() {
    refusal_.reset();
    by_structure_.clear();
  }
  bool reachable() const { return reachable_; }
  /// The refusal of every call (desir_550), else the first structure's
  /// certificate refusal (FINESS order), else none.
  std::optional<InsiRefusal> refusal() const;
  /// What refuses the calls of structure `finess`: the software's refusal
  /// or its certificate's, or none.
  std::optional<InsiRefusal> refusal_of(const std::string& finess) const;

 private:
  bool reachable_ = true;  ///< "ok" before the first call
  std::optional<InsiRefusal> refusal_;  ///< desir_550: every structure
  std::map<std::string, InsiRefusal> by_structure_;  ///< desir_560, tls: one certificate
};

/// The French sentence that explains a refusal and names what to check.
std::string refusal_message(const InsiRefusal& r);

}  // namespace insgate::api

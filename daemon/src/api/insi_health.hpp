// insgate — what the INSi calls made so far say about INSi, for GET
// /v1/health (api/route_health.hpp): whether the last call reached the
// service, and the last refusal that affects every call until the
// configuration is fixed —
// desir_550 (siram_100: the software's IDAM, lps.idam, is not authorised),
// DESIR_560 (the certificate's access level: CN not INSI-AUTO/INSI-MANU),
// tls (the TLS handshake fails: client certificate refused, or INSi's
// certificate not trusted by insi.ca). A refusal stays until a call gets
// past it (any RESULTAT, or another fault) or a reload.
// Source rule: local-api.md GET /v1/health; insi-protocol.md §7.
// Thread safety: [io-thread] like the RouteContext that owns it.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
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
  bool note(const insi::CallOutcome& outcome,
            std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
  /// Forgets the refusal: after a reload, it concerned the previous configuration.
  void forget_refusal() { refusal_.reset(); }
  bool reachable() const { return reachable_; }
  const std::optional<InsiRefusal>& refusal() const { return refusal_; }

 private:
  bool reachable_ = true;  ///< "ok" before the first call
  std::optional<InsiRefusal> refusal_;
};

/// The French sentence that explains a refusal and names what to check.
std::string refusal_message(const InsiRefusal& r);

}  // namespace insgate::api

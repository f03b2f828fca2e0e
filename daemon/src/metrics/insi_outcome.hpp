// insgate — the metrics outcome of one INSi operation call (issue #6).
//
// Header only, for the code that already links insgate_insi (controller,
// API handlers): maps insi::CallOutcome to metrics::InsiOutcome.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string_view>

#include <boost/algorithm/string/predicate.hpp>

#include "insi/fault_policy.hpp"
#include "metrics/metrics.hpp"

namespace insgate::metrics {

/// cr_00/01/02 for a RESULTAT with that CR (any other CR counts as fault:
/// INSi answered but not with a CR the protocol defines), fault for a SOAP
/// fault or an unreadable answer, transport, timeout. nullopt for a
/// circuit-open refusal: no call was made, record nothing.
inline std::optional<InsiOutcome> outcome_of(const insi::CallOutcome& c) {
  using K = insi::CallOutcome::Kind;
  switch (c.kind) {
    case K::resultat:
      if (c.resultat.code_cr == "00") return InsiOutcome::cr_00;
      if (c.resultat.code_cr == "01") return InsiOutcome::cr_01;
      if (c.resultat.code_cr == "02") return InsiOutcome::cr_02;
      return InsiOutcome::fault;
    case K::fault:
    case K::unreadable:
      return InsiOutcome::fault;
    case K::transport:
      return InsiOutcome::transport;
    case K::timeout:
      return InsiOutcome::timeout;
    case K::circuit_open:
      return std::nullopt;
  }
  return std::nullopt;
}

/// The INSi code family of an operation that ended with a SOAP fault or a
/// TLS handshake failure (insi-protocol.md §7; codes compared
/// case-insensitively); nullopt for anything else (a RESULTAT, an
/// unreadable answer, another transport failure, a timeout, the circuit).
inline std::optional<InsiFaultFamily> fault_family_of(const insi::CallOutcome& c) {
  using K = insi::CallOutcome::Kind;
  const auto same = [](std::string_view a, std::string_view b) {
    return boost::algorithm::iequals(a, b);
  };
  if (c.kind == K::transport && c.tls_failure) return InsiFaultFamily::tls;
  if (c.kind != K::fault) return std::nullopt;
  const auto& f = c.fault;
  // Erreur@code first: DESIR_560's subcode is not documented (it may be
  // siram_100 too); siram_100 alone is desir_550's (insi-protocol.md §7).
  if (same(f.erreur_code, "desir_560")) return InsiFaultFamily::desir_560;
  if (same(f.erreur_code, "desir_550") || same(f.subcode, "siram_100"))
    return InsiFaultFamily::desir_550;
  if (insi::is_retryable(f)) return InsiFaultFamily::siram_40;
  return InsiFaultFamily::autre;
}

}  // namespace insgate::metrics

// insgate — the metrics outcome of one INSi operation call (issue #6).
//
// Header only, for the code that already links insgate_insi (controller,
// API handlers): maps insi::CallOutcome to metrics::InsiOutcome.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

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

}  // namespace insgate::metrics

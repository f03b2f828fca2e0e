// insgate — the metrics of one INSi-backed API request (issues #6, #11).
//
// Header only, for the code that already links insgate_insi (controller,
// API handlers): turns an insi::CallOutcome (its attempts) into the INSi
// metrics. Per attempt: an INSi call (a SOAP message written completely,
// CallOutcome::Attempt::is_call) goes to insgate_insi_calls_total and the
// call-duration histogram under the operation it was SENT TO, which is what
// INSi counts; a transport failure to insgate_insi_transport_failures_total
// by stage; a deadline or circuit-open refusal to
// insgate_insi_calls_not_made_total (also a local saturation, issue 19:
// reason "sature"). Per request: one
// insgate_api_insi_requests_total under the operation the caller asked for.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string_view>

#include <boost/algorithm/string/predicate.hpp>

#include "insi/fault_policy.hpp"
#include "insi/insi_messages.hpp"
#include "metrics/metrics.hpp"

namespace insgate::metrics {

/// The INSi operation a SOAP action addresses: the two récupérations by
/// their action; any other action is INSi's vérification operation (the
/// only other one, insi-protocol.md §6).
inline Operation operation_of_action(std::string_view action) {
  if (action == insi::kActionRechercheTraits) return Operation::recuperation_traits;
  if (action == insi::kActionRechercheVitale) return Operation::recuperation_vitale;
  return Operation::verification;
}

/// cr_00/01/02 for a RESULTAT with that CR (any other CR counts as fault:
/// INSi answered but not with a CR the protocol defines), fault for a SOAP
/// fault or an unreadable answer, transport, timeout.
inline InsiOutcome outcome_of(insi::CallOutcome::Kind kind, std::string_view code_cr) {
  using K = insi::CallOutcome::Kind;
  switch (kind) {
    case K::resultat:
      if (code_cr == "00") return InsiOutcome::cr_00;
      if (code_cr == "01") return InsiOutcome::cr_01;
      if (code_cr == "02") return InsiOutcome::cr_02;
      return InsiOutcome::fault;
    case K::fault:
    case K::unreadable:
    case K::circuit_open:  // never the kind of a call
    case K::saturated:     // idem
      return InsiOutcome::fault;
    case K::transport:
      return InsiOutcome::transport;
    case K::timeout:
      return InsiOutcome::timeout;
  }
  return InsiOutcome::fault;
}

/// The outcome of one attempt when it is an INSi call; nullopt otherwise.
inline std::optional<InsiOutcome> outcome_of(const insi::CallOutcome::Attempt& a) {
  if (!a.is_call()) return std::nullopt;
  return outcome_of(a.kind, a.code_cr);
}

/// The final outcome of a request, for insgate_api_insi_requests_total.
inline ApiInsiOutcome request_outcome_of(const insi::CallOutcome& c) {
  if (c.kind == insi::CallOutcome::Kind::circuit_open) return ApiInsiOutcome::circuit_open;
  if (c.kind == insi::CallOutcome::Kind::saturated) return ApiInsiOutcome::sature;
  return static_cast<ApiInsiOutcome>(outcome_of(c.kind, c.resultat.code_cr));
}
static_assert(static_cast<int>(ApiInsiOutcome::timeout) == static_cast<int>(InsiOutcome::timeout),
              "ApiInsiOutcome starts with the values of InsiOutcome");

/// Records every attempt of `outcome` and the request itself (see the top
/// of this file). `requested`: the operation the caller asked for.
inline void record_insi_request(Metrics& m, Operation requested, std::string_view finess,
                                const insi::CallOutcome& outcome) {
  using Stage = insi::CallOutcome::Attempt::Stage;
  const Operation sent_to = operation_of_action(outcome.action);
  for (const auto& a : outcome.attempts) {
    if (auto o = outcome_of(a)) m.insi_call(sent_to, finess, *o, a.seconds);
    switch (a.stage) {
      case Stage::connect: m.insi_transport_failure(sent_to, TransportStage::connect); break;
      case Stage::tls: m.insi_transport_failure(sent_to, TransportStage::tls); break;
      case Stage::send: m.insi_transport_failure(sent_to, TransportStage::send); break;
      case Stage::receive: m.insi_transport_failure(sent_to, TransportStage::receive); break;
      case Stage::deadline: m.insi_call_not_made(sent_to, NotMadeReason::deadline); break;
      case Stage::circuit_open: m.insi_call_not_made(sent_to, NotMadeReason::circuit_open); break;
      case Stage::saturated: m.insi_call_not_made(sent_to, NotMadeReason::sature); break;
      case Stage::answered:
      case Stage::replayed:
        break;
    }
  }
  m.api_insi_request(requested, finess, request_outcome_of(outcome));
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

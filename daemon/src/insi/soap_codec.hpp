// insgate — INSi SOAP 1.2 envelopes to and from the value types of
// insi_messages.hpp, in memory, through the gSOAP binding of proto/.
//
// No function here does any I/O. Each call uses its own gSOAP context, so all
// functions are thread-safe. Source rule: ../shared/spec/insi-protocol.md
// §3, §4, §7, §10; parsing robustness rules from §4.2 and gsoap-notes.md §3.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "insi/insi_messages.hpp"

namespace insgate::insi {

/// Builds the SOAP 1.2 envelope of a rechercherInsAvecTraitsIdentite call:
/// headers ContexteBAM (empty COUVERTURE), ContexteLPS, wsa:Action,
/// wsa:MessageID ("uuid:" + ids.message_id), body RECSANSVITALE.
/// When `ctx.signer` is set, the envelope also carries a signed wsse:Security
/// header (shape in xml_signature.hpp); otherwise its bytes are exactly those
/// of the unsigned envelope (tests/conformance/golden).
/// @throw std::runtime_error if gSOAP fails to serialise (not expected);
///        XmlSignatureError if the signature cannot be made.
std::string build_recherche_traits(const CallContext& ctx, const RechercheTraits& req,
                                   const EnvelopeIds& ids);

/// Builds the envelope of a rechercherInsAvecCarteVitale call: COUVERTURE
/// filled from the card, body RECVITALE, and, when `assertion_xml` is given,
/// a wsse:Security header holding it verbatim (the caller's signed
/// Vitale-card assertion; the daemon never makes one up). `assertion_xml`
/// must be a well-formed XML element without XML declaration.
/// With `ctx.signer` set the envelope is signed as above, but only without an
/// assertion: the assertion travels in a literal wsse:Security block and WS-
/// Security allows a single wsse:Security header without a role, so the
/// combination is refused rather than sent broken.
/// @throw XmlSignatureError for a signer together with an assertion (before
///        anything is built), or when the signature cannot be made.
std::string build_recherche_vitale(const CallContext& ctx, const RechercheVitale& req,
                                   const EnvelopeIds& ids,
                                   const std::optional<std::string>& assertion_xml);

/// Reads an INSi HTTP response body (no HTTP headers). Elements are matched by
/// namespace URI and local name; unknown elements are ignored; order is not
/// enforced. A SOAP 1.1 envelope, a truncated body, a RESULTAT without CR or a
/// CR 00 without INSACTIF is Unreadable: never a result.
/// Bounds (issue 22): only XML is read (a gzip or other binary body is
/// Unreadable, never inflated); at most 1 MiB; no value longer than its
/// maximum (proto/insi.gsoap.h: the INSi XSD's lengths, insgate's where the
/// XSD has none; 4096 characters for any other text); at most 100 INSHISTO.
/// gSOAP stops at the first value over its bound, so memory and time stay
/// proportional to the (bounded) input.
Response parse_response(std::string_view body);

// ---- The server side, used by the INSi simulator (tests/insi-sim) ----

/// A request as the simulator receives it.
struct ReceivedRequest {
  std::string action;      ///< wsa:Action ("" if absent)
  std::string message_id;  ///< wsa:MessageID verbatim ("" if absent)
  bool has_contexte_bam = false;
  bool has_contexte_lps = false;
  std::string idam;  ///< ContexteLPS/LPS/IDAM ("" if absent)
  std::string emetteur;  ///< ContexteBAM/Emetteur ("" if absent)
  /// Body of a traits search; `prenom` holds the Prenom elements joined by
  /// single spaces, and `prenom_count` how many there were.
  RechercheTraits traits;
  int prenom_count = 0;
  bool is_recherche_traits = false;
  /// Body of a carte Vitale search, with COUVERTURE read back from ContexteBAM.
  std::optional<RechercheVitale> vitale;
  bool has_wsse_security = false;
  std::string wsse_security_xml;  ///< its children, verbatim, concatenated
  bool has_xml_signature = false;  ///< one of those children is a (ds:)Signature
};

/// Parses a request envelope; Unreadable when it is not a SOAP 1.2 envelope
/// with a RECSANSVITALE or RECVITALE body.
std::variant<ReceivedRequest, Unreadable> parse_request(std::string_view body);

/// Serialises a RESULTAT response envelope (no SOAP header, as INSi does).
std::string build_resultat(const Resultat& r);

/// Serialises a SOAP 1.2 fault with a siram:Erreur detail.
std::string build_fault(const Fault& f);

}  // namespace insgate::insi

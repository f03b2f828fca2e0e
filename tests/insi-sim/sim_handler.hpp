// insi-sim — decides the answer to one POST: access level of the client
// certificate (insi-protocol.md §2.3, DESIR_560), request checks, IDAM
// (§3, desir_550), dataset lookup (§4, §9) and faults (§7). Also writes the
// test journal. No network code here (see sim_server.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <fstream>
#include <string>

#include "dataset.hpp"
#include "insi/soap_codec.hpp"

namespace insgate::insi_sim {

/// One HTTP request as the server received it.
struct SimRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  std::string client_cn;  ///< subject CN of the verified client certificate
  /// The whole subject of the verified client certificate, RFC 2253
  /// ("CN=INSI-AUTO,OU=010000001,O=EHPAD A,C=FR"): tests check which
  /// structure's certificate carried each call.
  std::string client_subject;
  bool first_on_connection = false;
};

/// The answer to send (or not, when `reset`).
struct SimReply {
  unsigned status = 200;
  std::string content_type = "application/soap+xml;charset=UTF-8";
  std::string body;
  std::chrono::milliseconds delay{0};
  bool reset = false;
  bool truncate = false;  ///< send the header and half the body, then reset
  std::string content_encoding;  ///< Content-Encoding header ("" = none)
  bool raw = false;              ///< `body` is a whole HTTP response: written as is, then close
  std::string summary;  ///< for the stderr log: no identity values
};

class SimHandler {
 public:
  /// `journal_path` empty = no journal. @throw std::runtime_error if the
  /// journal cannot be opened.
  SimHandler(const Dataset& dataset, const std::string& journal_path);

  SimReply handle(const SimRequest& request);

 private:
  void journal(const SimRequest& request, const insi::ReceivedRequest* parsed,
               const SimReply& reply);

  const Dataset& dataset_;
  std::ofstream journal_;
};

/// True when the CN may use INSi (§2.3): exactly INSI-AUTO or INSI-MANU.
bool is_authorised_cn(const std::string& cn);

}  // namespace insgate::insi_sim

// insgate — the mutual-TLS client context used to reach INSi.
//
// Source rule: insi-protocol.md §2.3. Loads the ORG AUTH_CLI client
// certificate (PEM cert + key, or PKCS#12 + passphrase file), the server's
// trust anchors (PEM or DER), and always verifies the server. The passphrase
// and the key are read into OpenSSL objects only: never logged or copied.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::insi {

/// A certificate or key that cannot be used; what() says what to fix and
/// names the file, never its content.
class TlsSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ClientCertificateInfo {
  std::string subject_cn;
  std::chrono::system_clock::time_point not_after;
  long days_left = 0;  ///< whole days until not_after (negative once expired)
};

struct ClientTls {
  std::shared_ptr<ssl::context> context;
  ClientCertificateInfo certificate;
};

/// Builds the client TLS context (TLS >= 1.2, server verification on).
/// Refuses an expired or not-yet-valid certificate, a key that does not match
/// it, and, outside environment "test", a subject CN other than INSI-AUTO or
/// INSI-MANU (INSi answers DESIR_560 to those).
/// @throw TlsSetupError
ClientTls make_client_tls(const config::InsiConfig& cfg);

/// Sets SNI and host-name (or IP address) verification on one connection.
/// @return false if OpenSSL refused the name.
bool set_peer_name(ssl::stream<beast::tcp_stream>& stream, const std::string& host);

}  // namespace insgate::insi

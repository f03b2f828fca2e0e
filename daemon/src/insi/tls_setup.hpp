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

#include <openssl/x509_vfy.h>

#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::insi {

/// A certificate or key that cannot be used; what() says what to fix and
/// names the file, never its content.
class TlsSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What start-up checked about the client certificate, for the log and
/// /v1/health. Nothing secret: no key, no passphrase.
struct ClientCertificateInfo {
  std::string subject_cn;
  std::chrono::system_clock::time_point not_after;
  long days_left = 0;  ///< whole days until not_after (negative once expired)
  std::chrono::system_clock::time_point not_before;
  std::string issuer_cn;           ///< e.g. "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS"
  std::string serial;              ///< upper-case hex, no separators
  std::string sha256_fingerprint;  ///< "AB:CD:..." of the DER certificate
  std::string source_file;         ///< the PEM certificate or PKCS#12 file it came from
};

struct ClientTls {
  std::shared_ptr<ssl::context> context;
  ClientCertificateInfo certificate;
};

/// Builds the client TLS context (TLS >= 1.2, server verification always on).
/// Refuses an expired or not-yet-valid certificate, a key that does not match
/// it, and, outside environment "test", a subject CN other than INSI-AUTO or
/// INSI-MANU (INSi answers DESIR_560 to those). PKCS#12 files encrypted with
/// legacy algorithms (RC2-40, as `openssl pkcs12 -export -legacy` and older
/// exports produce) are read by loading OpenSSL's "legacy" provider once, on
/// first need. CA files may be PEM (one or more certificates, LF or CRLF) or
/// DER (one certificate).
/// @throw TlsSetupError naming the file (never its content or the passphrase)
///        and saying what to fix.
ClientTls make_client_tls(const config::InsiConfig& cfg, const config::ClientCertificate& cert);
/// The same with `cfg.certificate` (insi.certificat of the single `structure:` form).
ClientTls make_client_tls(const config::InsiConfig& cfg);

/// The trust anchors of insi.ca (every certificate of every file), read
/// once and shared by the TLS contexts of every structure (issue 12: 500
/// structures do not read and keep 500 copies of the CA files).
/// @throw TlsSetupError when insi.ca is empty or a file is unreadable.
using TrustStore = std::shared_ptr<X509_STORE>;
TrustStore make_trust_store(const config::InsiConfig& cfg);
/// make_client_tls with the anchors of `trust` (from make_trust_store).
ClientTls make_client_tls(const config::InsiConfig& cfg, const config::ClientCertificate& cert,
                          const TrustStore& trust);

/// Sets SNI and host-name (or IP address) verification on one connection.
/// @return false if OpenSSL refused the name.
bool set_peer_name(ssl::stream<beast::tcp_stream>& stream, const std::string& host);

}  // namespace insgate::insi

// insgate — the optional WS-Security XML signature of INSi requests
// (issue #4; setting `insi.signature_xml`, off by default).
//
// Source rule: insi-protocol.md §2.3 — in INSi's mutual-TLS mode the working
// clients send no wsse:Security at all and the TLS client certificate is the
// only credential, so the signature is never needed there; it exists for
// deployments that ask for it. Signing uses gSOAP's wsse plugin
// (/usr/share/gsoap/plugin/wsseapi.c) on the binding of proto/insi.gsoap.h.
//
// Shape of a signed request (SOAP 1.2, exclusive c14n, serialised with
// SOAP_XML_CANONICAL, so without an XML declaration):
//   SOAP-ENV:Header
//     ctxbam:ContexteBAM, ctxlps:ContexteLPS             (unchanged, not signed)
//     wsa:Action    wsu:Id="wsa-Action"
//     wsa:MessageID wsu:Id="wsa-MessageID"
//     wsse:Security SOAP-ENV:mustUnderstand="true"
//       wsse:BinarySecurityToken wsu:Id="X509Token"   base64 DER of the client
//           certificate (ValueType X509v3, EncodingType Base64Binary)
//       ds:Signature
//         ds:SignedInfo  CanonicalizationMethod exc-c14n;
//           SignatureMethod rsa-sha256 (RSA key) or ecdsa-sha256 (EC key);
//           three ds:Reference (exc-c14n transform, SHA-256 digest):
//           URI="#Body", "#wsa-Action", "#wsa-MessageID"
//         ds:SignatureValue  (ECDSA: r||s as XML-DSig requires, not DER)
//         ds:KeyInfo/wsse:SecurityTokenReference/wsse:Reference URI="#X509Token"
//   SOAP-ENV:Body wsu:Id="Body"
// A verifier needs the wsu:Id attributes declared as IDs, e.g.
//   xmlsec1 --verify --pubkey-cert-pem CERT --id-attr:Id
//     http://www.w3.org/2003/05/soap-envelope:Body --id-attr:Id
//     http://www.w3.org/2005/08/addressing:Action --id-attr:Id
//     http://www.w3.org/2005/08/addressing:MessageID FILE
//
// Privacy rule: the signer shares the structure's certificate and private key
// already loaded by tls_setup (OpenSSL reference counts); the key is never
// copied, logged or written anywhere, and no message here names its content.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <openssl/types.h>

#include <memory>
#include <stdexcept>
#include <string>

struct soap;

namespace insgate::insi {

/// The signature cannot be made: unsupported key, missing certificate, a
/// gSOAP/OpenSSL failure, or a combination the envelope cannot carry.
/// what() says what to fix; it never holds key material or identity data.
class XmlSignatureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class SignatureAlgorithm { rsa_sha256, ecdsa_sha256 };

/// "rsa-sha256" or "ecdsa-sha256", for the log.
const char* to_string(SignatureAlgorithm a);

/// Signs request envelopes with one certificate and its private key.
/// Immutable once built; one instance may serve every request and thread
/// (each envelope has its own gSOAP context).
class XmlSigner {
 public:
  /// Shares `cert` and `key` (their reference counts are raised; both are
  /// released by the destructor). The algorithm follows the key type.
  /// @throw XmlSignatureError if either is null, or the key is neither RSA
  ///        nor EC (e.g. Ed25519, DSA): "the client key type ... cannot sign".
  XmlSigner(X509* cert, EVP_PKEY* key);
  ~XmlSigner();
  XmlSigner(const XmlSigner&) = delete;
  XmlSigner& operator=(const XmlSigner&) = delete;

  /// The signer of the structure's client certificate and key, as
  /// make_client_tls (tls_setup.hpp) installed them into the TLS context
  /// (`ClientTls::context->native_handle()`); nothing is read again.
  /// @throw XmlSignatureError as above.
  static std::shared_ptr<const XmlSigner> from_tls_context(SSL_CTX* ctx);

  SignatureAlgorithm algorithm() const { return algorithm_; }

  // ---- For soap_codec.cpp (the only caller), in this order ----

  /// Arms gSOAP context `s` (SOAP header already attached): registers the
  /// wsse plugin, sets SOAP_XML_CANONICAL, adds the BinarySecurityToken and
  /// KeyInfo, the wsu:Id of wsa:Action and wsa:MessageID, and starts the
  /// signature of #Body, #wsa-Action and #wsa-MessageID.
  /// @throw XmlSignatureError on a plugin failure.
  void arm(soap* s) const;

  /// Between the SOAP_IO_LENGTH count pass (which digests the references
  /// and signs SignedInfo in soap_end_count) and the send pass: checks that
  /// the signature was made and, for ECDSA, rewrites the DER signature gSOAP
  /// produces into the r||s form of XML-DSig.
  /// @throw XmlSignatureError if no signature value was produced.
  void after_count(soap* s) const;

 private:
  X509* cert_ = nullptr;
  EVP_PKEY* key_ = nullptr;
  SignatureAlgorithm algorithm_ = SignatureAlgorithm::rsa_sha256;
  int ec_field_bytes_ = 0;  ///< ECDSA: bytes of r and of s in r||s
};

}  // namespace insgate::insi

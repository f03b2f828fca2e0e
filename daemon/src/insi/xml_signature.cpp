// insgate — WS-Security signature of INSi requests through gSOAP's wsse
// plugin (see xml_signature.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/xml_signature.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <vector>

#include "wsseapi.h"  // gSOAP's plugin; includes the binding's soapH.h

namespace insgate::insi {
namespace {

/// wsu:Id values: the Body's is fixed by the plugin ("Body"); the headers get
/// their QName with ':' replaced by '-' (soap_wsse_set_wsu_id).
constexpr const char* kTokenId = "X509Token";
constexpr const char* kTokenRef = "#X509Token";
constexpr const char* kIdTags = "wsa:Action wsa:MessageID";
constexpr const char* kSignedIds = "Body wsa:Action wsa:MessageID";

[[noreturn]] void fail(soap* s, const std::string& what) {
  ERR_clear_error();  // never carried into another message
  std::string detail;
  if (s != nullptr && s->error != SOAP_OK) detail = " (gSOAP error " + std::to_string(s->error) + ")";
  throw XmlSignatureError("XML signature (insi.signature_xml): " + what + detail);
}

/// DER ECDSA-Sig-Value -> fixed-size r||s (XML-DSig 1.1 §6.4.3).
std::vector<unsigned char> der_to_raw(const std::vector<unsigned char>& der, int field_bytes) {
  const unsigned char* p = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) return {};
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::vector<unsigned char> raw(2 * static_cast<size_t>(field_bytes));
  bool ok = BN_bn2binpad(r, raw.data(), field_bytes) == field_bytes &&
            BN_bn2binpad(s, raw.data() + field_bytes, field_bytes) == field_bytes;
  ECDSA_SIG_free(sig);
  if (!ok) return {};
  return raw;
}

}  // namespace

const char* to_string(SignatureAlgorithm a) {
  return a == SignatureAlgorithm::ecdsa_sha256 ? "ecdsa-sha256" : "rsa-sha256";
}

XmlSigner::XmlSigner(X509* cert, EVP_PKEY* key) {
  if (cert == nullptr || key == nullptr)
    fail(nullptr, "no client certificate or key to sign with; give insi.certificat");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      algorithm_ = SignatureAlgorithm::rsa_sha256;
      break;
    case EVP_PKEY_EC:
      algorithm_ = SignatureAlgorithm::ecdsa_sha256;
      ec_field_bytes_ = (EVP_PKEY_get_bits(key) + 7) / 8;
      if (ec_field_bytes_ <= 0) fail(nullptr, "the client EC key has no usable curve size");
      break;
    default:
      fail(nullptr, std::string("the client key type (") +
                        (OBJ_nid2sn(EVP_PKEY_get_base_id(key)) ? OBJ_nid2sn(EVP_PKEY_get_base_id(key))
                                                               : "unknown") +
                        ") cannot sign XML here: use an RSA or EC key, or set "
                        "insi.signature_xml: false");
  }
  if (X509_up_ref(cert) != 1 || EVP_PKEY_up_ref(key) != 1) fail(nullptr, "OpenSSL refused a reference");
  cert_ = cert;
  key_ = key;
}

XmlSigner::~XmlSigner() {
  EVP_PKEY_free(key_);
  X509_free(cert_);
}

std::shared_ptr<const XmlSigner> XmlSigner::from_tls_context(SSL_CTX* ctx) {
  if (ctx == nullptr) fail(nullptr, "no TLS client context");
  return std::make_shared<const XmlSigner>(SSL_CTX_get0_certificate(ctx),
                                           SSL_CTX_get0_privatekey(ctx));
}

void XmlSigner::arm(soap* s) const {
  const int alg = algorithm_ == SignatureAlgorithm::ecdsa_sha256 ? SOAP_SMD_SIGN_ECDSA_SHA256
                                                                  : SOAP_SMD_SIGN_RSA_SHA256;
  if (soap_register_plugin(s, soap_wsse) != SOAP_OK) fail(s, "the wsse plugin cannot be registered");
  // Exclusive c14n: what gSOAP digests while counting is what it sends.
  soap_set_omode(s, SOAP_XML_CANONICAL);
  if (soap_wsse_add_BinarySecurityTokenX509(s, kTokenId, cert_) != SOAP_OK ||
      soap_wsse_add_KeyInfo_SecurityTokenReferenceX509(s, kTokenRef) != SOAP_OK)
    fail(s, "the client certificate cannot be put into wsse:Security");
  soap_wsse_set_wsu_id(s, kIdTags);
  // sign_body resets the filter; sign_only must come after it. Only the Body
  // and the two addressing headers are referenced (not the token itself).
  if (soap_wsse_sign_body(s, alg, key_, 0) != SOAP_OK || soap_wsse_sign_only(s, kSignedIds) != SOAP_OK)
    fail(s, "the wsse plugin refused to sign");
}

void XmlSigner::after_count(soap* s) const {
  ds__SignatureType* signature = soap_wsse_Signature(s);
  if (signature == nullptr || signature->SignedInfo == nullptr ||
      signature->SignedInfo->__sizeReference != 3 || signature->SignatureValue == nullptr)
    fail(s, "gSOAP produced no complete signature (expected 3 references)");
  if (algorithm_ != SignatureAlgorithm::ecdsa_sha256) return;
  int n = 0;
  const char* der = soap_base642s(s, signature->SignatureValue, nullptr, 0, &n);
  if (der == nullptr || n <= 0) fail(s, "the ECDSA signature value cannot be decoded");
  auto raw = der_to_raw(std::vector<unsigned char>(der, der + n), ec_field_bytes_);
  if (raw.empty()) fail(s, "the ECDSA signature value is not DER ECDSA-Sig-Value");
  signature->SignatureValue =
      soap_s2base64(s, raw.data(), nullptr, static_cast<int>(raw.size()));
  if (signature->SignatureValue == nullptr) fail(s, "out of memory");
}

}  // namespace insgate::insi

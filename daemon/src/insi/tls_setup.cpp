// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/tls_setup.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <sstream>

namespace insgate::insi {
namespace {

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;

BioPtr open_file(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "rb"), &BIO_free);
  if (!bio) throw TlsSetupError(path + ": cannot open (" + openssl_error() + ")");
  return bio;
}

/// Adds every certificate of a PEM file (CRLF accepted) or the one of a DER
/// file to the store.
void add_trust_anchors(X509_STORE* store, const std::string& path) {
  int added = 0;
  {
    auto bio = open_file(path);
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509Ptr holder(x, &X509_free);
      if (X509_STORE_add_cert(store, x) != 1) {
        // an already present certificate is not an error
        ERR_clear_error();
      }
      ++added;
    }
    ERR_clear_error();
  }
  if (added == 0) {
    auto bio = open_file(path);
    X509Ptr x(d2i_X509_bio(bio.get(), nullptr), &X509_free);
    if (!x) throw TlsSetupError(path + ": no PEM or DER certificate found (CA file)");
    X509_STORE_add_cert(store, x.get());
    ERR_clear_error();
  }
}

std::string read_passphrase(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TlsSetupError(path + ": cannot read the passphrase file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string p = ss.str();
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

void load_pkcs12(SSL_CTX* ctx, const config::ClientCertificate& c) {
  auto bio = open_file(c.pkcs12_file);
  std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(d2i_PKCS12_bio(bio.get(), nullptr),
                                                      &PKCS12_free);
  if (!p12) throw TlsSetupError(c.pkcs12_file + ": not a PKCS#12 file");
  std::string pass = read_passphrase(c.passphrase_file);
  if (PKCS12_verify_mac(p12.get(), pass.c_str(), static_cast<int>(pass.size())) != 1) {
    OPENSSL_cleanse(pass.data(), pass.size());
    throw TlsSetupError(c.pkcs12_file + ": wrong passphrase (" + c.passphrase_file + ")");
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  int ok = PKCS12_parse(p12.get(), pass.c_str(), &key, &cert, &chain);
  OPENSSL_cleanse(pass.data(), pass.size());
  if (ok != 1)
    throw TlsSetupError(c.pkcs12_file + ": cannot decrypt (" + openssl_error() +
                        "); legacy algorithms need OpenSSL's legacy provider");
  bool used = SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  for (int i = 0; used && chain && i < sk_X509_num(chain); ++i) {
    X509* extra = sk_X509_value(chain, i);
    X509_up_ref(extra);
    SSL_CTX_add_extra_chain_cert(ctx, extra);
  }
  EVP_PKEY_free(key);
  X509_free(cert);
  sk_X509_pop_free(chain, X509_free);
  if (!used) throw TlsSetupError(c.pkcs12_file + ": unusable certificate or key (" + openssl_error() + ")");
}

ClientCertificateInfo inspect(SSL_CTX* ctx, const std::string& file, const std::string& env) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) throw TlsSetupError(file + ": no client certificate");
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw TlsSetupError(file + ": the private key does not match the client certificate");
  ClientCertificateInfo info;
  char cn[256] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  info.subject_cn = cn;
  if (env != "test" && info.subject_cn != "INSI-AUTO" && info.subject_cn != "INSI-MANU")
    throw TlsSetupError(file + ": the certificate's subject CN is \"" + info.subject_cn +
                        "\"; INSi accepts only INSI-AUTO or INSI-MANU (ORG AUTH_CLI certificate)");
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0)
    throw TlsSetupError(file + ": the client certificate is not valid yet");
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
    throw TlsSetupError(file + ": the client certificate has expired; renew it with IGC-Santé");
  struct tm tm {};
  ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm);
  info.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert));
  info.days_left = days;
  return info;
}

}  // namespace

ClientTls make_client_tls(const config::InsiConfig& cfg) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  const auto& c = cfg.certificate;
  std::string cert_name;
  if (!c.pkcs12_file.empty()) {
    load_pkcs12(native, c);
    cert_name = c.pkcs12_file;
  } else {
    if (SSL_CTX_use_certificate_chain_file(native, c.cert_file.c_str()) != 1)
      throw TlsSetupError(c.cert_file + ": not a PEM certificate (" + openssl_error() + ")");
    if (SSL_CTX_use_PrivateKey_file(native, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      throw TlsSetupError(c.key_file + ": not a usable PEM private key, or it does not match " +
                          c.cert_file);
    cert_name = c.cert_file;
  }
  ClientTls out;
  out.certificate = inspect(native, cert_name, cfg.environment);
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  for (const auto& ca : cfg.ca_files) add_trust_anchors(store, ca);
  ctx->set_verify_mode(ssl::verify_peer);
  out.context = std::move(ctx);
  return out;
}

bool set_peer_name(ssl::stream<beast::tcp_stream>& stream, const std::string& host) {
  SSL* ssl = stream.native_handle();
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  if (!ec) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return false;
  return SSL_set1_host(ssl, host.c_str()) == 1;
}

}  // namespace insgate::insi

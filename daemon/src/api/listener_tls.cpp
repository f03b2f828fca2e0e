// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/listener_tls.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "api/listen_error.hpp"

namespace insgate::api {

std::shared_ptr<ssl::context> make_listener_tls(const config::TcpTlsConfig& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::single_dh_use);
  boost::system::error_code ec;
  auto fail = [&](const std::string& key, const std::string& file) {
    ERR_clear_error();
    throw ListenError("api.tcp.tls." + key + ": cannot use " + file + " (" + ec.message() + ")");
  };
  ctx->use_certificate_chain_file(files.cert_file, ec);
  if (ec) fail("certificat", files.cert_file);
  ctx->use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec) fail("cle", files.key_file);
  if (SSL_CTX_check_private_key(native) != 1) {
    ec = {};
    fail("cle", files.key_file + " with " + files.cert_file);
  }
  ctx->load_verify_file(files.ca_clients_file, ec);
  if (ec) fail("ca_clients", files.ca_clients_file);
  // Tells clients which CA(s) their certificate must come from.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca_clients_file.c_str()))
    SSL_CTX_set_client_CA_list(native, names);
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT);
  // With client verification on, OpenSSL refuses to resume a session (TLS
  // 1.2 id or ticket, TLS 1.3 PSK) unless the context has a session id
  // context: reconnecting clients would fail with an internal_error alert.
  // A resumed session keeps the verified client certificate (and its CN).
  static constexpr unsigned char kSessionContext[] = "insgate-api";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  ERR_clear_error();
  return ctx;
}

std::string client_cn(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return "(sans CN)";
  X509_NAME* subject = X509_get_subject_name(cert);
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at < 0) return "(sans CN)";
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
  if (n < 0) return "(sans CN)";
  std::string cn;
  for (int i = 0; i < n && cn.size() < 64; ++i)
    cn.push_back(utf8[i] >= 0x20 && utf8[i] < 0x7f ? static_cast<char>(utf8[i]) : '?');
  OPENSSL_free(utf8);
  return cn;
}

namespace {

std::vector<std::string> subject_entries(X509_NAME* subject, int nid) {
  std::vector<std::string> out;
  for (int at = -1; (at = X509_NAME_get_index_by_NID(subject, nid, at)) >= 0;) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at)));
    if (n < 0) continue;
    out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  return out;
}

}  // namespace

Caller tls_caller(SSL* ssl) {
  Caller c;
  c.kind = Caller::Kind::tls;
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr) return c;
  X509_NAME* subject = X509_get_subject_name(cert);
  auto cns = subject_entries(subject, NID_commonName);
  if (!cns.empty()) c.cn = cns.front();
  c.ous = subject_entries(subject, NID_organizationalUnitName);
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      c.serial = hex;  // upper case; a leading zero pads whole bytes
      OPENSSL_free(hex);
      c.serial.erase(0, std::min(c.serial.find_first_not_of('0'), c.serial.size() - 1));
    }
    BN_free(bn);
  }
  return c;
}

}  // namespace insgate::api

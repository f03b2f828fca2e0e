// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/tls_setup.hpp"

#include "insi/ca_expiry.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "util/openssl_ptr.hpp"

namespace insgate::insi {
namespace {

// Config keys, named in the messages so that the administrator knows what to edit.
constexpr const char* kCertKey = "insi.certificat.certificat";
constexpr const char* kKeyKey = "insi.certificat.cle";
constexpr const char* kP12Key = "insi.certificat.pkcs12";
constexpr const char* kPassKey = "insi.certificat.phrase_secrete_fichier";
constexpr const char* kCaKey = "insi.ca";

/// The OpenSSL error queue as "reason; reason" (library codes only, never
/// data), emptied.
std::string openssl_error() {
  std::string out;
  int n = 0;
  while (unsigned long e = ERR_get_error()) {
    if (++n > 3) continue;
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (out.find(buf) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL detail" : out;
}

using util::BioPtr;
using util::PkeyPtr;
using util::X509Ptr;
using P12Ptr = util::Pkcs12Ptr;

/// A certificate, its key and the intermediate certificates sent with it.
struct Material {
  X509Ptr cert;
  PkeyPtr key;
  std::vector<X509Ptr> chain;
  std::string cert_source;  ///< "FILE (config key)" for the messages
  std::string key_source;
};

/// What to do about a secret (key, passphrase) the service cannot read: the
/// packaged unit hands it over as a systemd credential.
std::string credential_hint(const char* key, const char* credential) {
  return std::string("keep it readable by root only and let the unit pass it with "
                     "LoadCredential=") + credential + ":PATH, then point " + key +
         " at ${CREDENTIALS_DIRECTORY}/" + credential +
         " (outside systemd, make it readable by the user insgated runs as)";
}

/// Opens a file for OpenSSL, or says why it cannot be read (`unreadable`:
/// what to do then).
BioPtr open_file(const std::string& path, const std::string& what,
                 const std::string& unreadable = "make it readable by the user insgated runs as") {
  if (path.empty()) throw TlsSetupError(what + ": no file given");
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    throw TlsSetupError(path + ": " + what + ": file not found; check the path in the configuration");
  if (std::filesystem::is_directory(st))
    throw TlsSetupError(path + ": " + what + ": is a directory, not a file");
  errno = 0;
  BioPtr bio(BIO_new_file(path.c_str(), "rb"));
  if (!bio) {
    int err = errno;
    ERR_clear_error();
    throw TlsSetupError(path + ": " + what + ": cannot be read (" +
                        (err ? std::strerror(err) : "open failed") + "); " + unreadable);
  }
  return bio;
}

/// Every certificate of a PEM file (LF or CRLF, other PEM blocks skipped), or
/// the one of a DER file. Throws if the file holds no certificate or a
/// damaged PEM certificate.
std::vector<X509Ptr> read_certificates(const std::string& path, const std::string& what,
                                       const std::string& hint) {
  std::vector<X509Ptr> certs;
  {
    auto bio = open_file(path, what);
    ERR_clear_error();
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
      certs.emplace_back(x);
    unsigned long last = ERR_peek_last_error();
    bool clean_end = last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM &&
                                   ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
    if (!clean_end) {
      std::string detail = openssl_error();
      throw TlsSetupError(path + ": " + what + ": PEM certificate number " +
                          std::to_string(certs.size() + 1) + " is damaged (" + detail +
                          "); copy the file again from its source");
    }
    ERR_clear_error();
  }
  if (certs.empty()) {
    auto bio = open_file(path, what);
    if (X509* x = d2i_X509_bio(bio.get(), nullptr)) certs.emplace_back(x);
    ERR_clear_error();
  }
  if (certs.empty())
    throw TlsSetupError(path + ": " + what +
                        ": no certificate found (neither PEM \"-----BEGIN CERTIFICATE-----\" "
                        "nor DER); " + hint);
  return certs;
}

/// The passphrase file's content without trailing CR/LF; wiped by the caller.
class Passphrase {
 public:
  explicit Passphrase(const std::string& path) {
    if (path.empty())
      throw TlsSetupError(std::string(kP12Key) + " needs a passphrase file (" + kPassKey + ")");
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      throw TlsSetupError(path + ": passphrase file (" + kPassKey +
                          "): file not found; check the path in the configuration");
    std::ifstream in(path, std::ios::binary);
    if (!in)
      throw TlsSetupError(path + ": passphrase file (" + kPassKey + "): cannot be read; " +
                          credential_hint(kPassKey, "insi-auth-cli.pass"));
    std::stringstream ss;
    ss << in.rdbuf();
    value_ = ss.str();
    while (!value_.empty() && (value_.back() == '\n' || value_.back() == '\r')) value_.pop_back();
  }
  ~Passphrase() { OPENSSL_cleanse(value_.data(), value_.size()); }
  Passphrase(const Passphrase&) = delete;
  Passphrase& operator=(const Passphrase&) = delete;
  const char* c_str() const { return value_.c_str(); }
  int size() const { return static_cast<int>(value_.size()); }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

// ---- OpenSSL legacy provider ------------------------------------------------

struct LegacyProvider {
  bool loaded = false;
  std::string error;  ///< why it could not be loaded
  OSSL_PROVIDER* default_provider = nullptr;
  OSSL_PROVIDER* legacy = nullptr;
  LegacyProvider() = default;
  LegacyProvider(const LegacyProvider&) = delete;
  LegacyProvider& operator=(const LegacyProvider&) = delete;
  LegacyProvider(LegacyProvider&& o) noexcept
      : loaded(o.loaded), error(std::move(o.error)), default_provider(o.default_provider),
        legacy(o.legacy) {
    o.default_provider = o.legacy = nullptr;
  }
  /// Unloaded at process exit (keeps leak checkers quiet; nothing uses them then).
  ~LegacyProvider() {
    if (legacy) OSSL_PROVIDER_unload(legacy);
    if (default_provider) OSSL_PROVIDER_unload(default_provider);
  }
};

std::string modules_dir() {
  if (const char* env = std::getenv("OPENSSL_MODULES"); env && *env)
    return std::string(env) + " (from OPENSSL_MODULES)";
  std::string v = OpenSSL_version(OPENSSL_MODULES_DIR);  // MODULESDIR: "/usr/lib/..."
  auto q1 = v.find('"');
  auto q2 = v.rfind('"');
  if (q1 != std::string::npos && q2 > q1) return v.substr(q1 + 1, q2 - q1 - 1);
  return v;
}

/// Loads "default" and "legacy" into the default library context once, on
/// first call (thread-safe); the providers stay loaded for the process.
/// Loading "default" explicitly keeps it: once any provider is loaded by hand,
/// OpenSSL no longer loads the default one implicitly.
const LegacyProvider& legacy_provider() {
  static const LegacyProvider state = [] {
    LegacyProvider s;
    ERR_clear_error();
    s.default_provider = OSSL_PROVIDER_load(nullptr, "default");
    if (s.default_provider == nullptr) ERR_clear_error();
    s.legacy = OSSL_PROVIDER_load(nullptr, "legacy");
    if (s.legacy == nullptr) {
      s.error = openssl_error() + "; modules directory " + modules_dir() +
                " (Debian ships legacy.so in libssl3)";
      return s;
    }
    s.loaded = true;
    return s;
  }();
  return state;
}

/// PBE algorithms of PKCS#12 v1 / PKCS#5 v1 that only the legacy provider
/// implements (RC2, RC4, single DES, MD2/MD5-based).
bool needs_legacy(int nid) {
  switch (nid) {
    case NID_pbe_WithSHA1And128BitRC4:
    case NID_pbe_WithSHA1And40BitRC4:
    case NID_pbe_WithSHA1And128BitRC2_CBC:
    case NID_pbe_WithSHA1And40BitRC2_CBC:
    case NID_pbeWithMD2AndDES_CBC:
    case NID_pbeWithMD2AndRC2_CBC:
    case NID_pbeWithMD5AndDES_CBC:
    case NID_pbeWithMD5AndRC2_CBC:
    case NID_pbeWithSHA1AndDES_CBC:
    case NID_pbeWithSHA1AndRC2_CBC:
      return true;
    default:
      return false;
  }
}

/// The name of the first legacy encryption algorithm visible without the
/// passphrase (encrypted bags, shrouded keys in plain bags), or "".
std::string legacy_algorithm(PKCS12* p12) {
  std::string found;
  auto check = [&](const X509_ALGOR* alg) {
    if (!found.empty() || alg == nullptr) return;
    int nid = OBJ_obj2nid(alg->algorithm);
    if (needs_legacy(nid)) found = OBJ_nid2ln(nid);
  };
  STACK_OF(PKCS7)* safes = PKCS12_unpack_authsafes(p12);
  for (int i = 0; safes && i < sk_PKCS7_num(safes); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes, i);
    int type = OBJ_obj2nid(p7->type);
    if (type == NID_pkcs7_encrypted && p7->d.encrypted && p7->d.encrypted->enc_data) {
      check(p7->d.encrypted->enc_data->algorithm);
    } else if (type == NID_pkcs7_data) {
      STACK_OF(PKCS12_SAFEBAG)* bags = PKCS12_unpack_p7data(p7);
      for (int j = 0; bags && j < sk_PKCS12_SAFEBAG_num(bags); ++j) {
        PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, j);
        if (PKCS12_SAFEBAG_get_nid(bag) != NID_pkcs8ShroudedKeyBag) continue;
        const X509_ALGOR* alg = nullptr;
        X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, nullptr);
        check(alg);
      }
      sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    }
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);
  ERR_clear_error();
  return found;
}

// ---- client certificate sources ---------------------------------------------

Material load_pkcs12(const config::ClientCertificate& c) {
  const std::string file = c.pkcs12_file;
  const std::string what = std::string("PKCS#12 file (") + kP12Key + ")";
  P12Ptr p12;
  {
    auto bio = open_file(file, what);
    p12.reset(d2i_PKCS12_bio(bio.get(), nullptr));
    ERR_clear_error();
  }
  if (!p12)
    throw TlsSetupError(file + ": " + what +
                        ": not a PKCS#12 file; give the binary .p12/.pfx export of the "
                        "certificate and its key, or PEM files with " +
                        kCertKey + " and " + kKeyKey);
  Passphrase pass(c.passphrase_file);
  const std::string wrong_pass =
      file + ": wrong passphrase: the passphrase in " + c.passphrase_file + " (" + kPassKey +
      ") does not open this PKCS#12 file; put the export passphrase in that file (a trailing "
      "newline is ignored)";

  // 1. Integrity MAC: a mismatch with nothing on the error queue is a wrong
  //    passphrase; an error means the MAC could not be computed at all.
  if (PKCS12_mac_present(p12.get())) {
    auto mac_ok = [&] {
      ERR_clear_error();
      if (PKCS12_verify_mac(p12.get(), pass.c_str(), pass.size()) == 1) return true;
      if (pass.empty() && ERR_peek_error() == 0 && PKCS12_verify_mac(p12.get(), nullptr, 0) == 1)
        return true;
      return false;
    };
    bool ok = mac_ok();
    if (!ok && ERR_peek_error() != 0) {
      ERR_clear_error();
      if (legacy_provider().loaded) ok = mac_ok();
      if (!ok && ERR_peek_error() != 0)
        throw TlsSetupError(file + ": " + what + ": its integrity MAC cannot be computed (" +
                            openssl_error() + "); re-export it with `openssl pkcs12 -export`");
    }
    if (!ok) throw TlsSetupError(wrong_pass);
  }

  // 2. Decryption; on failure, load the legacy provider (once) and retry.
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  auto parse = [&] {
    ERR_clear_error();
    return PKCS12_parse(p12.get(), pass.c_str(), &key, &cert, &ca) == 1;
  };
  if (!parse()) {
    std::string first_error = openssl_error();
    std::string legacy = legacy_algorithm(p12.get());
    const LegacyProvider& lp = legacy_provider();
    if (!lp.loaded && !legacy.empty())
      throw TlsSetupError(
          file + ": this PKCS#12 file uses legacy encryption (RC2/3DES: " + legacy +
          ") and OpenSSL's legacy provider could not be loaded: " +
          lp.error +
          ". Install the provider, or convert the file: `openssl pkcs12 -legacy -in old.p12 "
          "-nodes | openssl pkcs12 -export -out new.p12` and point " + kP12Key + " at new.p12");
    if (!lp.loaded || !parse()) {
      std::string detail = lp.loaded ? openssl_error() : first_error;
      // OpenSSL 3.0's PKCS12_parse insists on a MAC whenever the passphrase
      // is not empty, so a MAC-less file cannot be told apart from a wrong
      // passphrase here.
      if (!PKCS12_mac_present(p12.get()))
        throw TlsSetupError(file + ": cannot open this PKCS#12 file: it has no integrity MAC (" +
                            detail + "); either the passphrase in " + c.passphrase_file + " (" +
                            kPassKey +
                            ") is wrong, or this OpenSSL (3.0) cannot open MAC-less files with a "
                            "passphrase: re-export it with a MAC, `openssl pkcs12 -in old.p12 "
                            "-nodes | openssl pkcs12 -export -out new.p12`");
      throw TlsSetupError(file + ": cannot decrypt this PKCS#12 file (" + detail +
                          (legacy.empty() ? "" : ", legacy encryption " + legacy) +
                          "); re-export it with `openssl pkcs12 -export`");
    }
  }
  Material m;
  m.key.reset(key);
  m.cert.reset(cert);
  for (int i = 0; ca && i < sk_X509_num(ca); ++i) m.chain.emplace_back(sk_X509_value(ca, i));
  sk_X509_free(ca);  // the certificates now belong to m.chain
  ERR_clear_error();
  m.cert_source = file + " (" + kP12Key + ")";
  m.key_source = m.cert_source;
  if (!m.key)
    throw TlsSetupError(file + ": this PKCS#12 file contains no private key; export the "
                        "certificate together with its key");
  if (!m.cert)
    throw TlsSetupError(file + ": this PKCS#12 file contains no certificate matching its "
                        "private key; export the client certificate together with its key");
  return m;
}

int refuse_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;  // never prompt: a daemon has no terminal
}

Material load_pem(const config::ClientCertificate& c) {
  Material m;
  m.cert_source = c.cert_file + " (" + kCertKey + ")";
  m.key_source = c.key_file + " (" + kKeyKey + ")";
  auto certs = read_certificates(
      c.cert_file, std::string("client certificate (") + kCertKey + ")",
      "give the PEM client certificate (optionally followed by its chain), not the key");
  m.cert = std::move(certs.front());
  for (std::size_t i = 1; i < certs.size(); ++i) m.chain.push_back(std::move(certs[i]));

  const std::string what = std::string("private key (") + kKeyKey + ")";
  auto bio = open_file(c.key_file, what, credential_hint(kKeyKey, "insi-auth-cli.key"));
  bool asked = false;
  ERR_clear_error();
  m.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &refuse_passphrase, &asked));
  std::string detail = m.key ? "" : openssl_error();
  if (!m.key && asked)
    throw TlsSetupError(c.key_file + ": " + what +
                        ": the key is encrypted; insgated reads an unencrypted PEM key (mode "
                        "0600), or a PKCS#12 file with a passphrase file (" + kP12Key + " + " +
                        kPassKey + "); decrypt it with `openssl pkey -in KEY -out KEY.plain`");
  if (!m.key)
    throw TlsSetupError(c.key_file + ": " + what +
                        ": no PEM private key found (expected \"-----BEGIN PRIVATE KEY-----\" "
                        "or \"-----BEGIN EC/RSA PRIVATE KEY-----\"; " + detail +
                        "); give the key file generated with the certificate request");
  return m;
}

// ---- checks -------------------------------------------------------------------

std::string utc_text(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "an unreadable date";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::chrono::system_clock::time_point time_point(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string name_cn(const X509_NAME* name) {
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string hex(const unsigned char* p, std::size_t n, const char* sep) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    if (i && *sep) out += sep;
    out += digits[p[i] >> 4];
    out += digits[p[i] & 0x0f];
  }
  return out;
}

ClientCertificateInfo check_certificate(const Material& m, const std::string& env,
                                        const std::string& file) {
  X509* cert = m.cert.get();
  ERR_clear_error();
  if (X509_check_private_key(cert, m.key.get()) != 1) {
    ERR_clear_error();
    throw TlsSetupError(
        m.key_source + ": the private key does not match the client certificate " +
        m.cert_source +
        "; give the key generated with this certificate's request (compare `openssl x509 "
        "-noout -pubkey -in CERT` with `openssl pkey -pubout -in KEY`)");
  }
  const ASN1_TIME* nb = X509_get0_notBefore(cert);
  const ASN1_TIME* na = X509_get0_notAfter(cert);
  int before = X509_cmp_current_time(nb);
  int after = X509_cmp_current_time(na);
  if (before == 0 || after == 0) {
    ERR_clear_error();
    throw TlsSetupError(m.cert_source +
                        ": the client certificate's validity dates cannot be read; "
                        "ask IGC-Santé for a new certificate");
  }
  if (before > 0)
    throw TlsSetupError(m.cert_source + ": the client certificate is not valid yet (valid from " +
                        utc_text(nb) +
                        "); check the system clock, or keep the current certificate until then");
  if (after < 0)
    throw TlsSetupError(m.cert_source + ": the client certificate expired on " + utc_text(na) +
                        "; renew it with IGC-Santé (ORG AUTH_CLI) and point insi.certificat at "
                        "the new files");

  ClientCertificateInfo info;
  info.subject_cn = name_cn(X509_get_subject_name(cert));
  if (env != "test" && info.subject_cn != "INSI-AUTO" && info.subject_cn != "INSI-MANU")
    throw TlsSetupError(
        m.cert_source + ": the client certificate's subject CN is " +
        (info.subject_cn.empty() ? std::string("missing") : "\"" + info.subject_cn + "\"") +
        "; INSi accepts only INSI-AUTO or INSI-MANU (it answers DESIR_560 otherwise): use the "
        "IGC-Santé ORG AUTH_CLI certificate ordered with one of these CNs");
  info.issuer_cn = name_cn(X509_get_issuer_name(cert));
  info.not_before = time_point(nb);
  info.not_after = time_point(na);
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, na) == 1) info.days_left = days;
  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert))
    info.serial = hex(serial->data, static_cast<std::size_t>(serial->length), "");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1) info.sha256_fingerprint = hex(md, md_len, ":");
  info.source_file = file;
  ERR_clear_error();
  return info;
}

void install(SSL_CTX* ctx, const Material& m) {
  ERR_clear_error();
  bool ok = SSL_CTX_use_certificate(ctx, m.cert.get()) == 1 &&
            SSL_CTX_use_PrivateKey(ctx, m.key.get()) == 1;
  for (std::size_t i = 0; ok && i < m.chain.size(); ++i)
    ok = SSL_CTX_add1_chain_cert(ctx, m.chain[i].get()) == 1;
  if (!ok)
    throw TlsSetupError(m.cert_source + ": OpenSSL refuses this certificate or key for TLS (" +
                        openssl_error() +
                        "), e.g. an RSA key shorter than 2048 bits or a SHA-1 signature; "
                        "use the current IGC-Santé certificate");
}

std::vector<X509Ptr> read_ca_file(const std::string& path) {
  return read_certificates(
      path, std::string("CA file (") + kCaKey + ")",
      "give the IGC-Santé CA certificates (ACR-EL.cer, ACI-EL-ORG.cer), PEM or DER");
}

/// Adds every certificate of a CA file to the store.
void add_trust_anchors(X509_STORE* store, const std::string& path) {
  for (const auto& x : read_ca_file(path)) {
    if (X509_STORE_add_cert(store, x.get()) != 1) ERR_clear_error();  // duplicates are fine
  }
}

}  // namespace

ClientTls make_client_tls(const config::InsiConfig& cfg) {
  return make_client_tls(cfg, cfg.certificate);
}

TrustStore make_trust_store(const config::InsiConfig& cfg) {
  if (cfg.ca_files.empty())
    throw TlsSetupError(std::string("no CA file (") + kCaKey +
                        "): give the IGC-Santé CA certificates (ACR-EL.cer, ACI-EL-ORG.cer) "
                        "that sign INSi's server certificate");
  TrustStore store(X509_STORE_new(), X509_STORE_free);
  if (!store) throw TlsSetupError("cannot allocate the CA store");
  for (const auto& ca : cfg.ca_files) add_trust_anchors(store.get(), ca);
  return store;
}

ClientTls make_client_tls(const config::InsiConfig& cfg, const config::ClientCertificate& c) {
  return make_client_tls(cfg, c, make_trust_store(cfg));
}

ClientTls make_client_tls(const config::InsiConfig& cfg, const config::ClientCertificate& c,
                          const TrustStore& trust) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  Material m;
  std::string file;
  if (!c.pkcs12_file.empty()) {
    m = load_pkcs12(c);
    file = c.pkcs12_file;
  } else {
    m = load_pem(c);
    file = c.cert_file;
  }
  ClientTls out;
  out.certificate = check_certificate(m, cfg.environment, file);
  install(native, m);
  SSL_CTX_set1_cert_store(native, trust.get());  // shared, reference counted
  // An idle kept-alive connection gives its TLS read/write buffers back
  // (about 34 KiB each): 500 structures' idle connections stay small.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Server verification is always on; there is no setting to turn it off.
  ctx->set_verify_mode(ssl::verify_peer);
  out.context = std::move(ctx);
  return out;
}

std::optional<std::chrono::system_clock::time_point> earliest_ca_expiry(
    const std::vector<std::string>& ca_files) {
  std::optional<std::chrono::system_clock::time_point> earliest;
  for (const auto& path : ca_files) {
    for (const auto& x : read_ca_file(path)) {
      struct tm tm {};
      if (ASN1_TIME_to_tm(X509_get0_notAfter(x.get()), &tm) != 1) {
        ERR_clear_error();
        continue;
      }
      const auto not_after = time_point(X509_get0_notAfter(x.get()));
      if (!earliest || not_after < *earliest) earliest = not_after;
    }
  }
  return earliest;
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

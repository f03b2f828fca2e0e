// insgate — client TLS set-up (insi-protocol.md §2.3, issue #4 "Certificates").
// The certificates are made by the openssl CLI in a temporary directory, once
// for the whole suite (EC P-256, fast).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/tls_setup.hpp"
#include "insi/ca_expiry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace insgate::insi {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPassphrase = "S3cr3t-Passw0rd-xyz";
constexpr const char* kDirEnv = "INSGATE_TLS_TEST_DIR";

class TlsSetupTest : public ::testing::Test {
 protected:
  static inline std::string dir_;
  static inline bool own_dir_ = false;
  static inline std::string setup_error_;

  static void SetUpTestSuite() {
    // A death-test child re-uses its parent's directory.
    if (const char* d = std::getenv(kDirEnv); d && *d && fs::exists(std::string(d) + "/done")) {
      dir_ = d;
      return;
    }
    char tmpl[] = "/tmp/insgate-tls-test-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      setup_error_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    own_dir_ = true;
    setup_error_ = make_pki();
  }

  static void TearDownTestSuite() {
    if (own_dir_) {
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << setup_error_; }

  static std::string path(const std::string& name) { return dir_ + "/" + name; }

  static void write(const std::string& name, const std::string& content) {
    std::ofstream(path(name), std::ios::binary) << content;
  }

  static std::string read(const std::string& name) {
    std::ifstream in(path(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// Runs a shell command in the test directory; "" on success, else the log.
  static std::string sh(const std::string& cmd) {
    std::string full = "cd '" + dir_ + "' && { " + cmd + " ; } >>openssl.log 2>&1";
    if (std::system(full.c_str()) == 0) return {};
    return "command failed: " + cmd + "\n" + read("openssl.log");
  }

  /// The whole test PKI; returns "" or what failed.
  static std::string make_pki() {
    write("ca.cnf",
          "[ca]\ndefault_ca = ca_default\n"
          "[ca_default]\ndir = .\ndatabase = index.txt\nnew_certs_dir = newcerts\n"
          "certificate = ca.pem\nprivate_key = ca.key\nserial = serial\n"
          "default_md = sha256\npolicy = any\nunique_subject = no\nemail_in_dn = no\n"
          "[any]\ncommonName = supplied\n");
    write(".pass", kPassphrase);
    write("nl.pass", std::string(kPassphrase) + "\n");
    write("crlf.pass", std::string(kPassphrase) + "\r\n");
    write("wrong.pass", "not-the-passphrase\n");
    const char* ec = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    const std::string ca_ext =
        "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
    std::string steps[] = {
        "mkdir -p newcerts && : >index.txt && echo 1000 >serial",
        // two CAs
        std::string("openssl req -x509 ") + ec + " -keyout ca.key -out ca.pem -days 30 " +
            "-subj '/C=FR/CN=TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS' " + ca_ext,
        std::string("openssl req -x509 ") + ec + " -keyout ca2.key -out ca2.pem -days 30 " +
            "-subj '/C=FR/CN=TEST AC RACINE IGC-SANTE ELEMENTAIRE' " + ca_ext,
        std::string("openssl req -x509 ") + ec + " -keyout ca5.key -out ca5.pem -days 5 " +
            "-subj '/C=FR/CN=TEST AC 5 JOURS' " + ca_ext,
        "cat ca.pem ca5.pem ca2.pem >ca-three.pem",
        // clients (leaf signed by a CA)
        std::string("openssl req ") + ec +
            " -keyout client.key -out client.csr -subj '/C=FR/O=EHPAD TEST/OU=123456789/CN=INSI-AUTO'",
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -set_serial 0x0A1B2C "
        "-days 30 -sha256 -out client.pem",
        std::string("openssl req ") + ec +
            " -keyout manu.key -out manu.csr -subj '/CN=INSI-MANU'",
        "openssl x509 -req -in manu.csr -CA ca2.pem -CAkey ca2.key -set_serial 7 -days 30 "
        "-out manu.pem",
        std::string("openssl req ") + ec +
            " -keyout badcn.key -out badcn.csr -subj '/C=FR/CN=INSI-AUTRE'",
        "openssl x509 -req -in badcn.csr -CA ca.pem -CAkey ca.key -set_serial 8 -days 30 "
        "-out badcn.pem",
        std::string("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key"),
        "cat client.pem ca.pem >client-chain.pem",
        // dates in the past / future: openssl x509 of OpenSSL 3.0 has no
        // -not_before/-not_after, openssl ca has -startdate/-enddate
        "openssl ca -batch -config ca.cnf -notext -in client.csr -out expired.pem "
        "-startdate 200101000000Z -enddate 210101000000Z",
        "openssl ca -batch -config ca.cnf -notext -in client.csr -out future.pem "
        "-startdate 350101000000Z -enddate 360101000000Z",
        // PKCS#12: OpenSSL 3 default (AES-256-CBC, PBKDF2) and -legacy (RC2-40 + 3DES)
        "openssl pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem "
        "-name INSI-AUTO -passout file:.pass -out modern.p12",
        "openssl pkcs12 -export -legacy -in client.pem -inkey client.key -certfile ca.pem "
        "-name INSI-AUTO -passout file:.pass -out legacy.p12",
        "openssl pkcs12 -export -nomac -in client.pem -inkey client.key "
        "-passout file:.pass -out nomac.p12",
        // an encrypted PEM key
        "openssl pkey -in client.key -aes256 -passout file:.pass -out encrypted.key",
        // CA files: DER, PEM with CRLF, a bundle of two, garbage, damaged PEM
        "openssl x509 -in ca.pem -outform DER -out ca.der",
        "sed 's/$/\\r/' ca.pem >ca-crlf.pem",
        "cat ca.pem ca2.pem >bundle.pem",
        "head -c 600 /dev/urandom >garbage.bin && printf 'just some text\\n' >garbage.pem",
        "sed '3s/^..../!!!!/' ca.pem >damaged.pem",
        "touch done",
    };
    for (const auto& s : steps)
      if (auto err = sh(s); !err.empty()) return err;
    return {};
  }

  static config::InsiConfig pem_config(const std::string& cert, const std::string& key,
                                       const std::string& env = "production") {
    config::InsiConfig c;
    c.environment = env;
    c.certificate.cert_file = path(cert);
    c.certificate.key_file = path(key);
    c.ca_files = {path("ca.pem")};
    return c;
  }

  static config::InsiConfig p12_config(const std::string& p12, const std::string& pass,
                                       const std::string& env = "production") {
    config::InsiConfig c;
    c.environment = env;
    c.certificate.pkcs12_file = path(p12);
    c.certificate.passphrase_file = path(pass);
    c.ca_files = {path("ca.pem")};
    return c;
  }

  /// The TlsSetupError message make_client_tls throws ("" if it does not).
  static std::string refusal(const config::InsiConfig& c) {
    try {
      (void)make_client_tls(c);
    } catch (const TlsSetupError& e) {
      RecordProperty("refusal", e.what());  // in --gtest_output=xml, for reading
      return e.what();
    }
    return {};
  }

  /// Whether `leaf` verifies against the trust store of `tls`.
  static bool verifies(const ClientTls& tls, const std::string& leaf) {
    FILE* f = std::fopen(path(leaf).c_str(), "rb");
    if (!f) return false;
    X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!x) return false;
    X509_STORE* store = SSL_CTX_get_cert_store(tls.context->native_handle());
    X509_STORE_CTX* vctx = X509_STORE_CTX_new();
    bool ok = X509_STORE_CTX_init(vctx, store, x, nullptr) == 1 && X509_verify_cert(vctx) == 1;
    X509_STORE_CTX_free(vctx);
    X509_free(x);
    return ok;
  }

  static void expect_client_auto(const ClientCertificateInfo& info, const std::string& file) {
    using namespace std::chrono;
    EXPECT_EQ(info.subject_cn, "INSI-AUTO");
    EXPECT_EQ(info.issuer_cn, "TEST AC IGC-SANTE ELEMENTAIRE ORGANISATIONS");
    EXPECT_EQ(info.serial, "0A1B2C");
    EXPECT_EQ(info.sha256_fingerprint.size(), 32u * 3 - 1);
    EXPECT_EQ(info.source_file, path(file));
    EXPECT_GE(info.days_left, 29);
    EXPECT_LE(info.days_left, 30);
    auto expected = system_clock::now() + hours(24 * 30);
    EXPECT_LT(std::chrono::abs(info.not_after - expected), minutes(10));
    EXPECT_LT(info.not_before, system_clock::now() + minutes(1));
  }
};

// ---- client certificate -------------------------------------------------------

TEST_F(TlsSetupTest, PemCertificateAndKeyLoadAndReportCnAndExpiry) {
  auto tls = make_client_tls(pem_config("client.pem", "client.key"));
  ASSERT_TRUE(tls.context);
  expect_client_auto(tls.certificate, "client.pem");
  EXPECT_EQ(SSL_CTX_get_verify_mode(tls.context->native_handle()) & SSL_VERIFY_PEER,
            SSL_VERIFY_PEER);
  EXPECT_TRUE(verifies(tls, "client.pem"));  // the CA file is a trust anchor
}

// Issue 12 (500 structures): the CA files are read once into one store that
// every structure's context shares, and idle connections give their TLS
// buffers back.
TEST_F(TlsSetupTest, StructuresShareOneTrustStoreAndReleaseIdleBuffers) {
  const auto cfg = pem_config("client.pem", "client.key");
  const auto trust = make_trust_store(cfg);
  auto a = make_client_tls(cfg, cfg.certificate, trust);
  auto b = make_client_tls(cfg, cfg.certificate, trust);
  EXPECT_EQ(SSL_CTX_get_cert_store(a.context->native_handle()), trust.get());
  EXPECT_EQ(SSL_CTX_get_cert_store(b.context->native_handle()), trust.get());
  EXPECT_TRUE(verifies(a, "client.pem"));
  EXPECT_TRUE(verifies(b, "client.pem"));
  EXPECT_NE(SSL_CTX_get_mode(a.context->native_handle()) & SSL_MODE_RELEASE_BUFFERS, 0L);
  auto no_ca = cfg;
  no_ca.ca_files.clear();
  EXPECT_THROW(make_trust_store(no_ca), TlsSetupError);
}

// Issue 20: insgate_certificate_expiry_timestamp_seconds{usage="insi_ca"}
// is the first trust anchor to expire, over every certificate of every file.
TEST_F(TlsSetupTest, EarliestCaExpiryIsReported) {
  const auto days_from_now = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double, std::ratio<86400>>(t - std::chrono::system_clock::now())
        .count();
  };
  auto one = earliest_ca_expiry({path("ca.pem")});
  ASSERT_TRUE(one.has_value());
  EXPECT_NEAR(days_from_now(*one), 30, 1);
  auto three = earliest_ca_expiry({path("ca-three.pem")});  // 30, 5 and 30 days in one file
  ASSERT_TRUE(three.has_value());
  EXPECT_NEAR(days_from_now(*three), 5, 1);
  EXPECT_EQ(earliest_ca_expiry({path("ca2.pem"), path("ca5.pem"), path("ca.pem")}), three);
  EXPECT_FALSE(earliest_ca_expiry({}).has_value());
  EXPECT_THROW(earliest_ca_expiry({path("client.key")}), TlsSetupError);
}

TEST_F(TlsSetupTest, PemCertificateWithChainLoads) {
  auto tls = make_client_tls(pem_config("client-chain.pem", "client.key"));
  expect_client_auto(tls.certificate, "client-chain.pem");
  STACK_OF(X509)* chain = nullptr;
  ASSERT_EQ(SSL_CTX_get0_chain_certs(tls.context->native_handle(), &chain), 1);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(sk_X509_num(chain), 1);
}

TEST_F(TlsSetupTest, InsiManuIsAccepted) {
  auto c = pem_config("manu.pem", "manu.key", "qualification");
  c.ca_files = {path("ca2.pem")};
  EXPECT_EQ(make_client_tls(c).certificate.subject_cn, "INSI-MANU");
}

TEST_F(TlsSetupTest, KeyMismatchIsRefusedWithItsMessage) {
  auto msg = refusal(pem_config("client.pem", "other.key"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("other.key")), HasSubstr(path("client.pem")),
                         HasSubstr("does not match"), HasSubstr("insi.certificat.cle")));
}

TEST_F(TlsSetupTest, ExpiredCertificateIsRefused) {
  auto msg = refusal(pem_config("expired.pem", "client.key"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("expired.pem")), HasSubstr("expired on 2021-01-01"),
                         HasSubstr("renew it")));
}

TEST_F(TlsSetupTest, NotYetValidCertificateIsRefused) {
  auto msg = refusal(pem_config("future.pem", "client.key"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("future.pem")), HasSubstr("not valid yet"),
                         HasSubstr("2035-01-01"), HasSubstr("system clock")));
}

TEST_F(TlsSetupTest, WrongCnIsRefusedOutsideTest) {
  for (const char* env : {"production", "qualification"}) {
    auto msg = refusal(pem_config("badcn.pem", "badcn.key", env));
    EXPECT_THAT(msg, AllOf(HasSubstr(path("badcn.pem")), HasSubstr("\"INSI-AUTRE\""),
                           HasSubstr("INSI-AUTO or INSI-MANU")))
        << env;
  }
}

TEST_F(TlsSetupTest, WrongCnIsAcceptedInTest) {
  auto tls = make_client_tls(pem_config("badcn.pem", "badcn.key", "test"));
  EXPECT_EQ(tls.certificate.subject_cn, "INSI-AUTRE");
}

TEST_F(TlsSetupTest, KeyGivenAsCertificateIsNotACertificate) {
  auto msg = refusal(pem_config("client.key", "client.key"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("client.key")), HasSubstr("no certificate found"),
                         HasSubstr("insi.certificat.certificat")));
  EXPECT_THAT(msg, Not(HasSubstr("PRIVATE KEY-----\n")));
}

TEST_F(TlsSetupTest, MissingFilesAreNamed) {
  EXPECT_THAT(refusal(pem_config("absent.pem", "client.key")),
              AllOf(HasSubstr(path("absent.pem")), HasSubstr("file not found")));
  EXPECT_THAT(refusal(pem_config("client.pem", "absent.key")),
              AllOf(HasSubstr(path("absent.key")), HasSubstr("file not found"),
                    HasSubstr("insi.certificat.cle")));
  EXPECT_THAT(refusal(pem_config("newcerts", "client.key")),
              AllOf(HasSubstr(path("newcerts")), HasSubstr("is a directory")));
}

// Issue 17 item 10: a key the service cannot read points at the unit's
// credential (LoadCredential=), not at making the key world-readable. As
// root, the check runs in a child that became nobody.
TEST_F(TlsSetupTest, UnreadableKeyPointsAtLoadCredential) {
  const std::string key = path("unreadable.key");
  fs::copy_file(path("client.key"), key, fs::copy_options::overwrite_existing);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  const auto cfg = pem_config("client.pem", "unreadable.key");
  std::string msg;
  if (::geteuid() != 0) {
    fs::permissions(key, fs::perms::none);
    msg = refusal(cfg);
  } else {
    // nobody may reach the directory and read the certificate, not the key.
    const auto dir_perms = fs::status(dir_).permissions();
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      std::string out = "setuid failed";
      if (::setgid(65534) == 0 && ::setuid(65534) == 0) out = refusal(cfg);
      (void)!::write(fds[1], out.data(), out.size());
      ::_exit(0);
    }
    ::close(fds[1]);
    char buf[2048];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, n);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    fs::permissions(dir_, dir_perms);
  }
  fs::remove(key);
  EXPECT_THAT(msg, AllOf(HasSubstr(key), HasSubstr("cannot be read"),
                         HasSubstr("LoadCredential=insi-auth-cli.key"),
                         HasSubstr("${CREDENTIALS_DIRECTORY}/insi-auth-cli.key"),
                         HasSubstr("insi.certificat.cle")));
}

TEST_F(TlsSetupTest, CertificateGivenAsKeyIsRefused) {
  auto msg = refusal(pem_config("client.pem", "client.pem"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("client.pem")), HasSubstr("no PEM private key")));
}

TEST_F(TlsSetupTest, EncryptedPemKeyIsRefusedWithoutPrompting) {
  auto msg = refusal(pem_config("client.pem", "encrypted.key"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("encrypted.key")), HasSubstr("encrypted"),
                         HasSubstr("insi.certificat.pkcs12")));
}

// ---- PKCS#12 ------------------------------------------------------------------

TEST_F(TlsSetupTest, ModernPkcs12Loads) {
  auto tls = make_client_tls(p12_config("modern.p12", ".pass"));
  expect_client_auto(tls.certificate, "modern.p12");
}

TEST_F(TlsSetupTest, LegacyPkcs12Loads) {
  auto tls = make_client_tls(p12_config("legacy.p12", ".pass"));
  expect_client_auto(tls.certificate, "legacy.p12");
  // and again, the provider being loaded already
  EXPECT_EQ(make_client_tls(p12_config("legacy.p12", ".pass")).certificate.subject_cn,
            "INSI-AUTO");
}

TEST_F(TlsSetupTest, PassphraseFileWithTrailingNewlineWorks) {
  EXPECT_EQ(make_client_tls(p12_config("modern.p12", "nl.pass")).certificate.subject_cn,
            "INSI-AUTO");
  EXPECT_EQ(make_client_tls(p12_config("legacy.p12", "crlf.pass")).certificate.subject_cn,
            "INSI-AUTO");
}

TEST_F(TlsSetupTest, WrongPassphraseHasItsOwnMessage) {
  for (const char* p12 : {"modern.p12", "legacy.p12"}) {
    auto msg = refusal(p12_config(p12, "wrong.pass"));
    EXPECT_THAT(msg, AllOf(HasSubstr(path(p12)), HasSubstr("wrong passphrase"),
                           HasSubstr(path("wrong.pass")),
                           HasSubstr("insi.certificat.phrase_secrete_fichier")))
        << p12;
    EXPECT_THAT(msg, AllOf(Not(HasSubstr("not-the-passphrase")), Not(HasSubstr(kPassphrase))));
  }
}

// OpenSSL 3.0's PKCS12_parse cannot open a MAC-less file with a non-empty
// passphrase (even the right one): the refusal says so and how to re-export.
TEST_F(TlsSetupTest, Pkcs12WithoutMacIsExplained) {
  for (const char* pass : {".pass", "wrong.pass"}) {
    auto msg = refusal(p12_config("nomac.p12", pass));
    EXPECT_THAT(msg, AllOf(HasSubstr(path("nomac.p12")), HasSubstr("no integrity MAC"),
                           HasSubstr(path(pass)), HasSubstr("openssl pkcs12 -export")))
        << pass;
    EXPECT_THAT(msg, AllOf(Not(HasSubstr("not-the-passphrase")), Not(HasSubstr(kPassphrase))));
  }
}

TEST_F(TlsSetupTest, PemFileGivenAsPkcs12IsRefused) {
  auto msg = refusal(p12_config("client.pem", ".pass"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("client.pem")), HasSubstr("not a PKCS#12 file")));
}

TEST_F(TlsSetupTest, MissingPassphraseFileIsNamed) {
  auto msg = refusal(p12_config("modern.p12", "absent.pass"));
  EXPECT_THAT(msg, AllOf(HasSubstr(path("absent.pass")), HasSubstr("file not found"),
                         HasSubstr("insi.certificat.phrase_secrete_fichier")));
}

// Run in a fresh process (the legacy provider is loaded at most once per
// process), with OPENSSL_MODULES pointing at a directory without legacy.so.
TEST_F(TlsSetupTest, LegacyPkcs12WithoutLegacyProviderSaysWhy) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  setenv(kDirEnv, dir_.c_str(), 1);
  auto cfg = p12_config("legacy.p12", ".pass");
  std::string empty_modules = path("newcerts");
  EXPECT_EXIT(
      {
        setenv("OPENSSL_MODULES", empty_modules.c_str(), 1);
        std::string msg = refusal(cfg);
        std::fprintf(stderr, "%s\n", msg.c_str());
        std::exit(msg.empty() ? 1 : 3);
      },
      ::testing::ExitedWithCode(3),
      "uses legacy encryption \\(RC2/3DES.*OpenSSL's legacy provider could not be loaded.*"
      "openssl pkcs12 -legacy -in old.p12 -nodes \\| openssl pkcs12 -export -out new.p12");
  unsetenv(kDirEnv);
}

// ---- CA files -------------------------------------------------------------------

TEST_F(TlsSetupTest, CaAsDerLoads) {
  auto c = pem_config("client.pem", "client.key");
  c.ca_files = {path("ca.der")};
  auto tls = make_client_tls(c);
  EXPECT_TRUE(verifies(tls, "client.pem"));
}

TEST_F(TlsSetupTest, CaAsPemWithCrlfLoads) {
  ASSERT_NE(read("ca-crlf.pem").find("\r\n"), std::string::npos);
  auto c = pem_config("client.pem", "client.key");
  c.ca_files = {path("ca-crlf.pem")};
  EXPECT_TRUE(verifies(make_client_tls(c), "client.pem"));
}

TEST_F(TlsSetupTest, CaBundleWithTwoCertificatesLoadsBoth) {
  auto c = pem_config("client.pem", "client.key");
  c.ca_files = {path("bundle.pem")};
  auto tls = make_client_tls(c);
  EXPECT_TRUE(verifies(tls, "client.pem"));  // signed by ca
  EXPECT_TRUE(verifies(tls, "manu.pem"));    // signed by ca2
  c.ca_files = {path("ca.pem")};
  EXPECT_FALSE(verifies(make_client_tls(c), "manu.pem"));
}

TEST_F(TlsSetupTest, SeveralCaFilesLoad) {
  auto c = pem_config("client.pem", "client.key");
  c.ca_files = {path("ca.der"), path("ca2.pem")};
  auto tls = make_client_tls(c);
  EXPECT_TRUE(verifies(tls, "client.pem"));
  EXPECT_TRUE(verifies(tls, "manu.pem"));
}

TEST_F(TlsSetupTest, CaFileWithGarbageIsRefused) {
  for (const char* f : {"garbage.pem", "garbage.bin", "client.key"}) {
    auto c = pem_config("client.pem", "client.key");
    c.ca_files = {path("ca.pem"), path(f)};
    EXPECT_THAT(refusal(c), AllOf(HasSubstr(path(f)), HasSubstr("CA file (insi.ca)"),
                                  HasSubstr("no certificate found")))
        << f;
  }
}

TEST_F(TlsSetupTest, DamagedPemCaIsRefused) {
  auto c = pem_config("client.pem", "client.key");
  c.ca_files = {path("damaged.pem")};
  EXPECT_THAT(refusal(c), AllOf(HasSubstr(path("damaged.pem")), HasSubstr("damaged")));
}

TEST_F(TlsSetupTest, NoCaFileIsRefused) {
  auto c = pem_config("client.pem", "client.key");
  c.ca_files.clear();
  EXPECT_THAT(refusal(c), HasSubstr("no CA file (insi.ca)"));
}

}  // namespace
}  // namespace insgate::insi

// insgate unit tests — the optional WS-Security signature of INSi requests
// (xml_signature.hpp): signed envelopes are verified by an independent
// implementation, xmlsec1 (Debian package xmlsec1, listed in
// scripts/install-deps). These tests fail, never skip, when it is missing.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>

#include "insi/soap_codec.hpp"
#include "insi/xml_signature.hpp"
#include "process.hpp"
#include "util/openssl_ptr.hpp"

using namespace insgate::insi;
namespace fs = std::filesystem;

namespace {

using insgate::util::PkeyPtr;
using insgate::util::X509Ptr;

/// A throw-away key (RSA 2048, EC P-256 or Ed25519) with a self-signed
/// certificate, CN=INSI-AUTO, made in memory.
struct TestIdentity {
  PkeyPtr key;
  X509Ptr cert;
};

TestIdentity make_identity(const std::string& type) {
  TestIdentity id;
  if (type == "RSA")
    id.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  else if (type == "EC")
    id.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  else
    id.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, type.c_str()));
  if (!id.key) return id;
  id.cert.reset(X509_new());
  X509* x = id.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("FR"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("INSI-AUTO"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_set_pubkey(x, id.key.get());
  const EVP_MD* md = type == "ED25519" ? nullptr : EVP_sha256();
  if (X509_sign(x, id.key.get(), md) <= 0) id.cert.reset();
  return id;
}

CallContext context(std::shared_ptr<const XmlSigner> signer) {
  CallContext c;
  c.emetteur = "010000001";
  c.lps = {"IDAM-TEST", "insgate", "0.1.0", "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"};
  c.signer = std::move(signer);
  return c;
}
EnvelopeIds ids() {
  return {"0d5b5f7e-1111-4aaa-8bbb-222222222222", "0d5b5f7e-3333-4aaa-8bbb-444444444444",
          "0d5b5f7e-5555-4aaa-8bbb-666666666666", "2026-11-30T08:15:03.120Z"};
}
RechercheTraits traits() { return {"D'ARTAGNAN", "PIERRE-ALAIN", "M", "2001-06-17", std::string("2A004")}; }

std::string find_xmlsec1() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    std::string p = std::string(dir) + "/xmlsec1";
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

/// A temp dir with the certificate (public) of one identity; runs xmlsec1.
class Verifier {
 public:
  explicit Verifier(X509* cert) {
    char tmpl[] = "/tmp/insgate-xmlsig.XXXXXX";
    dir_ = mkdtemp(tmpl);
    FILE* f = std::fopen((dir_ / "cert.pem").c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
  }
  ~Verifier() { fs::remove_all(dir_); }

  /// True when xmlsec1 verifies the signature of `xml`; its report in `log`.
  bool verify(const std::string& xml, std::string& log) const {
    static int n = 0;
    fs::path doc = dir_ / ("envelope" + std::to_string(++n) + ".xml");
    std::ofstream(doc, std::ios::binary) << xml;
    fs::path out = dir_ / "xmlsec1.log";
    int rc = insgate::testing::run_command(
        {find_xmlsec1(), "--verify", "--pubkey-cert-pem", (dir_ / "cert.pem").string(),
         "--id-attr:Id", "http://www.w3.org/2003/05/soap-envelope:Body", "--id-attr:Id",
         "http://www.w3.org/2005/08/addressing:Action", "--id-attr:Id",
         "http://www.w3.org/2005/08/addressing:MessageID", doc.string()},
        out.string());
    log = insgate::testing::read_file(out.string());
    fs::remove(out);
    return rc == 0;
  }

 private:
  fs::path dir_;
};

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  auto p = s.find(from);
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

class XmlSignature : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(find_xmlsec1().empty())
        << "xmlsec1 missing: these tests verify signatures with it and never skip; install "
           "the Debian package xmlsec1 (scripts/install-deps)";
    id_ = make_identity(GetParam());
    ASSERT_TRUE(id_.key && id_.cert) << "cannot make a test " << GetParam() << " identity";
    signer_ = std::make_shared<const XmlSigner>(id_.cert.get(), id_.key.get());
  }
  TestIdentity id_;
  std::shared_ptr<const XmlSigner> signer_;
};

TEST_P(XmlSignature, signed_traits_request_verifies_with_xmlsec1) {
  std::string xml = build_recherche_traits(context(signer_), traits(), ids());
  Verifier v(id_.cert.get());
  std::string log;
  EXPECT_TRUE(v.verify(xml, log)) << log << "\n" << xml;
  EXPECT_NE(log.find("OK"), std::string::npos) << log;
}

TEST_P(XmlSignature, signature_has_the_documented_shape) {
  std::string xml = build_recherche_traits(context(signer_), traits(), ids());
  const char* method = GetParam() == "RSA" ? "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
                                           : "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
  EXPECT_EQ(signer_->algorithm(), GetParam() == "RSA" ? SignatureAlgorithm::rsa_sha256
                                                      : SignatureAlgorithm::ecdsa_sha256);
  EXPECT_NE(xml.find(std::string("SignatureMethod Algorithm=\"") + method + "\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\""),
            std::string::npos);
  // Exactly three references: the Body and the two addressing headers.
  std::regex ref("<ds:Reference URI=\"#([^\"]+)\"");
  std::vector<std::string> uris;
  for (std::sregex_iterator it(xml.begin(), xml.end(), ref), end; it != end; ++it)
    uris.push_back((*it)[1]);
  std::sort(uris.begin(), uris.end());
  EXPECT_EQ(uris, (std::vector<std::string>{"Body", "wsa-Action", "wsa-MessageID"})) << xml;
  EXPECT_NE(xml.find("wsu:Id=\"Body\""), std::string::npos);
  EXPECT_NE(xml.find("wsu:Id=\"wsa-Action\""), std::string::npos);
  EXPECT_NE(xml.find("wsu:Id=\"wsa-MessageID\""), std::string::npos);
  EXPECT_NE(xml.find("<wsse:BinarySecurityToken"), std::string::npos);
  EXPECT_NE(xml.find("<wsse:Reference URI=\"#X509Token\""), std::string::npos);
  // The signed envelope is still a request the simulator reads.
  auto back = parse_request(xml);
  ASSERT_TRUE(std::holds_alternative<ReceivedRequest>(back));
  const auto& rq = std::get<ReceivedRequest>(back);
  EXPECT_TRUE(rq.is_recherche_traits);
  EXPECT_EQ(rq.traits.nom_naissance, "D'ARTAGNAN");
  EXPECT_EQ(rq.message_id, "uuid:0d5b5f7e-5555-4aaa-8bbb-666666666666");
  EXPECT_TRUE(rq.has_wsse_security);
  EXPECT_TRUE(rq.has_xml_signature);
}

TEST_P(XmlSignature, tampered_body_or_headers_fail_verification) {
  std::string xml = build_recherche_traits(context(signer_), traits(), ids());
  Verifier v(id_.cert.get());
  std::string log;
  ASSERT_TRUE(v.verify(xml, log)) << log;

  std::string body = replace_once(xml, "<rs:Prenom>PIERRE-ALAIN</rs:Prenom>",
                                  "<rs:Prenom>PIERRE-ALAINE</rs:Prenom>");
  ASSERT_NE(body, xml);
  EXPECT_FALSE(v.verify(body, log)) << "a changed Body text must break the signature";

  std::string mid = replace_once(xml, "uuid:0d5b5f7e-5555-4aaa-8bbb-666666666666<",
                                 "uuid:0d5b5f7e-5555-4aaa-8bbb-666666666667<");
  ASSERT_NE(mid, xml);
  EXPECT_FALSE(v.verify(mid, log)) << "a changed MessageID must break the signature";

  std::string action = replace_once(xml, ":rechercherInsAvecTraitsIdentite<",
                                    ":rechercherInsAvecCarteVitale<");
  ASSERT_NE(action, xml);
  EXPECT_FALSE(v.verify(action, log)) << "a changed Action must break the signature";
}

TEST_P(XmlSignature, another_key_does_not_verify) {
  std::string xml = build_recherche_traits(context(signer_), traits(), ids());
  TestIdentity other = make_identity(GetParam());
  ASSERT_TRUE(other.cert);
  Verifier v(other.cert.get());
  std::string log;
  EXPECT_FALSE(v.verify(xml, log));
}

TEST_P(XmlSignature, signed_vitale_request_without_assertion_verifies) {
  RechercheVitale card;
  card.nir_ouvrant_droit = NirCarte{"1750763220112", std::nullopt};
  card.date_naissance = "2009-07-14";
  card.rang_naissance = "1";
  std::string xml = build_recherche_vitale(context(signer_), card, ids(), std::nullopt);
  Verifier v(id_.cert.get());
  std::string log;
  EXPECT_TRUE(v.verify(xml, log)) << log << "\n" << xml;
  EXPECT_NE(xml.find(":rechercherInsAvecCarteVitale</wsa:Action>"), std::string::npos);
}

TEST_P(XmlSignature, vitale_assertion_and_signature_are_refused_together) {
  RechercheVitale card;
  card.nir_ouvrant_droit = NirCarte{"1750763220112", std::nullopt};
  card.date_naissance = "2009-07-14";
  card.rang_naissance = "1";
  const std::string assertion =
      R"(<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1">x</saml2:Assertion>)";
  try {
    (void)build_recherche_vitale(context(signer_), card, ids(), assertion);
    FAIL() << "a signed envelope with a Vitale-card assertion must be refused";
  } catch (const XmlSignatureError& e) {
    EXPECT_NE(std::string(e.what()).find("insi.signature_xml"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("1750763220112"), std::string::npos) << "no identity data";
  }
}

TEST_P(XmlSignature, every_call_is_signed_afresh) {
  auto other = ids();
  other.message_id = "0d5b5f7e-7777-4aaa-8bbb-888888888888";
  std::string a = build_recherche_traits(context(signer_), traits(), ids());
  std::string b = build_recherche_traits(context(signer_), traits(), other);
  Verifier v(id_.cert.get());
  std::string log;
  EXPECT_TRUE(v.verify(a, log)) << log;
  EXPECT_TRUE(v.verify(b, log)) << log;
  auto digest_of = [](const std::string& xml) {
    std::smatch m;
    std::regex re("URI=\"#wsa-MessageID\">.*?<ds:DigestValue>([^<]+)<");
    return std::regex_search(xml, m, re) ? m[1].str() : std::string();
  };
  EXPECT_FALSE(digest_of(a).empty()) << a;
  EXPECT_NE(digest_of(a), digest_of(b));
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, XmlSignature, ::testing::Values("RSA", "EC"));

TEST(XmlSignerKeys, unsupported_key_type_is_a_clear_error) {
  TestIdentity ed = make_identity("ED25519");
  ASSERT_TRUE(ed.key && ed.cert);
  try {
    XmlSigner signer(ed.cert.get(), ed.key.get());
    FAIL() << "Ed25519 cannot make RSA-SHA256 or ECDSA-SHA256 signatures";
  } catch (const XmlSignatureError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("RSA or EC"), std::string::npos) << what;
    EXPECT_NE(what.find("insi.signature_xml"), std::string::npos) << what;
  }
}

TEST(XmlSignerKeys, missing_certificate_or_key_is_an_error) {
  EXPECT_THROW(XmlSigner(nullptr, nullptr), XmlSignatureError);
  EXPECT_THROW((void)XmlSigner::from_tls_context(nullptr), XmlSignatureError);
}

TEST(XmlSignerKeys, signer_keeps_its_own_references) {
  // The caller may drop its key and certificate: the signer shares them.
  TestIdentity id = make_identity("EC");
  ASSERT_TRUE(id.key && id.cert);
  auto signer = std::make_shared<const XmlSigner>(id.cert.get(), id.key.get());
  X509Ptr cert_copy(X509_dup(id.cert.get()));
  id.key.reset();
  id.cert.reset();
  std::string xml = build_recherche_traits(context(signer), traits(), ids());
  Verifier v(cert_copy.get());
  std::string log;
  EXPECT_TRUE(v.verify(xml, log)) << log;
}

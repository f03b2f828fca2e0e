// Conformance: every envelope the client produces validates against the
// official INSi XSDs of ../shared/insi/wsdl (xmllint, offline, with our own
// SOAP 1.2 envelope schema and WS-Addressing stub; gsoap-notes.md §2).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "insi/soap_codec.hpp"
#include "process.hpp"
#include "shared_data.hpp"

using namespace insgate::insi;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

/// A temp dir with the validation schema (importing the official XSDs by
/// absolute path), a WS-Addressing stub, and a catalog for the stub.
class SchemaChecker {
 public:
  SchemaChecker() {
    char tmpl[] = "/tmp/insgate-xsd.XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string xsd = insgate::testing::shared_dir() + "/insi/wsdl/xsd/";
    write(dir_ / "wsa-stub.xsd", R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:wsa="http://www.w3.org/2005/08/addressing"
  targetNamespace="http://www.w3.org/2005/08/addressing" elementFormDefault="qualified">
  <xs:complexType name="AttributedURIType"><xs:simpleContent><xs:extension base="xs:anyURI">
    <xs:anyAttribute namespace="##other" processContents="lax"/></xs:extension></xs:simpleContent></xs:complexType>
  <xs:element name="Action" type="wsa:AttributedURIType"/>
  <xs:element name="MessageID" type="wsa:AttributedURIType"/>
</xs:schema>)");
    write(dir_ / "catalog.xml", R"(<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <system systemId="http://www.w3.org/2006/03/addressing/ws-addr.xsd" uri="wsa-stub.xsd"/>
  <uri name="http://www.w3.org/2006/03/addressing/ws-addr.xsd" uri="wsa-stub.xsd"/>
</catalog>)");
    auto imp = [&](const char* ns, const std::string& file) {
      return std::string("  <xs:import namespace=\"") + ns + "\" schemaLocation=\"file://" + xsd +
             file + "\"/>\n";
    };
    std::string part = R"(<xs:complexType><xs:sequence>
        <xs:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence><xs:anyAttribute namespace="##other" processContents="lax"/></xs:complexType>)";
    write(dir_ / "envelope-check.xsd",
          std::string(R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.w3.org/2003/05/soap-envelope"
  elementFormDefault="qualified">
)") + imp("urn:siram:bam:ctxbam", "CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd") +
              imp("urn:siram:lps:ctxlps", "CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd") +
              imp("http://www.cnamts.fr/INSiRecSans", "ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd") +
              imp("http://www.cnamts.fr/INSiRecVit", "ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd") +
              imp("http://www.cnamts.fr/INSiResultat", "ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd") +
              imp("urn:siram", "schema_faultSOAP_V01_01.xsd") +
              R"(  <xs:import namespace="http://www.w3.org/2005/08/addressing" schemaLocation="http://www.w3.org/2006/03/addressing/ws-addr.xsd"/>
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element name="Header" minOccurs="0">)" + part + R"(</xs:element>
    <xs:element name="Body">)" + part + R"(</xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>)");
  }
  ~SchemaChecker() { fs::remove_all(dir_); }

  /// True when xmllint validates `xml`; the report goes to `log`.
  bool valid(const std::string& xml, std::string& log) {
    static int n = 0;
    fs::path doc = dir_ / ("doc" + std::to_string(++n) + ".xml");
    write(doc, xml);
    fs::path out = dir_ / "xmllint.log";
    std::string catalog = (dir_ / "catalog.xml").string();
    setenv("XML_CATALOG_FILES", catalog.c_str(), 1);
    int rc = insgate::testing::run_command({"/usr/bin/xmllint", "--nonet", "--noout", "--schema",
                                            (dir_ / "envelope-check.xsd").string(), doc.string()},
                                           out.string());
    log = insgate::testing::read_file(out.string());
    fs::remove(out);
    return rc == 0;
  }

 private:
  fs::path dir_;
};

CallContext context() {
  return {"010000001", {"IDAM-TEST", "insgate", "0.1.0", "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}};
}
EnvelopeIds ids() {
  return {"0d5b5f7e-1111-4aaa-8bbb-222222222222", "0d5b5f7e-3333-4aaa-8bbb-444444444444",
          "0d5b5f7e-5555-4aaa-8bbb-666666666666", "2026-11-30T08:15:03.120Z"};
}

}  // namespace

class RequestSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_SHARED_DATA_PRESENT();
    ASSERT_TRUE(fs::exists("/usr/bin/xmllint")) << "xmllint missing (Debian libxml2-utils)";
  }
  SchemaChecker checker;
};

TEST_F(RequestSchema, recherche_traits_envelope_validates) {
  std::string log;
  RechercheTraits t{"ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", std::nullopt};
  EXPECT_TRUE(checker.valid(build_recherche_traits(context(), t, ids()), log)) << log;
}

TEST_F(RequestSchema, envelope_with_birthplace_and_apostrophe_validates) {
  std::string log;
  RechercheTraits t{"D'ARTAGNAN DE L'HERAULT", "PIERRE-ALAIN", "M", "2001-06-17",
                    std::string("2A004")};
  std::string xml = build_recherche_traits(context(), t, ids());
  EXPECT_TRUE(checker.valid(xml, log)) << log;
  EXPECT_NE(xml.find("<rs:LieuNaissance>2A004</rs:LieuNaissance>"), std::string::npos);
}

TEST_F(RequestSchema, envelope_carries_headers_in_the_spec_order) {
  RechercheTraits t{"ADRTROIS", "TOUSSAINT", "M", "1960-01-01", std::nullopt};
  std::string xml = build_recherche_traits(context(), t, ids());
  auto bam = xml.find("ContexteBAM Version=\"01_02\"");
  auto lps = xml.find("ContexteLPS");
  auto action = xml.find(
      "<wsa:Action>urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite</wsa:Action>");
  auto mid = xml.find("<wsa:MessageID>uuid:0d5b5f7e-5555-4aaa-8bbb-666666666666</wsa:MessageID>");
  ASSERT_NE(bam, std::string::npos);
  ASSERT_NE(lps, std::string::npos);
  ASSERT_NE(action, std::string::npos);
  ASSERT_NE(mid, std::string::npos);
  EXPECT_LT(bam, lps);
  EXPECT_LT(lps, action);
  EXPECT_LT(action, mid);
  EXPECT_NE(xml.find("<ctxlps:IDAM R=\"4\">IDAM-TEST</ctxlps:IDAM>"), std::string::npos);
  EXPECT_NE(xml.find("<ctxlps:Nom>urn:lps:insgate:0.1.0</ctxlps:Nom>"), std::string::npos);
  EXPECT_EQ(xml.find("mustUnderstand"), std::string::npos);
  EXPECT_EQ(xml.find("Security"), std::string::npos) << "mTLS mode sends no wsse:Security";
}

TEST_F(RequestSchema, recherche_vitale_envelope_validates) {
  std::string log;
  RechercheVitale v;
  v.nir_individu = NirCarte{"1090763220834", std::string("89")};
  v.nir_ouvrant_droit = NirCarte{"1750763220112", std::nullopt};
  v.nom_naissance = "ECETINSI";
  v.date_naissance = "2009-07-14";
  v.rang_naissance = "1";
  v.couverture = {std::string("01"), std::string("631"), std::string("0001")};
  std::string xml = build_recherche_vitale(context(), v, ids(), std::nullopt);
  EXPECT_TRUE(checker.valid(xml, log)) << log;
  EXPECT_NE(xml.find("<ctxbam:ASSURE><ctxbam:Id><ctxbam:Num>1750763220112</ctxbam:Num>"),
            std::string::npos);
  EXPECT_NE(xml.find("rechercherInsAvecCarteVitale</wsa:Action>"), std::string::npos);
  EXPECT_EQ(xml.find("Security"), std::string::npos) << "no assertion given, none sent";
}

TEST_F(RequestSchema, vitale_assertion_is_carried_verbatim_in_wsse_security) {
  RechercheVitale v;
  v.nir_ouvrant_droit = NirCarte{"1750763220112", std::nullopt};
  v.date_naissance = "2009-07-14";
  v.rang_naissance = "1";
  const std::string assertion =
      R"(<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1">x</saml2:Assertion>)";
  std::string xml = build_recherche_vitale(context(), v, ids(), assertion);
  EXPECT_NE(xml.find("<wsse:Security>" + assertion + "</wsse:Security>"), std::string::npos) << xml;
  auto back = parse_request(xml);
  ASSERT_TRUE(std::holds_alternative<ReceivedRequest>(back));
  EXPECT_EQ(std::get<ReceivedRequest>(back).wsse_security_xml, assertion);
  ASSERT_TRUE(std::get<ReceivedRequest>(back).vitale.has_value());
  EXPECT_EQ(std::get<ReceivedRequest>(back).vitale->nir_ouvrant_droit.matricule, "1750763220112");
}

TEST_F(RequestSchema, validator_rejects_a_broken_envelope) {
  // Proves the check is real: a misspelt header element must fail.
  std::string log;
  RechercheTraits t{"ADRTROIS", "TOUSSAINT", "M", "1960-01-01", std::nullopt};
  std::string xml = build_recherche_traits(context(), t, ids());
  auto p = xml.find("wsa:MessageID");
  xml.replace(p, 13, "wsa:MessageId");
  p = xml.find("/wsa:MessageID");
  xml.replace(p, 14, "/wsa:MessageId");
  EXPECT_FALSE(checker.valid(xml, log));
  std::string no_couverture = build_recherche_traits(context(), t, ids());
  p = no_couverture.find("<ctxbam:COUVERTURE></ctxbam:COUVERTURE>");
  ASSERT_NE(p, std::string::npos);
  no_couverture.erase(p, std::string("<ctxbam:COUVERTURE></ctxbam:COUVERTURE>").size());
  EXPECT_FALSE(checker.valid(no_couverture, log));
}

TEST_F(RequestSchema, simulator_resultat_validates_too) {
  std::string log;
  Resultat r;
  r.code_cr = "00";
  r.libelle_cr = "OK";
  Individu ind;
  ind.ins_actif = {"1090763220834", "89", "1.2.250.1.213.1.4.8", std::nullopt, std::nullopt};
  ind.ins_histo.push_back({"2090763220834", "39", "1.2.250.1.213.1.4.8", "2019-03-01", "2019-02-28"});
  ind.tiq.nom_naissance = "ECETINSI";
  ind.tiq.liste_prenoms = "PIERRE-ALAIN MURIEL FLORIANT";
  ind.tiq.sexe = "M";
  ind.tiq.date_naissance = "2009-07-14";
  ind.tiq.lieu_naissance = "63220";
  r.individu = ind;
  EXPECT_TRUE(checker.valid(build_resultat(r), log)) << log;
}

TEST(SimulatorFault, fault_envelope_reads_back_identically) {
  Fault f{"Sender", "siram_40", "Le service est temporairement inaccessible.", "desir_1020",
          "fatale", "Le service appelé est temporairement indisponible", std::string("uuid:x")};
  Response r = parse_response(build_fault(f));
  ASSERT_TRUE(std::holds_alternative<Fault>(r));
  const auto& back = std::get<Fault>(r);
  EXPECT_EQ(back.code, f.code);
  EXPECT_EQ(back.subcode, f.subcode);
  EXPECT_EQ(back.reason, f.reason);
  EXPECT_EQ(back.erreur_code, f.erreur_code);
  EXPECT_EQ(back.erreur_severite, f.erreur_severite);
  EXPECT_EQ(back.erreur_message, f.erreur_message);
  EXPECT_EQ(back.message_id, f.message_id);
}

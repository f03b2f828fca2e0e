// Unit tests of identity/representations.hpp against the examples of
// ins-identity-rules.md §5.1 (PID-3, PID-32), §5.2 (FHIR identifier) and
// §5.4 (MSSanté address).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/representations.hpp"

#include <gtest/gtest.h>

namespace insgate::identity {
namespace {

using S = RnivStatus;

const Ins kCorsica{"292032A004012", "33", std::string(oid::nir)};  // §5.1/§5.2 example

Ins nia() { return Ins{"8950499109123", "01", std::string(oid::nia)}; }

// ---- HL7 PID-3 ----

TEST(Hl7Pid3Test, qualified_nir_matches_the_spec_example) {
  EXPECT_EQ(hl7_pid3_ins(kCorsica, S::qualifiee),
            "292032A00401233^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS");
}

TEST(Hl7Pid3Test, nia_uses_the_nia_namespace) {
  EXPECT_EQ(hl7_pid3_ins(nia(), S::qualifiee),
            "895049910912301^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS");
}

TEST(Hl7Pid3Test, test_oid_keeps_the_nir_namespace) {
  Ins test{"2790351215189", "89", std::string(oid::nir_test)};
  EXPECT_EQ(hl7_pid3_ins(test, S::qualifiee),
            "279035121518989^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.10&ISO^INS");
}

TEST(Hl7Pid3Test, non_qualified_identity_gives_nothing) {
  for (auto s : {S::provisoire, S::recuperee, S::validee}) EXPECT_EQ(hl7_pid3_ins(kCorsica, s), std::nullopt);
}

TEST(Hl7Pid3Test, bad_key_or_unknown_oid_gives_nothing) {
  EXPECT_EQ(hl7_pid3_ins(Ins{"292032A004012", "06", std::string(oid::nir)}, S::qualifiee), std::nullopt);
  EXPECT_EQ(hl7_pid3_ins(Ins{"292032A004012", "33", "1.2.3"}, S::qualifiee), std::nullopt);
  EXPECT_EQ(hl7_pid3_ins(Ins{"292032A004012^", "33", std::string(oid::nir)}, S::qualifiee), std::nullopt);
}

// ---- HL7 PID-32 ----

TEST(Hl7Pid32Test, qualified_is_vali) {
  EXPECT_EQ(hl7_pid32_field(S::qualifiee, {}), "VALI");
}

TEST(Hl7Pid32Test, provisional_douteuse_matches_the_spec_example) {
  EXPECT_EQ(hl7_pid32_field(S::provisoire, {true, false, false}), "PROV~DOUT");
}

TEST(Hl7Pid32Test, attribute_codes_follow_the_status) {
  EXPECT_EQ(hl7_pid32(S::provisoire, {false, true, false}), (std::vector<std::string>{"PROV", "FICT"}));
  EXPECT_EQ(hl7_pid32(S::qualifiee, {false, false, true}), (std::vector<std::string>{"VALI", "HOMA"}));
  EXPECT_EQ(hl7_pid32_field(S::provisoire, {true, false, true}), "PROV~DOUT~HOMA");
}

TEST(Hl7Pid32Test, table_0445_has_no_recuperee_nor_qualifiee_code) {
  EXPECT_EQ(hl7_pid32_field(S::recuperee, {}), "PROV");
  EXPECT_EQ(hl7_pid32_field(S::validee, {}), "VALI");
}

// ---- FHIR ----

TEST(FhirIdentifierTest, qualified_nir_matches_the_spec_example) {
  auto expected = nlohmann::json::parse(R"({"use":"official",
   "type":{"coding":[{"system":"https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203","code":"INS-NIR"}]},
   "system":"urn:oid:1.2.250.1.213.1.4.8","value":"292032A00401233"})");
  EXPECT_EQ(fhir_ins_identifier(kCorsica, S::qualifiee), expected);
}

TEST(FhirIdentifierTest, nia_is_temp_with_type_ins_nia) {
  auto id = fhir_ins_identifier(nia(), S::qualifiee);
  ASSERT_TRUE(id);
  EXPECT_EQ((*id)["use"], "temp");
  EXPECT_EQ((*id)["type"]["coding"][0]["code"], "INS-NIA");
  EXPECT_EQ((*id)["system"], "urn:oid:1.2.250.1.213.1.4.9");
}

TEST(FhirIdentifierTest, test_and_demo_oids_have_their_type_codes) {
  Ins test{"2790351215189", "89", std::string(oid::nir_test)};
  EXPECT_EQ((*fhir_ins_identifier(test, S::qualifiee))["type"]["coding"][0]["code"], "INS-NIR-TEST");
  test.oid = oid::nir_demo;
  EXPECT_EQ((*fhir_ins_identifier(test, S::qualifiee))["type"]["coding"][0]["code"], "INS-NIR-DEMO");
}

TEST(FhirIdentifierTest, historical_ins_is_old) {
  EXPECT_EQ((*fhir_ins_identifier(kCorsica, S::qualifiee, InsUse::historique))["use"], "old");
}

TEST(FhirIdentifierTest, non_qualified_identity_gives_nothing) {
  EXPECT_EQ(fhir_ins_identifier(kCorsica, S::recuperee), std::nullopt);
}

TEST(FhirReliabilityTest, ballot_2_2_matches_the_spec_example) {
  auto expected = nlohmann::json::parse(R"({"url":"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability",
   "extension":[{"url":"identityStatus","valueCoding":{"system":"https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status","code":"QUAL"}}]})");
  EXPECT_EQ(fhir_identity_reliability(S::qualifiee, FrCoreVersion::v2_2_ballot), expected);
  EXPECT_EQ(fhir_identity_reliability(S::recuperee, FrCoreVersion::v2_2_ballot)["extension"][0]["valueCoding"]["code"], "RECUP");
}

TEST(FhirReliabilityTest, release_2_1_sends_qualified_as_vali) {
  EXPECT_EQ(fhir_identity_reliability(S::qualifiee, FrCoreVersion::v2_1)["extension"][0]["valueCoding"]["code"], "VALI");
}

// ---- MSSanté ----

TEST(MssanteTest, qualified_identity_matches_the_spec_example) {
  EXPECT_EQ(mssante_address(kCorsica, S::qualifiee), "292032A00401233@patient.mssante.fr");
}

TEST(MssanteTest, non_qualified_identity_has_no_address) {
  for (auto s : {S::provisoire, S::recuperee, S::validee}) EXPECT_EQ(mssante_address(kCorsica, s), std::nullopt);
}

}  // namespace
}  // namespace insgate::identity

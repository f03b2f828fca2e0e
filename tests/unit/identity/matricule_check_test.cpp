// Unit tests of the full matricule INS check (identity/matricule.hpp:
// check_matricule, check_ins15, OidPolicy): every vector of
// ins-identity-rules.md §1.5 with its verdict, and the OID policy of §1.4.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/matricule.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace insgate::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const OidPolicy kProduction = OidPolicy::for_environment(Environment::production);
const OidPolicy kQualification = OidPolicy::for_environment(Environment::qualification);
const std::string kNir(oid::nir);

// ---- §1.5 valid vectors (V01–V12) ----

struct Vector {
  const char* id;
  const char* ins15;
};

class ValidVectorTest : public ::testing::TestWithParam<Vector> {};

TEST_P(ValidVectorTest, vector_is_valid_with_nir_oid_in_production) {
  auto v = check_ins15(GetParam().ins15, kNir, kProduction);
  EXPECT_THAT(v.anomalies, IsEmpty()) << GetParam().id;
  EXPECT_TRUE(v.valid());
  EXPECT_EQ(v.type, "NIR");
  EXPECT_EQ(v.matricule + v.cle, GetParam().ins15);
}

INSTANTIATE_TEST_SUITE_P(
    Spec15, ValidVectorTest,
    ::testing::Values(Vector{"V01", "185057510123482"}, Vector{"V02", "292032A00401233"},
                      Vector{"V03", "175082B03310164"}, Vector{"V04", "201119741104568"},
                      Vector{"V05", "110029761100374"}, Vector{"V06", "168099935012353"},
                      Vector{"V07", "245209935201791"}, Vector{"V08", "150339913900804"},
                      Vector{"V09", "895049910912301"}, Vector{"V10", "155012000401786"},
                      Vector{"V11", "180032B02040123"}),
    [](const auto& info) { return std::string(info.param.id); });

TEST(MatriculeCheckTest, v09_is_nia_only_because_of_the_oid) {
  auto nia = check_ins15("895049910912301", oid::nia, kProduction);
  EXPECT_TRUE(nia.valid());
  EXPECT_EQ(nia.type, "NIA");
  EXPECT_EQ(check_ins15("895049910912301", oid::nir, kProduction).type, "NIR");
}

TEST(MatriculeCheckTest, v10_department_20_is_valid_with_a_warning) {
  auto v = check_ins15("155012000401786", kNir, kProduction);
  EXPECT_TRUE(v.valid());
  EXPECT_THAT(v.warnings, ElementsAre("departement_20"));
}

TEST(MatriculeCheckTest, v12_oid_10_is_valid_outside_production) {
  auto v = check_ins15("279035121518989", oid::nir_test, kQualification);
  EXPECT_TRUE(v.valid());
  EXPECT_EQ(v.type, "NIR");
  EXPECT_TRUE(v.test);
}

TEST(MatriculeCheckTest, v12_oid_10_is_refused_in_production) {
  auto v = check_ins15("279035121518989", oid::nir_test, kProduction);
  EXPECT_THAT(v.anomalies, ElementsAre("oid_interdit_en_production"));
}

TEST(MatriculeCheckTest, oid_11_is_refused_in_production_and_accepted_in_test) {
  EXPECT_THAT(check_ins15("279035121518989", oid::nir_demo, kProduction).anomalies,
              ElementsAre("oid_interdit_en_production"));
  EXPECT_TRUE(check_ins15("279035121518989", oid::nir_demo,
                          OidPolicy::for_environment(Environment::test)).valid());
}

// ---- §1.5 invalid vectors (I01–I10) ----

TEST(MatriculeCheckTest, i01_wrong_key_is_cle_invalide) {
  EXPECT_THAT(check_ins15("185057510123483", kNir, kProduction).anomalies, ElementsAre("cle_invalide"));
  EXPECT_EQ(matricule_key("1850575101234"), 82);
}

TEST(MatriculeCheckTest, i02_key_00_is_cle_invalide) {
  EXPECT_THAT(check_ins15("185057510123400", kNir, kProduction).anomalies, ElementsAre("cle_invalide"));
}

TEST(MatriculeCheckTest, i03_corsica_key_computed_with_20_is_cle_invalide) {
  EXPECT_THAT(check_ins15("292032A00401206", kNir, kProduction).anomalies, ElementsAre("cle_invalide"));
  EXPECT_EQ(matricule_key("292032A004012"), 33);
}

TEST(MatriculeCheckTest, i04_swapped_digits_are_cle_invalide) {
  EXPECT_THAT(check_ins15("185075510123482", kNir, kProduction).anomalies, ElementsAre("cle_invalide"));
  EXPECT_EQ(matricule_key("1850755101234"), 72);
}

TEST(MatriculeCheckTest, i05_fourteen_characters_are_longueur_invalide) {
  EXPECT_THAT(check_ins15("18505751012348", kNir, kProduction).anomalies,
              ElementsAre("longueur_invalide"));
}

TEST(MatriculeCheckTest, i06_letter_c_is_format_invalide) {
  EXPECT_THAT(check_ins15("292032C00401233", kNir, kProduction).anomalies, ElementsAre("format_invalide"));
}

TEST(MatriculeCheckTest, i07_department_1a_is_format_invalide) {
  EXPECT_THAT(check_ins15("292031A00401233", kNir, kProduction).anomalies, ElementsAre("format_invalide"));
  EXPECT_THAT(check_ins15("29203A200401233", kNir, kProduction).anomalies, ElementsAre("format_invalide"));
}

TEST(MatriculeCheckTest, i08_lower_case_letter_is_invalid_strict_and_valid_lenient) {
  EXPECT_THAT(check_ins15("292032a00401233", kNir, kProduction).anomalies, ElementsAre("format_invalide"));
  auto lenient = check_ins15("292032a00401233", kNir, kProduction, MatriculeParsing::lenient);
  EXPECT_TRUE(lenient.valid());
  EXPECT_EQ(lenient.matricule, "292032A004012");
}

TEST(MatriculeCheckTest, i09_spaces_are_invalid_strict_and_valid_lenient) {
  EXPECT_FALSE(check_ins15("1 85 05 75 101 234 82", kNir, kProduction).valid());
  auto lenient = check_ins15("1 85 05 75 101 234 82", kNir, kProduction, MatriculeParsing::lenient);
  EXPECT_TRUE(lenient.valid());
  EXPECT_EQ(lenient.matricule, "1850575101234");
  EXPECT_EQ(lenient.cle, "82");
}

TEST(MatriculeCheckTest, i10_pam_example_is_cle_invalide) {
  EXPECT_THAT(check_ins15("260058815400244", kNir, kProduction).anomalies, ElementsAre("cle_invalide"));
  EXPECT_EQ(matricule_key("2600588154002"), 33);
}

// ---- 13 + 2 form, OIDs, warnings ----

TEST(MatriculeCheckTest, thirteen_plus_two_form_gives_the_same_verdict) {
  EXPECT_TRUE(check_matricule("292032A004012", "33", kNir, kProduction).valid());
  EXPECT_THAT(check_matricule("292032A004012", "06", kNir, kProduction).anomalies,
              ElementsAre("cle_invalide"));
}

TEST(MatriculeCheckTest, key_with_a_letter_is_format_invalide) {
  EXPECT_THAT(check_matricule("1850575101234", "8A", kNir, kProduction).anomalies,
              ElementsAre("format_invalide"));
}

TEST(MatriculeCheckTest, unknown_oid_is_listed_with_the_key_problem) {
  EXPECT_THAT(check_ins15("185057510123483", "1.2.3", kProduction).anomalies,
              ElementsAre("cle_invalide", "oid_inconnu"));
}

TEST(MatriculeCheckTest, legacy_ins_c_oid_is_named) {
  EXPECT_THAT(check_ins15("185057510123482", "1.2.250.1.213.1.4.2", kProduction).anomalies,
              ElementsAre("oid_ins_c"));
}

TEST(MatriculeCheckTest, empty_oid_is_unknown) {
  EXPECT_THAT(check_ins15("185057510123482", "", kProduction).anomalies, ElementsAre("oid_inconnu"));
}

TEST(MatriculeCheckTest, known_oid_outside_a_custom_set_is_not_accepted) {
  OidPolicy only_nir{true, {kNir}};
  EXPECT_THAT(check_ins15("895049910912301", oid::nia, only_nir).anomalies,
              ElementsAre("oid_non_accepte"));
}

TEST(MatriculeCheckTest, unusual_month_is_a_warning_only) {
  // Month 15 with a correct key: valid, warned.
  std::string m = "1851575101234";
  auto key = matricule_key(m);
  ASSERT_TRUE(key);
  std::string cle = (*key < 10 ? "0" : "") + std::to_string(*key);
  auto v = check_matricule(m, cle, kNir, kProduction);
  EXPECT_TRUE(v.valid());
  EXPECT_THAT(v.warnings, ElementsAre("mois_inhabituel"));
}

TEST(MatriculeCheckTest, hostile_long_input_is_longueur_invalide) {
  EXPECT_THAT(check_ins15(std::string(100000, ' '), kNir, kProduction, MatriculeParsing::lenient).anomalies,
              ElementsAre("longueur_invalide"));
}

// ---- Environments ----

TEST(OidPolicyTest, production_accepts_8_and_9_only) {
  EXPECT_TRUE(kProduction.accepts(oid::nir));
  EXPECT_TRUE(kProduction.accepts(oid::nia));
  EXPECT_FALSE(kProduction.accepts(oid::nir_test));
  EXPECT_FALSE(kProduction.accepts(oid::nir_demo));
}

TEST(OidPolicyTest, qualification_also_accepts_10_and_11) {
  for (auto o : {oid::nir, oid::nia, oid::nir_test, oid::nir_demo}) EXPECT_TRUE(kQualification.accepts(o));
}

TEST(OidPolicyTest, environment_names_parse_exactly) {
  EXPECT_EQ(parse_environment("production"), Environment::production);
  EXPECT_EQ(parse_environment("qualification"), Environment::qualification);
  EXPECT_EQ(parse_environment("test"), Environment::test);
  EXPECT_EQ(parse_environment("Production"), std::nullopt);
  EXPECT_EQ(parse_environment(""), std::nullopt);
}

}  // namespace
}  // namespace insgate::identity

// Unit tests of identity/matricule.hpp: key check, layout, OID classes.
// Reference data: insi-protocol.md §4.2 (key rule, OIDs) and §9 (test persons).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/matricule.hpp"

#include <gtest/gtest.h>

namespace insgate::identity {
namespace {

// ---- matricule_key / key_matches: valid INS of insi-protocol.md §9 ----

struct KnownIns {
  const char* matricule;
  const char* cle;
};

class ValidInsTest : public ::testing::TestWithParam<KnownIns> {};

TEST_P(ValidInsTest, key_of_recorded_ins_matches) {
  const auto& p = GetParam();
  EXPECT_TRUE(key_matches(p.matricule, p.cle)) << p.matricule << " / " << p.cle;
}

TEST_P(ValidInsTest, matricule_key_returns_recorded_key) {
  const auto& p = GetParam();
  auto key = matricule_key(p.matricule);
  ASSERT_TRUE(key.has_value()) << p.matricule;
  EXPECT_EQ(*key, std::stoi(p.cle)) << p.matricule;
}

INSTANTIATE_TEST_SUITE_P(
    Spec9, ValidInsTest,
    ::testing::Values(KnownIns{"1090763220834", "89"},   // ECETINSI active
                      KnownIns{"2090763220834", "39"},   // ECETINSI former
                      KnownIns{"2090663220123", "55"},   // ECETINSI CNDA histo
                      KnownIns{"2360663220836", "56"},   // TCHITCHI
                      KnownIns{"2751263220749", "74"},   // ADRUN
                      KnownIns{"1090763220888", "35"},   // PROVISOIRE (NIA)
                      KnownIns{"1100863220830", "60"},   // NESSI
                      KnownIns{"1010663220754", "60"},   // D'ARTAGNAN
                      KnownIns{"1810163220751", "40"},   // verification sample
                      KnownIns{"1810363220456", "76"},   // HERMANN, correct key
                      KnownIns{"2810363220456", "26"}),  // HERMANN histo, correct key
    [](const auto& info) { return std::string("ins_") + info.param.matricule; });

// ---- Corsica: 2A counts as 19, 2B as 18 ----

TEST(MatriculeTest, corsica_2a_key_matches) {
  EXPECT_TRUE(key_matches("297022A020778", "78"));  // ADRTROIS DOMINIQUE
}

TEST(MatriculeTest, corsica_2b_key_matches) {
  EXPECT_TRUE(key_matches("160012B020777", "13"));  // ADRTROIS TOUSSAINT
}

TEST(MatriculeTest, corsica_2b_cnda_corse_key_matches) {
  EXPECT_TRUE(key_matches("180032B020401", "23"));  // CORSE ANTHONY
}

TEST(MatriculeTest, corsica_2a_key_is_computed_with_19) {
  // 297022A020778 -> N = 2970219020778; 97 - N mod 97 = 78.
  EXPECT_EQ(matricule_key("297022A020778"), 78);
}

TEST(MatriculeTest, corsica_2b_key_is_computed_with_18) {
  // 160012B020777 -> N = 1600118020777; 97 - N mod 97 = 13.
  EXPECT_EQ(matricule_key("160012B020777"), 13);
}

TEST(MatriculeTest, corsica_2a_and_2b_give_different_keys) {
  EXPECT_NE(matricule_key("297022A020778"), matricule_key("297022B020778"));
}

// ---- Invalid keys (CNDA TEST_2.08 cas 2, HERMANN) ----

TEST(MatriculeTest, hermann_key_60_is_invalid) {
  EXPECT_FALSE(key_matches("1810363220456", "60"));
}

TEST(MatriculeTest, hermann_histo_key_10_is_invalid) {
  EXPECT_FALSE(key_matches("2810363220456", "10"));
}

TEST(MatriculeTest, hermann_correct_key_is_76) {
  EXPECT_EQ(matricule_key("1810363220456"), 76);
}

TEST(MatriculeTest, hermann_histo_correct_key_is_26) {
  EXPECT_EQ(matricule_key("2810363220456"), 26);
}

TEST(MatriculeTest, off_by_one_key_is_invalid) {
  EXPECT_FALSE(key_matches("1090763220834", "88"));
  EXPECT_FALSE(key_matches("1090763220834", "90"));
}

// ---- Key format ----

TEST(MatriculeTest, key_of_one_digit_is_rejected) {
  // Key 35 is right for this matricule, but the key must have 2 digits.
  EXPECT_FALSE(key_matches("1090763220888", "5"));
}

TEST(MatriculeTest, single_digit_key_must_be_zero_padded) {
  // Find the real key of a matricule whose key is < 10 and check "0k" vs "k".
  // 1090763220834 has key 89; build matricules by varying the last digit
  // until the key drops below 10 (deterministic search over 1000 values).
  std::string m = "1090763220000";
  int found = -1;
  for (int i = 0; i < 1000 && found < 0; ++i) {
    std::string s = std::to_string(i);
    m.replace(13 - 3, 3, std::string(3 - s.size(), '0') + s);
    auto k = matricule_key(m);
    ASSERT_TRUE(k.has_value());
    if (*k < 10) found = *k;
  }
  ASSERT_GE(found, 0);
  EXPECT_TRUE(key_matches(m, std::string("0") + std::to_string(found)));
  EXPECT_FALSE(key_matches(m, std::to_string(found)));
}

TEST(MatriculeTest, key_with_letter_is_rejected) {
  EXPECT_FALSE(key_matches("1090763220834", "8A"));
}

TEST(MatriculeTest, key_of_three_digits_is_rejected) {
  EXPECT_FALSE(key_matches("1090763220834", "089"));
}

TEST(MatriculeTest, empty_key_is_rejected) {
  EXPECT_FALSE(key_matches("1090763220834", ""));
}

TEST(MatriculeTest, key_with_sign_is_rejected) {
  EXPECT_FALSE(key_matches("1090763220834", "+9"));
}

// ---- Layout rejections ----

TEST(MatriculeTest, twelve_characters_are_rejected) {
  EXPECT_EQ(matricule_key("109076322083"), std::nullopt);
  EXPECT_FALSE(key_matches("109076322083", "89"));
}

TEST(MatriculeTest, fourteen_characters_are_rejected) {
  EXPECT_EQ(matricule_key("10907632208345"), std::nullopt);
}

TEST(MatriculeTest, fifteen_character_ins_with_key_is_rejected_as_matricule) {
  EXPECT_EQ(matricule_key("109076322083489"), std::nullopt);
}

TEST(MatriculeTest, empty_matricule_is_rejected) {
  EXPECT_EQ(matricule_key(""), std::nullopt);
  EXPECT_FALSE(key_matches("", "00"));
}

TEST(MatriculeTest, letter_in_first_position_is_rejected) {
  EXPECT_EQ(matricule_key("A090763220834"), std::nullopt);
}

TEST(MatriculeTest, letter_in_last_position_is_rejected) {
  EXPECT_EQ(matricule_key("109076322083A"), std::nullopt);
}

TEST(MatriculeTest, letter_a_at_position_6_of_1_based_index_is_rejected) {
  // Position 6 (1-based) is the 2 of the department; A must come after it.
  EXPECT_EQ(matricule_key("29702A2020778"), std::nullopt);
}

TEST(MatriculeTest, letter_a_at_position_8_is_rejected) {
  EXPECT_EQ(matricule_key("2970220A20778"), std::nullopt);
}

TEST(MatriculeTest, letter_a_not_after_a_2_is_rejected) {
  // 7th character A but the 6th is 3: "3A" is no department.
  EXPECT_EQ(matricule_key("297023A020778"), std::nullopt);
}

TEST(MatriculeTest, letter_b_not_after_a_2_is_rejected) {
  EXPECT_EQ(matricule_key("160011B020777"), std::nullopt);
}

TEST(MatriculeTest, letter_other_than_a_or_b_after_2_is_rejected) {
  EXPECT_EQ(matricule_key("297022C020778"), std::nullopt);
}

TEST(MatriculeTest, lower_case_corsica_letter_is_rejected) {
  EXPECT_EQ(matricule_key("297022a020778"), std::nullopt);
}

TEST(MatriculeTest, space_inside_is_rejected) {
  EXPECT_EQ(matricule_key("109076 220834"), std::nullopt);
}

TEST(MatriculeTest, two_corsica_letters_are_rejected) {
  EXPECT_EQ(matricule_key("29702AA020778"), std::nullopt);
}

// ---- classify_oid ----

TEST(ClassifyOidTest, oid_8_is_nir_not_test) {
  auto o = classify_oid("1.2.250.1.213.1.4.8");
  EXPECT_TRUE(o.known);
  EXPECT_EQ(o.type, "NIR");
  EXPECT_FALSE(o.test);
}

TEST(ClassifyOidTest, oid_9_is_nia_not_test) {
  auto o = classify_oid("1.2.250.1.213.1.4.9");
  EXPECT_TRUE(o.known);
  EXPECT_EQ(o.type, "NIA");
  EXPECT_FALSE(o.test);
}

TEST(ClassifyOidTest, oid_10_is_test_nir) {
  auto o = classify_oid("1.2.250.1.213.1.4.10");
  EXPECT_TRUE(o.known);
  EXPECT_EQ(o.type, "NIR");
  EXPECT_TRUE(o.test);
}

TEST(ClassifyOidTest, oid_11_is_demo_nir) {
  auto o = classify_oid("1.2.250.1.213.1.4.11");
  EXPECT_TRUE(o.known);
  EXPECT_EQ(o.type, "NIR");
  EXPECT_TRUE(o.test);
}

TEST(ClassifyOidTest, unknown_oid_is_not_known) {
  auto o = classify_oid("1.2.250.1.213.1.4.12");
  EXPECT_FALSE(o.known);
  EXPECT_TRUE(o.type.empty());
  EXPECT_FALSE(o.test);
}

TEST(ClassifyOidTest, empty_oid_is_not_known) {
  EXPECT_FALSE(classify_oid("").known);
}

TEST(ClassifyOidTest, oid_prefix_is_not_known) {
  EXPECT_FALSE(classify_oid("1.2.250.1.213.1.4").known);
}

TEST(ClassifyOidTest, oid_with_trailing_space_is_not_known) {
  EXPECT_FALSE(classify_oid("1.2.250.1.213.1.4.8 ").known);
}

TEST(ClassifyOidTest, oid_with_extra_arc_is_not_known) {
  EXPECT_FALSE(classify_oid("1.2.250.1.213.1.4.8.1").known);
}

}  // namespace
}  // namespace insgate::identity

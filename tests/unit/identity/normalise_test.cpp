// Unit tests of identity/normalise.hpp: every row of ins-identity-rules.md
// §2.1 (normalised value and verdict), plus the rules the table does not show.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/normalise.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace insgate::identity {
namespace {

using Names = std::vector<std::string>;

std::string nom_ok(std::string_view in) {
  auto r = normalise_nom_naissance(in);
  if (auto* rej = std::get_if<Rejection>(&r)) {
    ADD_FAILURE() << "rejected with rule " << rej->rule;
    return {};
  }
  return std::get<std::string>(r);
}

std::string nom_rule(std::string_view in) {
  auto r = normalise_nom_naissance(in);
  if (auto* rej = std::get_if<Rejection>(&r)) return rej->rule;
  return "accepted:" + std::get<std::string>(r);
}

std::string prenom_rule(std::string_view in) {
  auto r = normalise_prenom(in);
  if (auto* rej = std::get_if<Rejection>(&r)) return rej->rule;
  return "accepted:" + std::get<std::string>(r);
}

Names prenoms_ok(const Names& in) {
  auto r = normalise_prenoms(in);
  if (auto* rej = std::get_if<Rejection>(&r)) {
    ADD_FAILURE() << "rejected with rule " << rej->rule;
    return {};
  }
  return std::get<Names>(r);
}

std::string prenoms_rule(const Names& in) {
  auto r = normalise_prenoms(in);
  if (auto* rej = std::get_if<Rejection>(&r)) return rej->rule;
  return "accepted";
}

// ---- §2.1 table, accepted rows ----

struct Row {
  const char* input;
  const char* normalised;
};

class BirthNameTableTest : public ::testing::TestWithParam<Row> {};

TEST_P(BirthNameTableTest, table_row_is_normalised_as_in_spec) {
  EXPECT_EQ(nom_ok(GetParam().input), GetParam().normalised);
}

INSTANTIATE_TEST_SUITE_P(
    Spec21, BirthNameTableTest,
    ::testing::Values(Row{"de la  Fontaine ", "DE LA FONTAINE"}, Row{"D\u2019Arc", "D'ARC"},
                      Row{"M\u00fcller", "MULLER"}, Row{"\u0152dipe", "OEDIPE"},
                      Row{"DUPONT--DURAND", "DUPONT--DURAND"},
                      Row{"\u00d1\u00fa\u00f1ez Garc\u00eda", "NUNEZ GARCIA"},
                      Row{"Stra\u00dfe", "STRASSE"}, Row{"Dupont - Durand", "DUPONT-DURAND"},
                      Row{"S\u00f8ren", "SOREN"}));

TEST(PrenomTableTest, jean_francois_keeps_its_hyphen) {
  EXPECT_EQ(prenom_rule("Jean-Fran\u00e7ois"), "accepted:JEAN-FRANCOIS");
}

TEST(PrenomTableTest, laetitia_ligature_becomes_ae) {
  EXPECT_EQ(prenom_rule("L\u00e6titia"), "accepted:LAETITIA");
}

TEST(PrenomTableTest, list_berenice_anne_sophie_gives_two_first_names) {
  EXPECT_EQ(prenoms_ok({"B\u00e9r\u00e9nice Anne-Sophie"}), (Names{"BERENICE", "ANNE-SOPHIE"}));
}

TEST(PrenomTableTest, en_dash_becomes_hyphen) {
  EXPECT_EQ(prenom_rule("Marie\u2013Claire"), "accepted:MARIE-CLAIRE");
}

TEST(PrenomTableTest, space_after_hyphen_gives_one_first_name) {
  EXPECT_EQ(prenoms_ok({"Anne- Sophie"}), (Names{"ANNE-SOPHIE"}));
}

// ---- §2.1 table, rejected rows (the rule named) ----

TEST(BirthNameTableTest, leading_hyphen_is_rejected) { EXPECT_EQ(nom_rule("-Martin"), "debut_invalide"); }
TEST(BirthNameTableTest, digit_is_rejected_not_deleted) { EXPECT_EQ(nom_rule("Martin 2"), "caractere_interdit"); }
TEST(BirthNameTableTest, space_after_apostrophe_is_rejected) { EXPECT_EQ(nom_rule("L' H\u00f4te"), "espace_apostrophe"); }
TEST(BirthNameTableTest, trailing_hyphen_is_rejected) { EXPECT_EQ(nom_rule("Martin-"), "fin_invalide"); }
TEST(BirthNameTableTest, three_hyphens_are_rejected) { EXPECT_EQ(nom_rule("Dupont---Durand"), "tirets_multiples"); }
TEST(BirthNameTableTest, apostrophe_then_hyphen_is_rejected) { EXPECT_EQ(nom_rule("D'-Arc"), "apostrophe_tiret"); }
TEST(BirthNameTableTest, blank_is_rejected_as_empty) { EXPECT_EQ(nom_rule("  "), "vide"); }
TEST(PrenomTableTest, double_hyphen_in_first_name_is_rejected) {
  EXPECT_EQ(prenom_rule("Jean--Pierre"), "double_tiret_prenom");
  EXPECT_EQ(prenoms_rule({"Jean--Pierre"}), "double_tiret_prenom");
}
TEST(PrenomTableTest, trailing_hyphen_in_first_name_is_rejected) {
  EXPECT_EQ(prenom_rule("Chlo\u00e9-"), "fin_invalide");
  EXPECT_EQ(prenoms_rule({"Chlo\u00e9-"}), "fin_invalide");
}

// ---- Step 1 mappings not in the table ----

TEST(NormaliseTest, every_typographic_apostrophe_becomes_ascii) {
  for (const char* a : {"\u2019", "\u2018", "\u02bc", "`", "\u00b4", "\u2032"})
    EXPECT_EQ(nom_rule(std::string("D") + a + "Arc"), "accepted:D'ARC") << a;
}

TEST(NormaliseTest, acute_accent_is_mapped_before_decomposition) {
  // NFKD would turn U+00B4 into space + combining acute; step 1 runs first.
  EXPECT_EQ(nom_rule("O\u00b4Neil"), "accepted:O'NEIL");
}

TEST(NormaliseTest, every_dash_and_minus_becomes_hyphen) {
  for (const char* d : {"\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"})
    EXPECT_EQ(nom_rule(std::string("Dupont") + d + "Durand"), "accepted:DUPONT-DURAND") << d;
}

TEST(NormaliseTest, invisible_characters_are_dropped) {
  EXPECT_EQ(nom_rule("\ufeffMar\u00adtin\u200b\u200c\u200d"), "accepted:MARTIN");
}

TEST(NormaliseTest, letters_without_decomposition_are_mapped) {
  EXPECT_EQ(nom_rule("\u0141\u00f3d\u017a"), "accepted:LODZ");
  EXPECT_EQ(nom_rule("\u0110or\u0111e"), "accepted:DORDE");
  EXPECT_EQ(nom_rule("\u00c6\u00e6\u0153\u00f8"), "accepted:AEAEOEO");
  EXPECT_EQ(nom_rule("GRO\u1e9e"), "accepted:GROSS");
}

TEST(NormaliseTest, cedilla_and_tilde_are_removed) {
  EXPECT_EQ(nom_rule("Fran\u00e7oise \u00c3o"), "accepted:FRANCOISE AO");
}

TEST(NormaliseTest, decomposed_input_gives_the_same_result_as_composed) {
  EXPECT_EQ(nom_rule("Me\u0301ne\u0300s"), "accepted:MENES");
}

TEST(NormaliseTest, tab_and_no_break_space_become_one_space) {
  EXPECT_EQ(nom_rule("de\tla\u00a0\u2003Fontaine"), "accepted:DE LA FONTAINE");
}

TEST(NormaliseTest, newline_is_white_space) {
  EXPECT_EQ(nom_rule("Le\nGoff"), "accepted:LE GOFF");
}

// ---- Step 4: reject, never delete ----

TEST(NormaliseTest, control_character_is_rejected) { EXPECT_EQ(nom_rule("Mar\x01tin"), "caractere_interdit"); }
TEST(NormaliseTest, underscore_is_rejected) { EXPECT_EQ(nom_rule("Du_pont"), "caractere_interdit"); }
TEST(NormaliseTest, slash_is_rejected) { EXPECT_EQ(nom_rule("Dupont/Durand"), "caractere_interdit"); }
TEST(NormaliseTest, greek_letter_is_rejected) { EXPECT_EQ(nom_rule("\u03b1lpha"), "caractere_interdit"); }
TEST(NormaliseTest, emoji_is_rejected) { EXPECT_EQ(nom_rule("Martin \U0001F600"), "caractere_interdit"); }
TEST(NormaliseTest, fullwidth_digit_is_rejected_after_nfkd) { EXPECT_EQ(nom_rule("Martin\uff12"), "caractere_interdit"); }
TEST(NormaliseTest, empty_string_is_rejected_as_empty) { EXPECT_EQ(nom_rule(""), "vide"); }
TEST(NormaliseTest, only_invisible_characters_is_rejected_as_empty) { EXPECT_EQ(nom_rule("\u200b\u00ad"), "vide"); }

// ---- Syntax rules not in the table ----

TEST(NormaliseTest, leading_apostrophe_is_rejected) { EXPECT_EQ(nom_rule("'T Hooft"), "debut_invalide"); }
TEST(NormaliseTest, trailing_apostrophe_is_rejected) { EXPECT_EQ(nom_rule("D'"), "fin_invalide"); }
TEST(NormaliseTest, hyphen_then_apostrophe_is_rejected) { EXPECT_EQ(nom_rule("Dupont-'Arc"), "apostrophe_tiret"); }
TEST(NormaliseTest, doubled_apostrophe_is_rejected) { EXPECT_EQ(nom_rule("D''Arc"), "apostrophes_doubles"); }
TEST(NormaliseTest, space_before_apostrophe_is_rejected) { EXPECT_EQ(nom_rule("D 'Arc"), "espace_apostrophe"); }
TEST(NormaliseTest, single_first_name_with_space_is_rejected) {
  EXPECT_EQ(prenom_rule("Marie Louise"), "espace_dans_prenom");
}
TEST(NormaliseTest, first_name_with_apostrophe_is_accepted) {
  EXPECT_EQ(prenom_rule("N\u2019Golo"), "accepted:N'GOLO");
}

// ---- Lists of first names ----

TEST(PrenomsListTest, several_elements_are_flattened_in_order) {
  EXPECT_EQ(prenoms_ok({"Pierre-Alain", "Muriel  Floriant"}),
            (Names{"PIERRE-ALAIN", "MURIEL", "FLORIANT"}));
}
TEST(PrenomsListTest, empty_list_is_rejected_as_empty) { EXPECT_EQ(prenoms_rule({}), "vide"); }
TEST(PrenomsListTest, blank_element_is_rejected_as_empty) { EXPECT_EQ(prenoms_rule({"Marie", " "}), "vide"); }
TEST(PrenomsListTest, apostrophe_then_space_is_not_split_into_two_names) {
  EXPECT_EQ(prenoms_rule({"D' Artagnan"}), "espace_apostrophe");
}
TEST(PrenomsListTest, each_first_name_gets_the_syntax_checks) {
  EXPECT_EQ(prenoms_rule({"Marie -Louise Jean--Paul"}), "double_tiret_prenom");
}
TEST(PrenomsListTest, list_over_the_byte_cap_is_rejected) {
  EXPECT_EQ(prenoms_rule({std::string(600, 'A'), std::string(600, 'B')}), "trop_long");
}

// ---- Hostile input ----

TEST(NormaliseTest, invalid_utf8_is_rejected_with_its_rule) {
  for (std::string bad : {std::string("Mart\xffin"), std::string("\xc3"), std::string("\xc0\xaf"),
                          std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
                          std::string("\x80")})
    EXPECT_EQ(nom_rule(bad), "utf8_invalide");
}

TEST(NormaliseTest, hundred_thousand_characters_are_rejected_as_too_long) {
  EXPECT_EQ(nom_rule(std::string(100000, 'A')), "trop_long");
  EXPECT_EQ(prenom_rule(std::string(100000, 'A')), "trop_long");
  EXPECT_EQ(prenoms_rule({std::string(100000, 'A')}), "trop_long");
}

TEST(NormaliseTest, value_at_the_byte_cap_is_accepted) {
  EXPECT_EQ(nom_rule(std::string(kMaxNameBytes, 'A')), "accepted:" + std::string(kMaxNameBytes, 'A'));
}

TEST(NormaliseTest, rejection_message_never_contains_the_value) {
  for (const char* in : {"Zorglub2", "Zorglub-", "Zorglub---X", "Zorglub 'X"}) {
    auto r = normalise_nom_naissance(in);
    ASSERT_TRUE(std::holds_alternative<Rejection>(r)) << in;
    const auto& rej = std::get<Rejection>(r);
    EXPECT_EQ(rej.message.find("ZORGLUB"), std::string::npos);
    EXPECT_EQ(rej.message.find("Zorglub"), std::string::npos);
    EXPECT_FALSE(rej.message.empty());
  }
}

}  // namespace
}  // namespace insgate::identity

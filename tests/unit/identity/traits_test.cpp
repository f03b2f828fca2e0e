// Unit tests of identity/traits.hpp: birth date (ins-identity-rules.md §2.2),
// sex and COG (§2), and validate_traits' field-level errors.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/traits.hpp"

#include <gtest/gtest.h>

namespace insgate::identity {
namespace {

constexpr std::string_view kToday = "2026-11-15";

std::string date_verdict(std::string_view d) {
  auto r = classify_date_naissance(d);
  if (auto* rej = std::get_if<Rejection>(&r)) return rej->rule;
  switch (std::get<DateKind>(r)) {
    case DateKind::calendrier: return "calendrier";
    case DateKind::partiellement_inconnue: return "partiellement_inconnue";
    case DateKind::lunaire: return "lunaire";
  }
  return "?";
}

std::string verdict(const std::variant<std::string, Rejection>& r) {
  if (auto* rej = std::get_if<Rejection>(&r)) return rej->rule;
  return "accepted:" + std::get<std::string>(r);
}

// ---- Birth date ----

TEST(BirthDateTest, real_dates_are_calendar_dates) {
  EXPECT_EQ(date_verdict("1980-02-29"), "calendrier");
  EXPECT_EQ(date_verdict("2000-02-29"), "calendrier");
  EXPECT_EQ(date_verdict("1992-03-15"), "calendrier");
  EXPECT_EQ(date_verdict("1999-12-31"), "calendrier");
}

TEST(BirthDateTest, unknown_day_or_month_passes_as_partly_unknown) {
  EXPECT_EQ(date_verdict("1950-05-00"), "partiellement_inconnue");
  EXPECT_EQ(date_verdict("1950-00-00"), "partiellement_inconnue");
  EXPECT_EQ(date_verdict("1950-00-15"), "partiellement_inconnue");
}

TEST(BirthDateTest, week_number_of_a_known_month_passes_as_lunar) {
  EXPECT_EQ(date_verdict("1950-04-31"), "lunaire");
  EXPECT_EQ(date_verdict("1950-02-35"), "lunaire");
}

TEST(BirthDateTest, month_above_twelve_passes_as_lunar) {
  EXPECT_EQ(date_verdict("1950-13-01"), "lunaire");
  EXPECT_EQ(date_verdict("1950-33-00"), "lunaire");
}

TEST(BirthDateTest, day_that_is_neither_real_nor_a_week_is_rejected) {
  EXPECT_EQ(date_verdict("1981-02-29"), "date_invalide");
  EXPECT_EQ(date_verdict("1900-02-29"), "date_invalide");
  EXPECT_EQ(date_verdict("1950-02-30"), "date_invalide");
}

TEST(BirthDateTest, day_above_35_is_rejected) {
  EXPECT_EQ(date_verdict("1950-01-36"), "date_invalide");
  EXPECT_EQ(date_verdict("1950-00-32"), "date_invalide");
}

TEST(BirthDateTest, year_0000_is_rejected) { EXPECT_EQ(date_verdict("0000-01-01"), "date_invalide"); }

TEST(BirthDateTest, other_layouts_are_rejected) {
  for (const char* d : {"", "1980-2-29", "29/02/1980", "19800229", "1980-02-29T00:00",
                        " 1980-02-29", "1980_02_29", "198a-02-29", "+980-02-29"})
    EXPECT_EQ(date_verdict(d), "date_format_invalide") << d;
}

// ---- Sex ----

TEST(SexTest, m_and_f_pass_in_either_case) {
  EXPECT_EQ(verdict(normalise_sexe("M")), "accepted:M");
  EXPECT_EQ(verdict(normalise_sexe("f")), "accepted:F");
}

TEST(SexTest, undetermined_is_not_sent_to_insi) {
  EXPECT_EQ(verdict(normalise_sexe("I")), "sexe_indetermine");
  EXPECT_EQ(verdict(normalise_sexe("U")), "sexe_indetermine");
}

TEST(SexTest, anything_else_is_rejected) {
  for (const char* s : {"", "X", "MF", "male", " M", "1"})
    EXPECT_EQ(verdict(normalise_sexe(s)), "sexe_invalide") << s;
}

// ---- Birthplace COG ----

TEST(CogTest, metropolitan_corsican_overseas_and_abroad_codes_pass) {
  for (const char* c : {"75056", "63220", "01001", "95127", "2A004", "2B020", "97411", "97611",
                        "98735", "99100", "99350"})
    EXPECT_EQ(verdict(normalise_lieu_naissance(c)), std::string("accepted:") + c);
}

TEST(CogTest, lower_case_corsican_letter_is_upper_cased) {
  EXPECT_EQ(verdict(normalise_lieu_naissance("2a004")), "accepted:2A004");
}

TEST(CogTest, malformed_codes_are_rejected) {
  for (const char* c : {"", "7505", "750560", "2C004", "3A004", "2A0B4", "A7505", "75 56"})
    EXPECT_EQ(verdict(normalise_lieu_naissance(c)), "cog_invalide") << c;
}

// Issue 18: a postal code is not a COG. Commune number 000 (00 overseas)
// does not exist in the COG, while the main postal code of a town often
// ends in 000; Corsica is 2A/2B in the COG and 20 in postal codes.
TEST(CogTest, postal_codes_and_impossible_codes_are_not_cogs) {
  for (const char* c : {"63000", "75000", "01000", "20000", "20090", "20200", "2A000", "2B000",
                        "97400", "97100", "98800", "00123", "96001", "97012", "97912", "98312",
                        "99000", "99012", "99600", "99999"})
    EXPECT_EQ(verdict(normalise_lieu_naissance(c)), "cog_inexistant") << c;
}

TEST(CogTest, postal_code_message_says_cog_not_postal_code) {
  auto r = normalise_lieu_naissance("63000");
  ASSERT_TRUE(std::holds_alternative<Rejection>(r));
  EXPECT_NE(std::get<Rejection>(r).message.find(
                "code officiel géographique (COG), pas le code postal"),
            std::string::npos)
      << std::get<Rejection>(r).message;
}

// ---- Birth date bounds (issue 18) ----

std::string bound_verdict(std::string_view d) {
  auto r = check_date_bounds(d, kToday);
  return r ? r->rule : "ok";
}

TEST(BirthDateBoundsTest, future_dates_are_rejected) {
  EXPECT_EQ(bound_verdict("2099-01-01"), "date_future");
  EXPECT_EQ(bound_verdict("2026-11-16"), "date_future");
  EXPECT_EQ(bound_verdict("2027-00-00"), "date_future");
  EXPECT_EQ(bound_verdict("2026-12-00"), "date_future");
  EXPECT_EQ(bound_verdict("2027-13-01"), "date_future");
  EXPECT_EQ(bound_verdict("2026-12-31"), "date_future");
}

TEST(BirthDateBoundsTest, today_and_partly_unknown_dates_whose_known_part_is_past_pass) {
  for (const char* d : {"2026-11-15", "2026-11-00", "2026-00-00", "2026-11-35", "2026-13-01",
                        "1980-02-29", "1850-01-01", "1850-00-00"})
    EXPECT_EQ(bound_verdict(d), "ok") << d;
}

TEST(BirthDateBoundsTest, dates_before_1850_are_rejected) {
  for (const char* d : {"1849-12-31", "1849-00-00", "0001-01-01", "1066-10-14"})
    EXPECT_EQ(bound_verdict(d), "date_trop_ancienne") << d;
}

// ---- validate_traits ----

TraitsInput good_input() {
  return TraitsInput{"de la  Fontaine ", {"B\u00e9r\u00e9nice Anne-Sophie"}, "f", "1992-03-15",
                     std::string("2a004")};
}

TEST(ValidateTraitsTest, good_input_gives_the_traits_to_send) {
  auto r = validate_traits(good_input(), kToday);
  ASSERT_TRUE(std::holds_alternative<TraitsIns>(r));
  const auto& t = std::get<TraitsIns>(r);
  EXPECT_EQ(t.nom_naissance, "DE LA FONTAINE");
  EXPECT_EQ(t.prenoms, (std::vector<std::string>{"BERENICE", "ANNE-SOPHIE"}));
  EXPECT_EQ(t.sexe, "F");
  EXPECT_EQ(t.date_naissance, "1992-03-15");
  EXPECT_EQ(t.date_kind, DateKind::calendrier);
  EXPECT_EQ(t.lieu_naissance, "2A004");
}

TEST(ValidateTraitsTest, missing_birthplace_stays_absent) {
  auto in = good_input();
  in.lieu_naissance.reset();
  auto r = validate_traits(in, kToday);
  ASSERT_TRUE(std::holds_alternative<TraitsIns>(r));
  EXPECT_FALSE(std::get<TraitsIns>(r).lieu_naissance.has_value());
}

TEST(ValidateTraitsTest, every_failing_field_gets_one_error_in_field_order) {
  TraitsInput in{"Martin 2", {"Jean--Pierre"}, "I", "1981-02-29", std::string("2C004")};
  auto r = validate_traits(in, kToday);
  ASSERT_TRUE(std::holds_alternative<std::vector<FieldError>>(r));
  const auto& e = std::get<std::vector<FieldError>>(r);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].champ, "traits.nom_naissance");
  EXPECT_EQ(e[0].rule, "caractere_interdit");
  EXPECT_EQ(e[1].champ, "traits.prenoms");
  EXPECT_EQ(e[1].rule, "double_tiret_prenom");
  EXPECT_EQ(e[2].champ, "traits.sexe");
  EXPECT_EQ(e[2].rule, "sexe_indetermine");
  EXPECT_EQ(e[3].champ, "traits.date_naissance");
  EXPECT_EQ(e[3].rule, "date_invalide");
  EXPECT_EQ(e[4].champ, "traits.lieu_naissance");
  EXPECT_EQ(e[4].rule, "cog_invalide");
}

TEST(ValidateTraitsTest, only_the_failing_field_is_reported) {
  auto in = good_input();
  in.date_naissance = "15/03/1992";
  auto r = validate_traits(in, kToday);
  ASSERT_TRUE(std::holds_alternative<std::vector<FieldError>>(r));
  const auto& e = std::get<std::vector<FieldError>>(r);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].champ, "traits.date_naissance");
  EXPECT_EQ(e[0].rule, "date_format_invalide");
}

TEST(ValidateTraitsTest, error_messages_never_echo_the_values) {
  TraitsInput in{"Zorglub9", {"Zorglubette-"}, "Zorg", "Zorg-01-01", std::string("Zorg1")};
  auto r = validate_traits(in, kToday);
  ASSERT_TRUE(std::holds_alternative<std::vector<FieldError>>(r));
  for (const auto& e : std::get<std::vector<FieldError>>(r)) {
    EXPECT_FALSE(e.message.empty()) << e.champ;
    EXPECT_EQ(e.message.find("ZORG"), std::string::npos) << e.champ;
    EXPECT_EQ(e.message.find("Zorg"), std::string::npos) << e.champ;
  }
}

TEST(ValidateTraitsTest, future_birth_date_is_a_date_naissance_error) {
  auto in = good_input();
  in.date_naissance = "2099-01-01";
  auto r = validate_traits(in, kToday);
  ASSERT_TRUE(std::holds_alternative<std::vector<FieldError>>(r));
  const auto& e = std::get<std::vector<FieldError>>(r);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].champ, "traits.date_naissance");
  EXPECT_EQ(e[0].rule, "date_future");
}

}  // namespace
}  // namespace insgate::identity

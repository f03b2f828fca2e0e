// Unit tests of api/recherche_input.hpp: decoding POST /v1/ins/recherche.
// Source rules: local-api.md (request, Errors) and insi-protocol.md §4.1.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_input.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace insgate::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

json valid_body() {
  return {{"operateur", "u-4711"},
          {"traits",
           {{"nom_naissance", "DUPONT"},
            {"prenoms", {"MARIE", "LOUISE"}},
            {"sexe", "F"},
            {"date_naissance", "1980-02-29"},
            {"lieu_naissance", "75056"}}}};
}

RechercheInput decode_ok(const std::string& body) {
  auto d = decode_recherche(body);
  if (auto* bad = std::get_if<BadRequest>(&d)) ADD_FAILURE() << "400: " << bad->detail;
  if (auto* inv = std::get_if<InvalidTraits>(&d))
    for (const auto& e : inv->errors) ADD_FAILURE() << "422: " << e.champ << ": " << e.message;
  if (auto* in = std::get_if<RechercheInput>(&d)) return *in;
  return {};
}

RechercheInput decode_ok(const json& body) { return decode_ok(body.dump()); }

bool is_bad_request(const std::string& body) {
  return std::holds_alternative<BadRequest>(decode_recherche(body));
}

std::vector<FieldError> field_errors(const json& body) {
  auto d = decode_recherche(body.dump());
  auto* inv = std::get_if<InvalidTraits>(&d);
  if (!inv) {
    ADD_FAILURE() << "expected 422 InvalidTraits for " << body.dump();
    return {};
  }
  return inv->errors;
}

/// A 400 on `champ` (rule type_invalide) whose detail names the member and
/// the expected JSON type.
void expect_type_error(const json& body, const std::string& champ, const std::string& type) {
  auto d = decode_recherche(body.dump());
  auto* bad = std::get_if<BadRequest>(&d);
  ASSERT_NE(bad, nullptr) << "expected 400 for " << body.dump();
  EXPECT_THAT(bad->detail, HasSubstr(champ));
  EXPECT_THAT(bad->detail, HasSubstr(type));
  ASSERT_EQ(bad->errors.size(), 1u);
  EXPECT_EQ(bad->errors[0].champ, champ);
  EXPECT_EQ(bad->errors[0].regle, "type_invalide");
  EXPECT_THAT(bad->errors[0].message, HasSubstr(type));
}

json with_trait(const std::string& key, json value) {
  auto b = valid_body();
  b["traits"][key] = std::move(value);
  return b;
}

/// One field error, on `champ`, whose message does not echo `value`.
void expect_single_error(const json& body, const std::string& champ, const std::string& value,
                         const std::string& regle = "") {
  auto errors = field_errors(body);
  ASSERT_EQ(errors.size(), 1u) << body.dump();
  EXPECT_EQ(errors[0].champ, champ);
  if (!regle.empty()) {
    EXPECT_EQ(errors[0].regle, regle);
  }
  EXPECT_FALSE(errors[0].message.empty());
  if (!value.empty()) {
    EXPECT_THAT(errors[0].message, Not(HasSubstr(value)));
    EXPECT_THAT(errors[0].champ, Not(HasSubstr(value)));
  }
}

std::string nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

// ---- Valid bodies ----

TEST(RechercheInputTest, valid_body_is_decoded) {
  auto in = decode_ok(valid_body());
  EXPECT_EQ(in.operateur, "u-4711");
  EXPECT_EQ(in.traits.nom_naissance, "DUPONT");
  EXPECT_THAT(in.traits.prenoms, ElementsAre("MARIE", "LOUISE"));
  EXPECT_EQ(in.traits.sexe, "F");
  EXPECT_EQ(in.traits.date_naissance, "1980-02-29");
  EXPECT_EQ(in.traits.lieu_naissance, "75056");
}

TEST(RechercheInputTest, nom_is_trimmed) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "  DUPONT  ")).traits.nom_naissance, "DUPONT");
}

TEST(RechercheInputTest, inner_spaces_of_nom_are_collapsed) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "DE   VINCI")).traits.nom_naissance, "DE VINCI");
}

TEST(RechercheInputTest, tab_in_nom_counts_as_space) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "DE\tVINCI")).traits.nom_naissance, "DE VINCI");
}

TEST(RechercheInputTest, nom_is_upper_cased) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "Dupont")).traits.nom_naissance, "DUPONT");
}

TEST(RechercheInputTest, hyphen_and_apostrophe_are_kept) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "d'artagnan de l'herault-x")).traits.nom_naissance,
            "D'ARTAGNAN DE L'HERAULT-X");
}

TEST(RechercheInputTest, prenoms_are_upper_cased_and_trimmed) {
  auto in = decode_ok(with_trait("prenoms", {" marie ", "Louise"}));
  EXPECT_THAT(in.traits.prenoms, ElementsAre("MARIE", "LOUISE"));
}

TEST(RechercheInputTest, prenoms_element_with_spaces_is_split) {
  auto in = decode_ok(with_trait("prenoms", {"PIERRE  PAUL", "JACQUES"}));
  EXPECT_THAT(in.traits.prenoms, ElementsAre("PIERRE", "PAUL", "JACQUES"));
}

TEST(RechercheInputTest, hyphenated_prenom_stays_one_token) {
  auto in = decode_ok(with_trait("prenoms", {"pierre-alain muriel"}));
  EXPECT_THAT(in.traits.prenoms, ElementsAre("PIERRE-ALAIN", "MURIEL"));
}

TEST(RechercheInputTest, prenoms_as_single_string_is_accepted) {
  auto in = decode_ok(with_trait("prenoms", "catarina bella"));
  EXPECT_THAT(in.traits.prenoms, ElementsAre("CATARINA", "BELLA"));
}

TEST(RechercheInputTest, lower_case_sexe_m_is_upper_cased) {
  EXPECT_EQ(decode_ok(with_trait("sexe", "m")).traits.sexe, "M");
}

TEST(RechercheInputTest, lower_case_sexe_f_is_upper_cased) {
  EXPECT_EQ(decode_ok(with_trait("sexe", "f")).traits.sexe, "F");
}

TEST(RechercheInputTest, lower_case_corsica_cog_is_upper_cased) {
  EXPECT_EQ(decode_ok(with_trait("lieu_naissance", "2a004")).traits.lieu_naissance, "2A004");
}

TEST(RechercheInputTest, corsica_2b_cog_is_accepted) {
  EXPECT_EQ(decode_ok(with_trait("lieu_naissance", "2B020")).traits.lieu_naissance, "2B020");
}

TEST(RechercheInputTest, foreign_birth_cog_is_accepted) {
  EXPECT_EQ(decode_ok(with_trait("lieu_naissance", "99100")).traits.lieu_naissance, "99100");
}

TEST(RechercheInputTest, absent_lieu_is_optional) {
  auto b = valid_body();
  b["traits"].erase("lieu_naissance");
  EXPECT_FALSE(decode_ok(b).traits.lieu_naissance.has_value());
}

TEST(RechercheInputTest, null_lieu_is_optional) {
  EXPECT_FALSE(decode_ok(with_trait("lieu_naissance", nullptr)).traits.lieu_naissance.has_value());
}

TEST(RechercheInputTest, empty_lieu_is_optional) {
  EXPECT_FALSE(decode_ok(with_trait("lieu_naissance", "")).traits.lieu_naissance.has_value());
}

TEST(RechercheInputTest, unknown_day_and_month_00_are_let_through) {
  EXPECT_EQ(decode_ok(with_trait("date_naissance", "1980-00-00")).traits.date_naissance,
            "1980-00-00");
}

// ---- 400 requete_invalide ----

TEST(RechercheInputTest, non_json_body_is_bad_request) {
  EXPECT_TRUE(is_bad_request("operateur=u-4711"));
}

TEST(RechercheInputTest, empty_body_is_bad_request) {
  EXPECT_TRUE(is_bad_request(""));
}

TEST(RechercheInputTest, truncated_json_is_bad_request) {
  auto s = valid_body().dump();
  EXPECT_TRUE(is_bad_request(s.substr(0, s.size() - 1)));
}

TEST(RechercheInputTest, json_array_body_is_bad_request) {
  EXPECT_TRUE(is_bad_request("[" + valid_body().dump() + "]"));
}

TEST(RechercheInputTest, json_string_body_is_bad_request) {
  EXPECT_TRUE(is_bad_request("\"DUPONT\""));
}

TEST(RechercheInputTest, invalid_utf8_in_string_is_bad_request) {
  // 0xC3 0x28 is an invalid two-byte sequence.
  std::string body = valid_body().dump();
  auto pos = body.find("DUPONT");
  body.replace(pos, 6, "DUP\xC3\x28NT");
  EXPECT_TRUE(is_bad_request(body));
}

TEST(RechercheInputTest, lone_continuation_byte_is_bad_request) {
  std::string body = valid_body().dump();
  auto pos = body.find("u-4711");
  body.replace(pos, 6, "u-\x80\x81");
  EXPECT_TRUE(is_bad_request(body));
}

// The API's one rule (issue 18): a missing or empty member is a 422 on its
// field; a wrong JSON type is a 400 naming the member and the type.
TEST(RechercheInputTest, missing_operateur_is_a_field_error) {
  auto b = valid_body();
  b.erase("operateur");
  expect_single_error(b, "operateur", "", "obligatoire");
}

TEST(RechercheInputTest, empty_operateur_is_a_field_error) {
  auto b = valid_body();
  b["operateur"] = "";
  expect_single_error(b, "operateur", "", "obligatoire");
}

TEST(RechercheInputTest, numeric_operateur_is_bad_request) {
  auto b = valid_body();
  b["operateur"] = 4711;
  EXPECT_TRUE(is_bad_request(b.dump()));
}

TEST(RechercheInputTest, operateur_over_128_bytes_is_a_field_error) {
  auto b = valid_body();
  b["operateur"] = std::string(129, 'u');
  expect_single_error(b, "operateur", std::string(129, 'u'), "trop_long");
}

TEST(RechercheInputTest, operateur_of_128_bytes_is_accepted) {
  auto b = valid_body();
  b["operateur"] = std::string(128, 'u');
  EXPECT_EQ(decode_ok(b).operateur.size(), 128u);
}

TEST(RechercheInputTest, missing_traits_is_a_field_error) {
  auto b = valid_body();
  b.erase("traits");
  expect_single_error(b, "traits", "", "obligatoire");
}

TEST(RechercheInputTest, traits_array_is_bad_request) {
  auto b = valid_body();
  b["traits"] = json::array({"DUPONT"});
  EXPECT_TRUE(is_bad_request(b.dump()));
}

TEST(RechercheInputTest, traits_string_is_bad_request) {
  auto b = valid_body();
  b["traits"] = "DUPONT MARIE";
  EXPECT_TRUE(is_bad_request(b.dump()));
}

TEST(RechercheInputTest, nesting_deeper_than_max_is_bad_request) {
  auto b = valid_body().dump();
  b.insert(b.size() - 1, ",\"x\":" + nested(kMaxJsonDepth));  // depth 1 + 16
  EXPECT_TRUE(is_bad_request(b));
}

TEST(RechercheInputTest, nesting_at_max_is_parsed_then_refused_as_unknown_member) {
  auto b = valid_body().dump();
  b.insert(b.size() - 1, ",\"x\":" + nested(kMaxJsonDepth - 1));  // depth 1 + 15
  auto d = decode_recherche(b);
  ASSERT_TRUE(std::holds_alternative<BadRequest>(d));
  EXPECT_THAT(std::get<BadRequest>(d).detail, ::testing::HasSubstr("Le membre x est inconnu"));
  ASSERT_EQ(std::get<BadRequest>(d).errors.size(), 1u);
  EXPECT_EQ(std::get<BadRequest>(d).errors[0].champ, "x");
  EXPECT_EQ(std::get<BadRequest>(d).errors[0].regle, "membre_inconnu");
}

TEST(RechercheInputTest, misspelt_optional_trait_is_refused_not_dropped) {
  auto b = valid_body();
  b["traits"]["lieu_de_naissance"] = "63220";
  auto d = decode_recherche(b.dump());
  ASSERT_TRUE(std::holds_alternative<BadRequest>(d));
  EXPECT_THAT(std::get<BadRequest>(d).detail, ::testing::HasSubstr("lieu_de_naissance"));
}

TEST(RechercheInputTest, error_does_not_echo_operateur) {
  auto b = valid_body();
  b["operateur"] = std::string(129, 'Q');
  expect_single_error(b, "operateur", "QQQQ", "trop_long");
}

// ---- json_too_deep ----

TEST(JsonTooDeepTest, depth_equal_to_max_is_not_too_deep) {
  EXPECT_FALSE(json_too_deep(nested(16), 16));
}

TEST(JsonTooDeepTest, depth_above_max_is_too_deep) {
  EXPECT_TRUE(json_too_deep(nested(17), 16));
}

TEST(JsonTooDeepTest, objects_and_arrays_both_count) {
  EXPECT_TRUE(json_too_deep(R"({"a":[{"b":[{}]}]})", 4));
  EXPECT_FALSE(json_too_deep(R"({"a":[{"b":[{}]}]})", 5));
}

TEST(JsonTooDeepTest, siblings_do_not_add_depth) {
  EXPECT_FALSE(json_too_deep("[[],[],[],[],[],[],[]]", 2));
}

TEST(JsonTooDeepTest, brackets_inside_strings_are_ignored) {
  std::string s = "{\"a\":\"" + std::string(40, '[') + std::string(40, '{') + "\"}";
  EXPECT_FALSE(json_too_deep(s, 2));
}

TEST(JsonTooDeepTest, escaped_quote_does_not_end_string) {
  std::string s = R"({"a":"\"[[[[[[[[[[[[[[[[[[[[[[[["})";
  EXPECT_FALSE(json_too_deep(s, 2));
}

TEST(JsonTooDeepTest, escaped_backslash_before_quote_ends_string) {
  // "\\" is a complete string; the brackets after it are structure.
  std::string s = R"(["\\",[[[]]]])";
  EXPECT_TRUE(json_too_deep(s, 3));
  EXPECT_FALSE(json_too_deep(s, 4));
}

TEST(RechercheInputTest, brackets_inside_operateur_do_not_count_as_nesting) {
  auto b = valid_body();
  b["operateur"] = std::string(60, '[') + std::string(60, '{');
  EXPECT_EQ(decode_ok(b).operateur.size(), 120u);
}

// ---- 422 traits_invalides: one FieldError per failing field ----

TEST(RechercheInputTest, missing_nom_names_field) {
  auto b = valid_body();
  b["traits"].erase("nom_naissance");
  expect_single_error(b, "traits.nom_naissance", "");
}

TEST(RechercheInputTest, accented_nom_is_normalised_by_the_identity_rules) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "Hélèneville")).traits.nom_naissance,
            "HELENEVILLE");
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", "D’Arc")).traits.nom_naissance, "D'ARC");
}

TEST(RechercheInputTest, punctuation_only_nom_is_refused) {
  expect_single_error(with_trait("nom_naissance", "--"), "traits.nom_naissance", "");
}

TEST(RechercheInputTest, digit_in_nom_is_refused_without_echo) {
  expect_single_error(with_trait("nom_naissance", "DUPONT2"), "traits.nom_naissance", "DUPONT2");
}

TEST(RechercheInputTest, blank_nom_is_refused) {
  expect_single_error(with_trait("nom_naissance", "   "), "traits.nom_naissance", "");
}

TEST(RechercheInputTest, numeric_nom_is_a_bad_request_naming_member_and_type) {
  expect_type_error(with_trait("nom_naissance", 42), "traits.nom_naissance",
                    "une chaîne de caractères");
}

TEST(RechercheInputTest, nom_over_100_characters_is_refused_without_echo) {
  std::string v(101, 'X');
  expect_single_error(with_trait("nom_naissance", v), "traits.nom_naissance", v);
}

TEST(RechercheInputTest, nom_of_100_characters_is_accepted) {
  EXPECT_EQ(decode_ok(with_trait("nom_naissance", std::string(100, 'X'))).traits.nom_naissance.size(),
            100u);
}

TEST(RechercheInputTest, bad_first_prenom_names_its_index) {
  expect_single_error(with_trait("prenoms", {"MAR1E", "LOUISE"}), "traits.prenoms[0]", "MAR1E");
}

TEST(RechercheInputTest, bad_second_prenom_names_its_index) {
  expect_single_error(with_trait("prenoms", {"MARIE", "LOU!SE"}), "traits.prenoms[1]", "LOU!SE");
}

TEST(RechercheInputTest, accented_prenom_is_normalised) {
  EXPECT_EQ(decode_ok(with_trait("prenoms", {"Zoé", "Anne- Sophie"})).traits.prenoms,
            (std::vector<std::string>{"ZOE", "ANNE-SOPHIE"}));
}

TEST(RechercheInputTest, prenom_ending_with_apostrophe_names_its_index) {
  expect_single_error(with_trait("prenoms", {"PAUL", "JEAN'"}), "traits.prenoms[1]", "JEAN'");
}

TEST(RechercheInputTest, empty_prenoms_list_is_refused) {
  expect_single_error(with_trait("prenoms", json::array()), "traits.prenoms", "");
}

TEST(RechercheInputTest, missing_prenoms_is_refused) {
  auto b = valid_body();
  b["traits"].erase("prenoms");
  expect_single_error(b, "traits.prenoms", "");
}

TEST(RechercheInputTest, non_string_prenom_is_a_bad_request_naming_the_element) {
  expect_type_error(with_trait("prenoms", {"MARIE", 7}), "traits.prenoms[1]",
                    "une chaîne de caractères");
}

// Issue 18 item 5: "prenoms": 5 and "sexe": 1 were 422, "operateur": 5 a 400
// saying it is missing.
TEST(RechercheInputTest, wrong_types_of_the_issue_are_bad_requests) {
  expect_type_error(with_trait("prenoms", 5), "traits.prenoms",
                    "une liste de chaînes de caractères (ou une seule chaîne)");
  expect_type_error(with_trait("sexe", 1), "traits.sexe", "une chaîne de caractères");
  auto b = valid_body();
  b["operateur"] = 5;
  expect_type_error(b, "operateur", "une chaîne de caractères");
}

TEST(RechercheInputTest, more_than_ten_prenoms_are_refused) {
  expect_single_error(with_trait("prenoms", "A B C D E F G H I J K"), "traits.prenoms", "");
}

TEST(RechercheInputTest, unknown_sexe_is_refused_without_echo) {
  expect_single_error(with_trait("sexe", "X"), "traits.sexe", "X");
}

TEST(RechercheInputTest, spelled_out_sexe_is_refused_without_echo) {
  expect_single_error(with_trait("sexe", "FEMININ"), "traits.sexe", "FEMININ");
}

TEST(RechercheInputTest, missing_sexe_is_refused) {
  auto b = valid_body();
  b["traits"].erase("sexe");
  expect_single_error(b, "traits.sexe", "");
}

TEST(RechercheInputTest, french_date_format_is_refused_without_echo) {
  expect_single_error(with_trait("date_naissance", "29/02/1980"), "traits.date_naissance",
                      "29/02/1980");
}

TEST(RechercheInputTest, lunar_dates_pass_unchanged) {
  // ins-identity-rules.md §2.2: non-calendar values exist in the national
  // bases (month above 12, day 31-35 as a week number).
  EXPECT_EQ(decode_ok(with_trait("date_naissance", "1980-13-01")).traits.date_naissance,
            "1980-13-01");
  EXPECT_EQ(decode_ok(with_trait("date_naissance", "1980-01-32")).traits.date_naissance,
            "1980-01-32");
}

TEST(RechercheInputTest, day_36_is_refused) {
  expect_single_error(with_trait("date_naissance", "1980-01-36"), "traits.date_naissance",
                      "1980-01-36");
}

TEST(RechercheInputTest, year_0000_is_refused) {
  expect_single_error(with_trait("date_naissance", "0000-01-01"), "traits.date_naissance",
                      "0000-01-01");
}

TEST(RechercheInputTest, date_with_time_is_refused) {
  expect_single_error(with_trait("date_naissance", "1980-02-29T00:00"), "traits.date_naissance",
                      "1980-02-29T00:00");
}

TEST(RechercheInputTest, missing_date_is_refused) {
  auto b = valid_body();
  b["traits"].erase("date_naissance");
  expect_single_error(b, "traits.date_naissance", "");
}

TEST(RechercheInputTest, four_digit_lieu_is_refused_without_echo) {
  expect_single_error(with_trait("lieu_naissance", "7505"), "traits.lieu_naissance", "7505");
}

TEST(RechercheInputTest, corsica_letter_c_lieu_is_refused) {
  expect_single_error(with_trait("lieu_naissance", "2C004"), "traits.lieu_naissance", "2C004");
}

TEST(RechercheInputTest, letters_in_lieu_are_refused_without_echo) {
  expect_single_error(with_trait("lieu_naissance", "PARIS"), "traits.lieu_naissance", "PARIS");
}

TEST(RechercheInputTest, numeric_lieu_is_a_bad_request) {
  expect_type_error(with_trait("lieu_naissance", 75056), "traits.lieu_naissance",
                    "une chaîne de caractères");
}

// Issue 18 item 1: a future birth date, one before 1850, and a partly
// unknown one whose known part is in the future never reach INSi.
TEST(RechercheInputTest, impossible_birth_dates_are_field_errors) {
  for (const char* d : {"2099-01-01", "2099-00-00", "2099-05-00"}) {
    auto r = decode_recherche(with_trait("date_naissance", d).dump(), "2026-11-15");
    ASSERT_TRUE(std::holds_alternative<InvalidTraits>(r)) << d;
    const auto& e = std::get<InvalidTraits>(r).errors;
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(e[0].champ, "traits.date_naissance");
    EXPECT_EQ(e[0].regle, "date_future") << d;
  }
  auto r = decode_recherche(with_trait("date_naissance", "1849-12-31").dump(), "2026-11-15");
  ASSERT_TRUE(std::holds_alternative<InvalidTraits>(r));
  EXPECT_EQ(std::get<InvalidTraits>(r).errors[0].regle, "date_trop_ancienne");
  // The known part of 2026-11-00 is this month: not in the future.
  EXPECT_TRUE(std::holds_alternative<RechercheInput>(
      decode_recherche(with_trait("date_naissance", "2026-11-00").dump(), "2026-11-15")));
}

// Issue 18 item 2.
TEST(RechercheInputTest, postal_code_as_birthplace_is_refused_with_the_cog_sentence) {
  auto r = decode_recherche(with_trait("lieu_naissance", "63000").dump());
  ASSERT_TRUE(std::holds_alternative<InvalidTraits>(r));
  const auto& e = std::get<InvalidTraits>(r).errors;
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].champ, "traits.lieu_naissance");
  EXPECT_EQ(e[0].regle, "cog_inexistant");
  EXPECT_THAT(e[0].message, HasSubstr("code officiel géographique (COG), pas le code postal"));
}

TEST(RechercheInputTest, every_failing_field_gets_its_own_error) {
  auto b = valid_body();
  b["traits"] = {{"nom_naissance", "DUP0NT"},
                 {"prenoms", {"MARIE", "L0UISE"}},
                 {"sexe", "U"},
                 {"date_naissance", "80-02-29"},
                 {"lieu_naissance", "7X056"}};
  auto errors = field_errors(b);
  std::vector<std::string> champs;
  for (const auto& e : errors) champs.push_back(e.champ);
  EXPECT_THAT(champs, ElementsAre("traits.nom_naissance", "traits.prenoms[1]", "traits.sexe",
                                  "traits.date_naissance", "traits.lieu_naissance"));
}

TEST(RechercheInputTest, no_error_message_echoes_any_submitted_value) {
  auto b = valid_body();
  b["traits"] = {{"nom_naissance", "DUP0NT"},
                 {"prenoms", {"MARIE", "L0UISE"}},
                 {"sexe", "U"},
                 {"date_naissance", "80-02-29"},
                 {"lieu_naissance", "7X056"}};
  for (const auto& e : field_errors(b)) {
    for (const char* v : {"DUP0NT", "L0UISE", "MARIE", "80-02-29", "7X056"}) {
      EXPECT_THAT(e.message, Not(HasSubstr(v))) << e.champ;
    }
  }
}

// ---- The 422 problem document built from the field errors ----

TEST(RechercheInputTest, field_errors_become_422_traits_invalides_problem) {
  auto r = invalid_traits(field_errors(with_trait("sexe", "X")));
  EXPECT_EQ(r.status, 422u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = json::parse(r.body);
  EXPECT_EQ(j["code"], "traits_invalides");
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0]["champ"], "traits.sexe");
  EXPECT_TRUE(j["errors"][0]["message"].is_string());
}

}  // namespace
}  // namespace insgate::api

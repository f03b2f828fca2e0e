// Unit tests of identity/codes.hpp, the one list of the codes the local API
// emits (issue 18): every entry has a French sentence, and proto/openapi.yaml
// enumerates exactly these codes (a client generated from it accepts every
// real answer, and no enumerated code is dead).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/codes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>
#include <string>

namespace insgate::identity::codes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

bool starts_with_capital(const std::string& s) {
  if (s.empty()) return false;
  if (s[0] >= 'A' && s[0] <= 'Z') return true;
  for (const char* accented : {"É", "À", "È", "Ê", "Ç"})
    if (s.rfind(accented, 0) == 0) return true;
  return false;
}

/// A French sentence a nurse can read: capital first, full stop last, no
/// placeholder left, no field path or snake_case identifier.
void expect_sentence(const std::string& s, const std::string& what) {
  EXPECT_GE(s.size(), 20u) << what;
  EXPECT_TRUE(starts_with_capital(s)) << what << ": " << s;
  EXPECT_EQ(s.back(), '.') << what << ": " << s;
  EXPECT_THAT(s, Not(HasSubstr("{"))) << what;
  for (auto at = s.find("traits."); at != std::string::npos; at = s.find("traits.", at + 1))
    if (at + 7 < s.size() && s[at + 7] >= 'a' && s[at + 7] <= 'z')
      ADD_FAILURE() << what << " contains a field path: " << s;
  EXPECT_THAT(s, Not(HasSubstr(" : obligatoire"))) << what;
  // snake_case words (lower-case letters around an underscore) are codes,
  // not French; upper-case document types (TITRE_SEJOUR) are values to type.
  for (std::size_t i = 1; i + 1 < s.size(); ++i)
    if (s[i] == '_' && s[i - 1] >= 'a' && s[i - 1] <= 'z')
      ADD_FAILURE() << what << " contains a code: " << s;
}

TEST(CodesTest, every_rule_has_a_sentence_for_a_field) {
  int rules = 0;
  for (const auto& e : kCatalogue) {
    if (e.kind != Kind::regle) continue;
    ++rules;
    const std::string code(e.code);
    for (const char* label : {"le sexe", "les prénoms de naissance", "l'INS"}) {
      expect_sentence(phrase(e.code, label, "une chaîne de caractères"), code);
      // A field with no known expected form: no empty clause left.
      const std::string bare = phrase(e.code, label);
      expect_sentence(bare, code + " (sans forme attendue)");
      EXPECT_THAT(bare, Not(HasSubstr("()"))) << bare;
      EXPECT_THAT(bare, Not(HasSubstr(": ."))) << bare;
    }
    EXPECT_THAT(phrase(e.code, "le sexe", "x"), Not(HasSubstr("Le sexe : "))) << code;
  }
  EXPECT_GE(rules, 30);
}

TEST(CodesTest, every_anomaly_ecart_and_motif_has_a_sentence) {
  for (const auto& e : kCatalogue)
    if (e.kind == Kind::anomalie || e.kind == Kind::ecart || e.kind == Kind::motif ||
        e.kind == Kind::avertissement)
      expect_sentence(std::string(e.texte), std::string(e.code));
}

TEST(CodesTest, every_problem_code_has_a_title) {
  for (const auto& e : kCatalogue) {
    if (e.kind != Kind::probleme) continue;
    EXPECT_TRUE(starts_with_capital(std::string(e.texte))) << e.code;
    EXPECT_NE(e.texte.back(), '.') << e.code << ": a title, not a sentence";
  }
}

TEST(CodesTest, codes_are_unique_within_a_kind) {
  std::set<std::pair<int, std::string_view>> seen;
  for (const auto& e : kCatalogue)
    EXPECT_TRUE(seen.insert({static_cast<int>(e.kind), e.code}).second) << e.code;
}

TEST(CodesTest, phrase_fills_the_field_and_the_expected_form) {
  EXPECT_EQ(phrase("obligatoire", "le sexe"), "Renseignez le sexe : cette donnée est obligatoire.");
  EXPECT_EQ(phrase("format_invalide", "le numéro FINESS", "9 caractères"),
            "Corrigez le numéro FINESS ; attendu : 9 caractères.");
  EXPECT_EQ(phrase("pas_une_regle", "le sexe"), "");
}

TEST(CodesTest, the_constants_the_code_uses_are_entries) {
  EXPECT_TRUE(find(Kind::regle, rule::type_invalide));
  EXPECT_TRUE(find(Kind::ecart, ecart::liste_prenoms_incomplete));
  EXPECT_TRUE(find(Kind::motif, motif::ins_non_recupere));
  constexpr Probleme p = "requete_invalide";
  EXPECT_EQ(p.view(), "requete_invalide");
  EXPECT_EQ(p.titre(), "Requête invalide");
}

// ---- proto/openapi.yaml enumerates exactly the catalogue ----

std::set<std::string> enumeration(const YAML::Node& doc, const char* schema) {
  std::set<std::string> out;
  const YAML::Node e = doc["components"]["schemas"][schema]["enum"];
  if (!e.IsSequence()) {
    ADD_FAILURE() << "components/schemas/" << schema << "/enum missing in proto/openapi.yaml";
    return out;
  }
  for (const auto& v : e) out.insert(v.as<std::string>());
  return out;
}

std::set<std::string> catalogue(Kind k) {
  std::set<std::string> out;
  for (const auto& e : kCatalogue)
    if (e.kind == k) out.insert(std::string(e.code));
  return out;
}

TEST(CodesTest, openapi_enumerates_every_code_the_daemon_emits_and_no_other) {
  const std::string path = std::string(INSGATE_SOURCE_DIR) + "/proto/openapi.yaml";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const YAML::Node doc = YAML::LoadFile(path);
  const std::pair<Kind, const char*> kinds[] = {{Kind::probleme, "CodeProbleme"},
                                                {Kind::regle, "Regle"},
                                                {Kind::anomalie, "CodeAnomalie"},
                                                {Kind::ecart, "Ecart"},
                                                {Kind::motif, "Motif"}};
  for (const auto& [kind, schema] : kinds) {
    const auto listed = enumeration(doc, schema);
    for (const auto& c : catalogue(kind))
      EXPECT_TRUE(listed.count(c)) << c << " is emitted but not in " << schema;
    for (const auto& c : listed)
      EXPECT_TRUE(catalogue(kind).count(c)) << c << " is in " << schema << " but never emitted";
  }
}

}  // namespace
}  // namespace insgate::identity::codes

// Unit tests of api/problem.hpp: field labels, sentences and titles of the
// error answers (issue 18: answers a nurse can act on).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/problem.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace insgate::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

TEST(ProblemTest, field_labels_are_french_noun_phrases) {
  EXPECT_EQ(label_of("traits.sexe"), "le sexe");
  EXPECT_EQ(label_of("traits.prenoms[0]"), "le 1er prénom de naissance");
  EXPECT_EQ(label_of("traits.prenoms[2]"), "le 3e prénom de naissance");
  EXPECT_EQ(label_of("piece_identite.type"), "le type de pièce d'identité");
  EXPECT_EQ(label_of("inconnu_x"), "« inconnu_x »");
}

TEST(ProblemTest, field_error_is_a_sentence_with_field_rule_and_expected_form) {
  auto e = field_error("finess", identity::rule::format_invalide);
  EXPECT_EQ(e.champ, "finess");
  EXPECT_EQ(e.regle, "format_invalide");
  EXPECT_EQ(e.message, "Corrigez le numéro FINESS (finess) ; attendu : 9 caractères.");
  auto t = field_error("traits.prenoms", identity::rule::type_invalide);
  EXPECT_THAT(t.message, HasSubstr("une liste de chaînes de caractères"));
  EXPECT_THAT(t.message, Not(HasSubstr("traits.prenoms")));
}

TEST(ProblemTest, every_rule_on_every_known_field_reads_as_a_sentence) {
  const char* champs[] = {"operateur", "finess", "cache", "traits", "traits.nom_naissance",
                          "traits.prenoms", "traits.prenoms[1]", "traits.sexe",
                          "traits.date_naissance", "traits.lieu_naissance", "ins", "ins.matricule",
                          "ins.cle", "ins.oid", "piece_identite", "piece_identite.type",
                          "piece_identite.verifiee_le", "identifiant_local", "vitale",
                          "vitale.nir_ouvrant_droit.matricule", "vitale.rang_naissance",
                          "vitale.couverture.code_centre", "assertion_vitale", "id", "jours"};
  for (const auto& entry : identity::codes::kCatalogue) {
    if (entry.kind != identity::codes::Kind::regle) continue;
    for (const char* champ : champs) {
      const std::string m = field_error(champ, entry.code).message;
      ASSERT_FALSE(m.empty()) << entry.code;
      EXPECT_TRUE(m[0] >= 'A' && m[0] <= 'Z') << m;
      EXPECT_EQ(m.back(), '.') << m;
      EXPECT_THAT(m, Not(HasSubstr("{"))) << m;
      EXPECT_THAT(m, Not(HasSubstr("()"))) << m;
      EXPECT_THAT(m, Not(HasSubstr(": ."))) << m;
    }
  }
}

TEST(ProblemTest, titles_name_what_is_wrong) {
  auto title = [](std::vector<FieldError> errors) {
    return json::parse(invalid_traits(errors).body)["title"].get<std::string>();
  };
  EXPECT_EQ(title({field_error("traits.sexe", "sexe_invalide")}), "Traits d'identité invalides");
  EXPECT_EQ(title({field_error("piece_identite.type", "piece_inconnue")}),
            "Pièce d'identité invalide");
  EXPECT_EQ(title({field_error("identifiant_local", "obligatoire")}), "Identifiant local invalide");
  EXPECT_EQ(title({field_error("ins.cle", "cle_invalide")}), "INS invalide");
  EXPECT_EQ(title({field_error("vitale.rang_naissance", "format_invalide")}),
            "Données de carte Vitale invalides");
  EXPECT_EQ(title({field_error("ins.cle", "cle_invalide"), field_error("traits.sexe", "sexe_invalide")}),
            "Données invalides");
}

TEST(ProblemTest, errors_carry_champ_regle_and_message) {
  auto j = json::parse(invalid_traits({field_error("traits.sexe", "sexe_invalide")}).body);
  EXPECT_EQ(j["code"], "traits_invalides");
  EXPECT_EQ(j["errors"][0]["champ"], "traits.sexe");
  EXPECT_EQ(j["errors"][0]["regle"], "sexe_invalide");
  EXPECT_EQ(j["errors"][0]["message"], "Corrigez le sexe : M ou F attendu.");
  auto b = json::parse(bad_request({"Le membre x est inconnu.", {field_error("x", "membre_inconnu")}}).body);
  EXPECT_EQ(b["status"], 400);
  EXPECT_EQ(b["errors"][0]["regle"], "membre_inconnu");
}

}  // namespace
}  // namespace insgate::api

// Unit tests of what issue 20 added to the identity module: checks of INSi's
// traits without normalisation (normalise.hpp, traits.hpp), the country of a
// birthplace COG (cog_pays.hpp), the identity-document code and the
// identity-reliability details (representations.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "identity/cog_pays.hpp"
#include "identity/normalise.hpp"
#include "identity/representations.hpp"
#include "identity/traits.hpp"

namespace insgate::identity {
namespace {

using nlohmann::json;

TEST(CheckNomNaissanceInsi, AcceptsInsFormOnly) {
  for (const char* ok : {"ECETINSI", "DE LA FONTAINE", "D'ARC", "DUPONT--DURAND", "O'NEIL-SMITH"})
    EXPECT_FALSE(check_nom_naissance_insi(ok).has_value()) << ok;
  const std::pair<const char*, std::string_view> bad[] = {
      {"ECET|INSI", rule::caractere_interdit}, {"A^B", rule::caractere_interdit},
      {"A&B", rule::caractere_interdit},       {"A~B", rule::caractere_interdit},
      {"A\\B", rule::caractere_interdit},      {"Ecetinsi", rule::caractere_interdit},
      {"MÜLLER", rule::caractere_interdit},    {"", rule::vide},
      {"-MARTIN", rule::debut_invalide},       {"MARTIN ", rule::fin_invalide},
      {"A---B", rule::tirets_multiples},       {"L' HOTE", rule::espace_apostrophe},
      {"D''ARC", rule::apostrophes_doubles}};
  for (const auto& [value, r] : bad) {
    auto got = check_nom_naissance_insi(value);
    ASSERT_TRUE(got.has_value()) << value;
    EXPECT_EQ(got->rule, r) << value;
    EXPECT_EQ(got->message.find(value[0] ? value : "\x01"), std::string::npos);
  }
}

TEST(CheckListePrenomsInsi, EachFirstNameHasTheFirstNameSyntax) {
  EXPECT_FALSE(check_liste_prenoms_insi("PIERRE-ALAIN MURIEL FLORIANT").has_value());
  EXPECT_EQ(check_liste_prenoms_insi("PIERRE--ALAIN")->rule, rule::double_tiret_prenom);
  EXPECT_EQ(check_liste_prenoms_insi("PIERRE  MURIEL")->rule, rule::fin_invalide);
  EXPECT_EQ(check_liste_prenoms_insi(" PIERRE")->rule, rule::debut_invalide);
  EXPECT_EQ(check_liste_prenoms_insi("PIERRE ")->rule, rule::fin_invalide);
  EXPECT_EQ(check_liste_prenoms_insi("PIERRE^ALAIN")->rule, rule::caractere_interdit);
}

TEST(CheckTraitsInsi, NamesTheFailingTraitsAndNeverTheirValues) {
  TraitsInsiView t{"ECETINSI", "PIERRE-ALAIN", std::nullopt, "M", "2009-07-14", "63220"};
  EXPECT_TRUE(check_traits_insi(t).empty());
  t.nom_naissance = "ECET|INSI";
  t.prenom = "PIERRE|";
  t.sexe = "m";  // INSi sends upper case: not normalised here
  t.date_naissance = "14/07/2009";
  t.lieu_naissance = "2a004";  // not exactly as INSi must send it
  const auto got = check_traits_insi(t);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].trait, "nom_naissance");
  EXPECT_EQ(got[1].trait, "prenom");
  EXPECT_EQ(got[2].trait, "sexe");
  EXPECT_EQ(got[3].trait, "date_naissance");
  EXPECT_EQ(got[3].rule, rule::date_format_invalide);
  EXPECT_EQ(got[4].trait, "lieu_naissance");
  EXPECT_TRUE(check_traits_insi(TraitsInsiView{}).empty()) << "absent elements are INSi's choice";
}

TEST(CogPays, FrenchCommunesAreFranceAndForeignCodesTheirIsoCountry) {
  EXPECT_EQ(iso3166_alpha3_of_cog("2A004"), "FRA");
  EXPECT_EQ(iso3166_alpha3_of_cog("63220"), "FRA");
  EXPECT_EQ(iso3166_alpha3_of_cog("97411"), "FRA");
  EXPECT_EQ(iso3166_alpha3_of_cog("99100"), "FRA");
  EXPECT_EQ(iso3166_alpha3_of_cog("99109"), "DEU");
  EXPECT_EQ(iso3166_alpha3_of_cog("99132"), "GBR");
  EXPECT_EQ(iso3166_alpha3_of_cog("99350"), "MAR");
  EXPECT_EQ(iso3166_alpha3_of_cog("99352"), "DZA");
  EXPECT_EQ(iso3166_alpha3_of_cog("99404"), "USA");
  EXPECT_EQ(iso3166_alpha3_of_cog("99699"), "ATA");
  for (const char* none : {"99157", "99115", "99999", "9910", "991090", "ABCDE", "00123", ""})
    EXPECT_FALSE(iso3166_alpha3_of_cog(none).has_value()) << none;
}

TEST(IdentityDocumentCode, LocalApiTypesMapToTheFrenchCodeList) {
  EXPECT_EQ(identity_document_code("CNI"), "CN");
  EXPECT_EQ(identity_document_code("PASSEPORT"), "PA");
  EXPECT_EQ(identity_document_code("TITRE_SEJOUR"), "CS");
  EXPECT_EQ(identity_document_code("LIVRET_FAMILLE_ACTE"), "LE");
  EXPECT_FALSE(identity_document_code("").has_value());
  EXPECT_FALSE(identity_document_code("cni").has_value());
}

TEST(FhirIdentityReliability, DetailsFollowTheFrCoreVersion) {
  const ReliabilityDetails d{"2024-01-15", "CN", "2024-01-16"};
  const json v21 = fhir_identity_reliability(RnivStatus::qualifiee, FrCoreVersion::v2_1, d);
  ASSERT_EQ(v21["extension"].size(), 4u);
  EXPECT_EQ(v21["extension"][0]["url"], "identityStatus");
  EXPECT_EQ(v21["extension"][1], json({{"url", "dateCollection"}, {"valueDate", "2024-01-15"}}));
  EXPECT_EQ(v21["extension"][2]["url"], "validationMode");
  EXPECT_EQ(v21["extension"][2]["valueCoding"]["system"],
            "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity");
  EXPECT_EQ(v21["extension"][2]["valueCoding"]["code"], "CN");
  EXPECT_EQ(v21["extension"][3], json({{"url", "validationDate"}, {"valueDate", "2024-01-16"}}));
  const json v22 = fhir_identity_reliability(RnivStatus::qualifiee, FrCoreVersion::v2_2_ballot, d);
  EXPECT_EQ(v22["extension"][1]["url"], "dateInterrogationINSi");
  EXPECT_EQ(fhir_identity_reliability(RnivStatus::recuperee, FrCoreVersion::v2_1)["extension"].size(),
            1u);
}

}  // namespace
}  // namespace insgate::identity

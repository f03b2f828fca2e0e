// Unit tests of insi/verification.hpp: the comparison behind
// POST /v1/ins/verification (issue #4).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/verification.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace insgate::insi;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

Individu ecetinsi() {
  Individu i;
  i.ins_actif = {"1090763220834", "89", "1.2.250.1.213.1.4.8", std::nullopt, std::nullopt};
  i.ins_histo.push_back({"2090763220834", "39", "1.2.250.1.213.1.4.8", "2019-03-01", "2019-02-28"});
  i.tiq.nom_naissance = "ECETINSI";
  i.tiq.liste_prenoms = "PIERRE-ALAIN MURIEL FLORIANT";
  i.tiq.sexe = "M";
  i.tiq.date_naissance = "2009-07-14";
  i.tiq.lieu_naissance = "63220";
  return i;
}

TraitsRecherche traits(std::vector<std::string> prenoms = {"PIERRE-ALAIN", "MURIEL", "FLORIANT"}) {
  return {"ECETINSI", std::move(prenoms), "M", "2009-07-14", std::nullopt};
}

const InsFourni kActif{"1090763220834", "89", "1.2.250.1.213.1.4.8"};

}  // namespace

TEST(VerificationTest, same_ins_and_traits_conform) {
  auto v = comparer(kActif, traits(), ecetinsi());
  EXPECT_TRUE(v.conforme);
  EXPECT_THAT(v.ecarts, IsEmpty());
  EXPECT_FALSE(v.ins_historique);
}

// Issue 18: ins-identity-rules.md §2 ("Premier prénom"): a local first name
// matches the start of INSi's list, so the INS and traits conform; but the
// RNIV trait is the full list of birth first names, so the answer names
// the écart liste_prenoms_incomplete for the software to complete its record.
TEST(VerificationTest, first_first_names_only_conform_with_an_incomplete_list_ecart) {
  for (auto prenoms : {std::vector<std::string>{"PIERRE-ALAIN"},
                       std::vector<std::string>{"PIERRE-ALAIN", "MURIEL"}}) {
    auto v = comparer(kActif, traits(prenoms), ecetinsi());
    EXPECT_TRUE(v.conforme);
    EXPECT_THAT(v.ecarts, ElementsAre("liste_prenoms_incomplete"));
  }
}

TEST(VerificationTest, full_list_in_one_element_conforms_without_ecart) {
  auto v = comparer(kActif, traits({"PIERRE-ALAIN MURIEL FLORIANT"}), ecetinsi());
  EXPECT_TRUE(v.conforme);
  EXPECT_THAT(v.ecarts, IsEmpty());
}

TEST(VerificationTest, hyphen_counts_as_a_space_in_the_comparison) {
  // §2: "hyphen/apostrophe treated as space".
  auto v = comparer(kActif, traits({"PIERRE", "ALAIN", "MURIEL", "FLORIANT"}), ecetinsi());
  EXPECT_TRUE(v.conforme);
  EXPECT_THAT(v.ecarts, IsEmpty());
  EXPECT_THAT(comparer(kActif, traits({"PIERRE"}), ecetinsi()).ecarts,
              ElementsAre("liste_prenoms_incomplete"));
}

TEST(VerificationTest, more_first_names_than_insi_do_not_conform) {
  auto v = comparer(kActif, traits({"PIERRE-ALAIN", "MURIEL", "FLORIANT", "JEAN"}), ecetinsi());
  EXPECT_FALSE(v.conforme);
  EXPECT_THAT(v.ecarts, ElementsAre("traits.prenoms"));
}

TEST(VerificationTest, first_names_out_of_order_do_not_conform) {
  auto v = comparer(kActif, traits({"MURIEL"}), ecetinsi());
  EXPECT_THAT(v.ecarts, ElementsAre("traits.prenoms"));
}

TEST(VerificationTest, old_matricule_is_flagged_as_historique) {
  InsFourni old{"2090763220834", "39", "1.2.250.1.213.1.4.8"};
  auto v = comparer(old, traits(), ecetinsi());
  EXPECT_FALSE(v.conforme);
  EXPECT_TRUE(v.ins_historique);
  EXPECT_THAT(v.ecarts, ElementsAre("ins.matricule", "ins.cle"));
}

TEST(VerificationTest, other_oid_is_an_ecart) {
  InsFourni nia{"1090763220834", "89", "1.2.250.1.213.1.4.9"};
  EXPECT_THAT(comparer(nia, traits(), ecetinsi()).ecarts, ElementsAre("ins.oid"));
}

TEST(VerificationTest, each_differing_trait_is_named) {
  TraitsRecherche t{"ECETINSY", {"PIERRE-ALAIN", "MURIEL", "FLORIANT"}, "F", "2009-07-15",
                    std::string("75056")};
  auto v = comparer(kActif, t, ecetinsi());
  EXPECT_THAT(v.ecarts, ElementsAre("traits.nom_naissance", "traits.sexe", "traits.date_naissance",
                                    "traits.lieu_naissance"));
}

TEST(VerificationTest, birthplace_is_compared_only_when_supplied) {
  auto t = traits();
  t.lieu_naissance = "63220";
  EXPECT_TRUE(comparer(kActif, t, ecetinsi()).conforme);
}

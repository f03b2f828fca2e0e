// Unit tests of stats/departements.hpp: FINESS prefix → "DD - Libellé".
// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/departements.hpp"

#include <gtest/gtest.h>

#include <set>

namespace insgate::stats {
namespace {

std::string label_of(std::string_view finess) {
  const auto d = departement_of_finess(finess);
  return d ? d->label() : "<inconnu>";
}

TEST(DepartementsTest, metropolitan_finess_uses_its_first_two_digits) {
  EXPECT_EQ(label_of("010000001"), "01 - Ain");
  EXPECT_EQ(label_of("750712184"), "75 - Paris");
  EXPECT_EQ(label_of("130786049"), "13 - Bouches-du-Rhône");
  EXPECT_EQ(label_of("210780581"), "21 - Côte-d'Or");
  EXPECT_EQ(label_of("900000001"), "90 - Territoire de Belfort");
  EXPECT_EQ(label_of("950000001"), "95 - Val-d'Oise");
}

TEST(DepartementsTest, corsica_is_2a_and_2b) {
  EXPECT_EQ(label_of("2A0000012"), "2A - Corse-du-Sud");
  EXPECT_EQ(label_of("2B0000014"), "2B - Haute-Corse");
  EXPECT_EQ(label_of("200000001"), "<inconnu>");  // the pre-1976 code is no département
}

TEST(DepartementsTest, overseas_finess_with_the_insee_code_in_front) {
  EXPECT_EQ(label_of("971000001"), "971 - Guadeloupe");
  EXPECT_EQ(label_of("972000001"), "972 - Martinique");
  EXPECT_EQ(label_of("973000001"), "973 - Guyane");
  EXPECT_EQ(label_of("974000001"), "974 - La Réunion");
  EXPECT_EQ(label_of("975000001"), "975 - Saint-Pierre-et-Miquelon");
  EXPECT_EQ(label_of("976000001"), "976 - Mayotte");
}

TEST(DepartementsTest, overseas_finess_with_970_and_the_digit_after) {
  EXPECT_EQ(label_of("970100228"), "971 - Guadeloupe");
  EXPECT_EQ(label_of("970211207"), "972 - Martinique");
  EXPECT_EQ(label_of("970302022"), "973 - Guyane");
  EXPECT_EQ(label_of("970421038"), "974 - La Réunion");
  EXPECT_EQ(label_of("970600001"), "976 - Mayotte");
}

TEST(DepartementsTest, unknown_prefix_or_length_is_the_error_value) {
  EXPECT_EQ(departement_of_finess("000000001"), std::nullopt);
  EXPECT_EQ(departement_of_finess("960000001"), std::nullopt);
  EXPECT_EQ(departement_of_finess("970700001"), std::nullopt);
  EXPECT_EQ(departement_of_finess("977000001"), std::nullopt);
  EXPECT_EQ(departement_of_finess("970000001"), std::nullopt);
  EXPECT_EQ(departement_of_finess("980000001"), std::nullopt);
  EXPECT_EQ(departement_of_finess("75000000"), std::nullopt);
  EXPECT_EQ(departement_of_finess("7500000011"), std::nullopt);
  EXPECT_EQ(departement_of_finess(""), std::nullopt);
}

TEST(DepartementsTest, table_holds_the_101_departements_once_each) {
  std::set<std::string_view> codes;
  int departements_count = 0;
  for (const auto& d : departements()) {
    EXPECT_TRUE(codes.insert(d.code).second) << d.code;
    EXPECT_FALSE(d.libelle.empty());
    if (d.code != "975") ++departements_count;
  }
  EXPECT_EQ(departements_count, 101);
  for (int i = 1; i <= 95; ++i) {
    if (i == 20) continue;
    char code[3] = {static_cast<char>('0' + i / 10), static_cast<char>('0' + i % 10), 0};
    EXPECT_TRUE(departement_by_code(code).has_value()) << code;
  }
}

}  // namespace
}  // namespace insgate::stats

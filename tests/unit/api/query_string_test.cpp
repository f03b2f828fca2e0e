// Unit tests of api/query_string.hpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/query_string.hpp"

#include <gtest/gtest.h>

namespace insgate::api {
namespace {

TEST(QueryStringTest, finds_a_parameter_among_others) {
  EXPECT_EQ(query_param("mois=2026-11&format=csv", "format"), "csv");
  EXPECT_EQ(query_param("mois=2026-11&format=csv", "mois"), "2026-11");
  EXPECT_EQ(query_param("mois=2026-11", "format"), "") << "absent";
  EXPECT_EQ(query_param("", "mois"), "");
  EXPECT_EQ(query_param("moisx=1&mois=2", "mois"), "2") << "whole names only";
}

TEST(QueryStringTest, values_are_percent_decoded) {
  EXPECT_EQ(query_param("mois=%32%30%32%36-11", "mois"), "2026-11");
  EXPECT_EQ(query_param("etat=%70ending", "etat"), "pending");
  EXPECT_EQ(query_param("limite=%35", "limite"), "5");
  EXPECT_EQ(query_param("x=a%2Fb%2fc", "x"), "a/b/c");
}

TEST(QueryStringTest, malformed_escapes_and_nul_are_refused) {
  EXPECT_EQ(query_param("mois=2026%", "mois"), std::nullopt);
  EXPECT_EQ(query_param("mois=2026%1", "mois"), std::nullopt);
  EXPECT_EQ(query_param("mois=%zz", "mois"), std::nullopt);
  EXPECT_EQ(query_param("mois=%00", "mois"), std::nullopt);
}

}  // namespace
}  // namespace insgate::api

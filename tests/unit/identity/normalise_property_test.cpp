// Property test of identity/normalise.hpp (issue 3, ins-identity-rules.md §2.1):
// 20,000 random inputs — random bytes (invalid UTF-8 included), control
// characters, random Unicode code points, near-valid names, strings up to 10k
// bytes — never crash and give either a value in the allowed alphabet that
// passes the syntax rules (checked here independently) or a named Rejection.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/normalise.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace insgate::identity {
namespace {

const std::set<std::string> kKnownRules = {
    "trop_long", "utf8_invalide", "caractere_interdit", "vide", "debut_invalide",
    "fin_invalide", "tirets_multiples", "double_tiret_prenom", "apostrophe_tiret",
    "apostrophes_doubles", "espace_apostrophe", "espace_dans_prenom"};

void append_utf8(std::string& s, char32_t c) {
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xC0 | (c >> 6));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {  // surrogates included on purpose: invalid UTF-8
    s += static_cast<char>(0xE0 | (c >> 12));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (c >> 18));
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (c & 0x3F));
  }
}

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  std::string next() {
    const std::size_t len = pick(10) == 0 ? pick(10001) : pick(40);
    std::string s;
    switch (pick(4)) {
      case 0:  // raw bytes
        for (std::size_t i = 0; i < len; ++i) s += static_cast<char>(pick(256));
        break;
      case 1:  // any code point, surrogates included
        for (std::size_t i = 0; i < len; ++i) append_utf8(s, static_cast<char32_t>(pick(0x110000)));
        break;
      case 2:  // control characters and white space mixed with letters
        for (std::size_t i = 0; i < len; ++i) {
          static const char32_t kPool[] = {0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x7F, 0x85, 0xA0,
                                           0x2028, 0x3000, U'a', U'Z', U' ', U'-', U'\''};
          append_utf8(s, kPool[pick(std::size(kPool))]);
        }
        break;
      default:  // near-valid names: the accept path gets exercised too
        for (std::size_t i = 0; i < len; ++i) {
          static const char32_t kPool[] = {
              U'a', U'e', U'M', U'r', U't', U'n', U'\u00e9', U'\u00e7', U'\u00df', U'\u0153',
              U'\u00c6', U'\u00f8', U'\u0141', U'\u2019', U'\u00b4', U'\u2013', U'\u2212',
              U'\u00ad', U'\u200b', U'\u00a0', U' ', U' ', U'-', U'-', U'\'', U'\u0301', U'L',
              U'o', U'u', U'i'};
          append_utf8(s, kPool[pick(std::size(kPool))]);
        }
    }
    return s;
  }

 private:
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  std::mt19937 rng_;
};

/// Independent statement of §2.1's output rules (not the production code).
::testing::AssertionResult is_valid_name(const std::string& s, bool first_name) {
  if (s.empty()) return ::testing::AssertionFailure() << "empty";
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || c == ' ' || c == '\'' || c == '-'))
      return ::testing::AssertionFailure() << "character outside the alphabet";
  const std::string edges = " -'";
  if (edges.find(s.front()) != std::string::npos || edges.find(s.back()) != std::string::npos)
    return ::testing::AssertionFailure() << "bad first or last character";
  for (const char* bad : {"---", "'-", "-'", "''", "' ", " '", "  ", " -", "- "})
    if (s.find(bad) != std::string::npos) return ::testing::AssertionFailure() << "contains " << bad;
  if (first_name && (s.find("--") != std::string::npos || s.find(' ') != std::string::npos))
    return ::testing::AssertionFailure() << "first name with -- or space";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_named_rejection(const Rejection& r) {
  if (!kKnownRules.count(r.rule)) return ::testing::AssertionFailure() << "unknown rule " << r.rule;
  if (r.message.empty()) return ::testing::AssertionFailure() << "empty message";
  return ::testing::AssertionSuccess();
}

TEST(NormalisePropertyTest, random_input_gives_valid_name_or_named_rejection) {
  Generator gen(20240501);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string in = gen.next();
    auto nom = normalise_nom_naissance(in);
    if (auto* r = std::get_if<Rejection>(&nom)) {
      ASSERT_TRUE(is_named_rejection(*r)) << "input #" << i;
      ++rejected;
    } else {
      ASSERT_TRUE(is_valid_name(std::get<std::string>(nom), false)) << "input #" << i;
      ++accepted;
    }
    auto prenoms = normalise_prenoms({in});
    if (auto* r = std::get_if<Rejection>(&prenoms)) {
      ASSERT_TRUE(is_named_rejection(*r)) << "input #" << i;
    } else {
      const auto& names = std::get<std::vector<std::string>>(prenoms);
      ASSERT_FALSE(names.empty());
      for (const auto& n : names) ASSERT_TRUE(is_valid_name(n, true)) << "input #" << i;
    }
  }
  // Both paths must have been exercised for the property to mean anything.
  EXPECT_GT(accepted, 500);
  EXPECT_GT(rejected, 5000);
}

TEST(NormalisePropertyTest, normalisation_is_idempotent_on_accepted_names) {
  Generator gen(7);
  for (int i = 0; i < 5000; ++i) {
    auto first = normalise_nom_naissance(gen.next());
    if (!std::holds_alternative<std::string>(first)) continue;
    const auto& once = std::get<std::string>(first);
    auto again = normalise_nom_naissance(once);
    ASSERT_TRUE(std::holds_alternative<std::string>(again));
    EXPECT_EQ(std::get<std::string>(again), once);
  }
}

}  // namespace
}  // namespace insgate::identity

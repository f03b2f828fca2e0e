// Conformance: with the XML signature off (the default, insi.signature_xml),
// the envelopes are byte for byte those of golden/, produced before the
// signature existed; importing WS-Security into the gSOAP binding must not
// change a single byte of what INSi or the simulator's callers receive.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "golden_cases.hpp"
#include "process.hpp"

TEST(UnsignedGolden, envelopes_are_unchanged_byte_for_byte) {
  const std::string dir = std::string(INSGATE_SOURCE_DIR) + "/tests/conformance/golden/";
  auto cases = insgate::testing::golden_cases();
  ASSERT_EQ(cases.size(), 6u);
  for (const auto& [name, xml] : cases) {
    std::string expected = insgate::testing::read_file(dir + name);
    ASSERT_FALSE(expected.empty()) << "golden file missing: " << dir << name;
    EXPECT_EQ(xml, expected) << name;
  }
}

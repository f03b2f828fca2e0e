// insgate tests — where ../shared (INSi reference data) is. Tests that need
// it fail loudly when it is missing; they never skip.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace insgate::testing {

inline std::string shared_dir() {
  if (const char* env = std::getenv("INSGATE_SHARED_DIR")) return env;
  return INSGATE_SHARED_DIR;
}

/// Asserts (fatally) that ../shared/insi is present.
#define ASSERT_SHARED_DATA_PRESENT()                                                        \
  ASSERT_TRUE(std::filesystem::is_directory(insgate::testing::shared_dir() + "/insi"))     \
      << "INSi reference data missing: expected " << insgate::testing::shared_dir()        \
      << "/insi (the shared/ folder beside the checkout, or INSGATE_SHARED_DIR). "          \
         "Conformance tests need it and never skip."

}  // namespace insgate::testing

// Every seed of tests/fuzz/corpus/<target>/ and every input that once made a
// fuzz target fail (tests/fuzz/regressions/<target>/) fed to the same
// function, in the normal (and sanitizer) build trees.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "insi/soap_codec.hpp"
#include "targets.hpp"

namespace {

namespace fs = std::filesystem;
using Fn = int (*)(const std::uint8_t*, std::size_t);

int run_dir(const fs::path& dir, Fn fn) {
  int n = 0;
  if (!fs::exists(dir)) return 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    std::ifstream in(f, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(fn(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()), 0);
    ++n;
  }
  return n;
}

void run_target(const std::string& name, Fn fn) {
  const fs::path root = fs::path(INSGATE_SOURCE_DIR) / "tests" / "fuzz";
  int seeds = run_dir(root / "corpus" / name, fn);
  run_dir(root / "regressions" / name, fn);
  EXPECT_GT(seeds, 0) << "no seed corpus for " << name;
}

TEST(FuzzRegressions, parse_response) { run_target("parse_response", insgate::fuzz::parse_response_one); }
TEST(FuzzRegressions, decode_recherche) { run_target("decode_recherche", insgate::fuzz::decode_recherche_one); }
TEST(FuzzRegressions, normalise) { run_target("normalise", insgate::fuzz::normalise_one); }
TEST(FuzzRegressions, config_load) { run_target("config_load", insgate::fuzz::config_load_one); }
TEST(FuzzRegressions, http_request) { run_target("http_request", insgate::fuzz::http_request_one); }

}  // namespace

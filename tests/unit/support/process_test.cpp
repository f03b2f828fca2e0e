// Unit tests of tests/support/process.hpp: a sanitizer report in a child
// process's log fails the test that started it (the sanitizer presets run
// insgated and insi-sim as children).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "process.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace insgate::testing {
namespace {

std::string temp_log(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "-" + std::to_string(::getpid()) + ".log"))
      .string();
}

TEST(ChildProcessDeathTest, a_sanitizer_report_in_the_child_log_aborts_the_test) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string log = temp_log("tsan-report");
  EXPECT_DEATH(
      {
        ChildProcess p({"/bin/sh", "-c", "echo 'WARNING: ThreadSanitizer: data race (pid=1)'"},
                       log);
        while (p.running()) ::usleep(1000);
      },
      "sanitizer report in child process log");
  std::filesystem::remove(log);
}

TEST(ChildProcessTest, a_clean_log_passes) {
  const std::string log = temp_log("clean");
  {
    ChildProcess p({"/bin/sh", "-c", "echo 'insgated ready'"}, log);
    while (p.running()) ::usleep(1000);
    EXPECT_EQ(p.exit_code(), 0);
  }
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace insgate::testing

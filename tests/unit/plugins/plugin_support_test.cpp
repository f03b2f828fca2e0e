// Tests of plugins/include/insgate/plugin_support.hpp: the error line is
// truncated and NUL-terminated; no exception crosses a guarded entry point.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <insgate/plugin_support.hpp>

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>

namespace {

using insgate::plugin_support::guarded;
using insgate::plugin_support::set_error;

TEST(PluginSupport, set_error_truncates_to_the_buffer_and_terminates_it) {
  char buf[6];
  std::fill(std::begin(buf), std::end(buf), 'x');
  set_error(buf, sizeof buf, "spool: disk full");
  EXPECT_EQ(std::string(buf), "spool");
  set_error(buf, sizeof buf, "ok");
  EXPECT_EQ(std::string(buf), "ok");
  char one[1] = {'x'};
  set_error(one, 1, "anything");
  EXPECT_EQ(one[0], '\0');
  set_error(nullptr, 10, "ignored");  // no buffer: nothing written, no crash
  set_error(one, 0, "ignored");
}

TEST(PluginSupport, guarded_returns_the_body_status_and_leaves_its_error_line) {
  char err[64] = "";
  auto st = guarded(err, sizeof err, INSGATE_RETRY_LATER, "internal", [&] {
    set_error(err, sizeof err, "dmp-fhir: HTTP 404");
    return INSGATE_PERMANENT_FAILURE;
  });
  EXPECT_EQ(st, INSGATE_PERMANENT_FAILURE);
  EXPECT_STREQ(err, "dmp-fhir: HTTP 404");
}

TEST(PluginSupport, guarded_turns_any_exception_into_the_given_status_and_message) {
  char err[64] = "";
  EXPECT_EQ(guarded(err, sizeof err, INSGATE_RETRY_LATER, "spool: internal error",
                    []() -> insgate_status { throw std::bad_alloc(); }),
            INSGATE_RETRY_LATER);
  EXPECT_STREQ(err, "spool: internal error");
  EXPECT_EQ(guarded(err, sizeof err, INSGATE_PERMANENT_FAILURE, "create failed",
                    []() -> insgate_status { throw 42; }),
            INSGATE_PERMANENT_FAILURE);
  EXPECT_STREQ(err, "create failed");
}

}  // namespace

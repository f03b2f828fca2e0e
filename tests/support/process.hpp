// insgate tests — a child process started with posix_spawn, stdout and
// stderr to a log file, stopped (SIGTERM, then SIGKILL) on destruction.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace insgate::testing {

/// A child process whose stdout and stderr go to `log_path`.
/// On destruction it is stopped, and its log is scanned for a sanitizer
/// report (ThreadSanitizer, AddressSanitizer, LeakSanitizer, UBSan): the
/// sanitizer presets run the daemon and the simulator as children, whose
/// reports would otherwise go unseen. A report is printed and the test
/// process aborts, so the test fails.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  /// Sends `sig` and waits for the exit (SIGKILL after `grace`).
  /// @return the exit status as from waitpid, or -1 if already reaped.
  int stop(int sig = 15, std::chrono::milliseconds grace = std::chrono::seconds(5));
  /// Exit code if the process exited normally, else -1.
  int exit_code() const { return exit_code_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

/// Polls `pred` every 20 ms until true or `timeout`. Returns its last value.
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// Runs a command (argv form), waits, returns its exit code (-1 on signal).
int run_command(const std::vector<std::string>& argv, const std::string& log_path = "/dev/null");

/// Reads a whole file ("" if missing).
std::string read_file(const std::string& path);

}  // namespace insgate::testing

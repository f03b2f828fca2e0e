// insgate adversarial tests — raw-socket helpers and an insgated fixture that
// exposes the daemon's pid (RSS and descriptor counts from /proc).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "e2e_env.hpp"
#include "process.hpp"

namespace insgate::testing::adv {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

/// True when this binary (hence the whole build tree, daemon included) is
/// built with a sanitizer: memory and timing bounds are relaxed there.
constexpr bool kSanitized =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

/// A connected Unix stream socket (closed on destruction).
class RawConn {
 public:
  explicit RawConn(const std::string& path);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  int fd() const { return fd_; }
  /// Sends everything (MSG_NOSIGNAL); false when the peer has gone.
  bool send(std::string_view data);
  /// Status of the next HTTP response, or 0 if the connection closed or
  /// `timeout` passed before a complete response arrived. `closed` tells which.
  int read_status(Ms timeout);
  /// Waits until the peer closes (EOF/reset) — true — or `timeout` passes.
  bool wait_closed(Ms timeout);
  bool closed() const { return closed_; }
  void close();

 private:
  int fd_ = -1;
  bool closed_ = false;
  std::string buf_;
};

/// One connection, `bytes` sent, one response read: its status (0 if none).
int exchange(const std::string& socket, std::string_view bytes, Ms timeout = 5s);

/// A complete HTTP/1.1 POST of `body` to `target`.
std::string post(const std::string& target, std::string_view body, bool close = false);

/// VmRSS of `pid` in KiB (0 if unreadable).
long rss_kib(pid_t pid);
/// Number of open descriptors of `pid` (-1 if unreadable).
int fd_count(pid_t pid);

/// insgated with the e2e configuration plus `api_extra` lines inside `api:`
/// (2-space indented, e.g. "  delai_entete_ms: 500\n").
class AdvDaemon {
 public:
  AdvDaemon(const Workspace& ws, const std::string& name, const DaemonOptions& opt,
            const std::string& api_extra = "");
  pid_t pid() const { return process_->pid(); }
  bool running() { return process_->running(); }
  const std::string& socket() const { return socket_; }
  std::string log() const { return read_file(log_); }

 private:
  std::string socket_;
  std::string log_;
  std::unique_ptr<ChildProcess> process_;
};

/// insi-sim as a child process whose pid is known (kill -9 possible).
class SimProcess {
 public:
  /// `port` 0 picks a free one; `dataset` empty = tests/insi-sim/dataset.yaml.
  SimProcess(const Workspace& ws, const std::string& name, int port = 0,
             const std::string& dataset = "");
  int port() const { return port_; }
  void kill9() { process_->stop(9); }
  /// POSTs received so far (lines of its --journal).
  std::size_t posts_received() const;

 private:
  std::unique_ptr<ChildProcess> process_;
  std::string journal_path_;
  int port_ = 0;
};

/// GET /v1/health on a fresh connection: status (0 on failure).
int health_status(const std::string& socket, Ms timeout = 2s);

/// A valid recherche of the simulator's CR 00 person.
std::string valid_recherche_body();

}  // namespace insgate::testing::adv

// End to end: insgated as a systemd service (issue #6) — sd_notify
// READY / RELOADING / STOPPING through NOTIFY_SOCKET, SIGHUP reload as a
// transaction, socket activation through systemd-socket-activate.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;

namespace {

/// A datagram socket playing systemd's notification socket.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    timeval tv{0, 100000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
  }
  /// Waits (up to 10 s) for a message containing `what`; returns all text read.
  bool wait_for(const std::string& what) {
    for (int i = 0; i < 100; ++i) {
      char buf[512];
      ssize_t n = ::recv(fd_, buf, sizeof buf - 1, 0);
      if (n > 0) {
        seen_.append(buf, static_cast<std::size_t>(n)).push_back('\n');
        if (seen_.find(what) != std::string::npos) return true;
      }
    }
    return seen_.find(what) != std::string::npos;
  }
  const std::string& seen() const { return seen_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string seen_;
};

}  // namespace

TEST(SystemdE2E, notify_ready_reload_and_stopping) {
  Workspace ws;
  Simulator sim(ws, "sim");
  NotifySocket notify(ws.path("notify.sock"));
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  ASSERT_TRUE(notify.wait_for("READY=1")) << notify.seen();
  LocalHttpClient c(d.socket());
  auto body = recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01");
  ASSERT_EQ(post_recherche(c, body).status, 200u);

  // A valid new configuration (unknown IDAM) is applied on SIGHUP.
  opt.idam = "UNKNOWN";
  write_daemon_config(ws, "insgated", opt);
  d.signal(SIGHUP);
  ASSERT_TRUE(notify.wait_for("RELOADING=1")) << notify.seen();
  EXPECT_NE(notify.seen().find("MONOTONIC_USEC="), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return d.log().find("configuration and certificates reloaded") !=
                                      std::string::npos; }));
  EXPECT_EQ(post_recherche(c, body).body["insi_code"], "desir_550");

  // A broken one is refused: the daemon keeps serving with the current one.
  std::ofstream(ws.path("insgated.yaml")) << "api: [this is not\n";
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return d.log().find("new configuration refused") !=
                                      std::string::npos; }));
  EXPECT_EQ(post_recherche(c, body).body["insi_code"], "desir_550");
  EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/health").status, 200u);

  d.stop(SIGTERM);
  EXPECT_TRUE(notify.wait_for("STOPPING=1")) << notify.seen();
}

// Restart-only settings are compared with what the daemon started with:
// changing `api` warns; putting it back, then reloading for something else,
// does not warn again.
TEST(SystemdE2E, reload_warns_about_restart_only_settings_against_the_running_ones) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  Daemon d(ws, "insgated", opt);
  auto count = [&](const std::string& needle) {
    std::string log = d.log();
    int n = 0;
    for (auto p = log.find(needle); p != std::string::npos; p = log.find(needle, p + 1)) ++n;
    return n;
  };
  auto reload = [&](const DaemonOptions& o, int nth) {
    write_daemon_config(ws, "insgated", o);
    d.signal(SIGHUP);
    ASSERT_TRUE(wait_until([&] { return count("configuration and certificates reloaded") == nth; }));
  };
  DaemonOptions changed = opt;
  changed.socket_mode = "0660";
  reload(changed, 1);
  EXPECT_EQ(count("api changed: restart the service"), 1);
  EXPECT_EQ(count("restart the service to apply it (api.mode_socket)"), 1) << d.log();
  reload(opt, 2);  // back to the running value
  DaemonOptions other = opt;
  other.idam = "OTHER-IDAM";  // a reloadable setting
  reload(other, 3);
  EXPECT_EQ(count("api changed: restart the service"), 1) << d.log();
  DaemonOptions limits = other;
  limits.api_extra = "  connexions_max: 100\n";
  reload(limits, 4);
  EXPECT_EQ(count("api changed: restart the service"), 2) << "connexions_max is restart-only";
  EXPECT_EQ(count("restart the service to apply it (api.connexions_max)"), 1) << d.log();
}

TEST(SystemdE2E, socket_activation_adopts_the_passed_socket) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  std::string cfg = write_daemon_config(ws, "insgated", opt);
  std::string sock = ws.path("insgated.sock");
  ChildProcess activator({"/usr/bin/systemd-socket-activate", "-l", sock,
                          std::string(INSGATE_BIN_DIR) + "/insgated", "--config", cfg},
                         ws.path("activate.log"));
  // systemd-socket-activate binds (the file appears) before it listens: wait
  // until a connection is accepted, not only for the file (a connect in
  // between is refused). This first connection starts the daemon, which
  // finds it closed.
  ASSERT_TRUE(wait_until([&] {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    sock.copy(addr.sun_path, sizeof addr.sun_path - 1);
    const bool listening = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return listening;
  })) << read_file(ws.path("activate.log"));
  // The daemon started on the first connection and answers on the passed socket.
  LocalHttpClient c(sock, std::chrono::seconds(20));
  auto a = post_recherche(c, recherche_body("ADRTROIS", {"TOUSSAINT"}, "M", "1960-01-01"));
  EXPECT_EQ(a.status, 200u) << read_file(ws.path("activate.log"));
  EXPECT_NE(read_file(ws.path("activate.log")).find("[API_ACTIVATED]"), std::string::npos);
}

// End-to-end tests of issue 19: the bounded pool of connections to INSi
// seen from insi-sim, local descriptor exhaustion answered 503
// service_sature without opening the circuit, and the start-up check of
// RLIMIT_NOFILE against the settings.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e_env.hpp"

using namespace insgate;
using namespace insgate::testing;

namespace {

nlohmann::json attente() { return recherche_body("ATTENTE", {"PAUL"}, "M", "1990-01-01"); }

class InsiPoolE2eTest : public SimAndDaemonTest {
 protected:
  void configure(DaemonOptions& opt) override {
    opt.insi_extra = "  connexions_max: 8\n";
    opt.call_ms = 10000;
    opt.request_ms = 30000;
  }
};

/// Issue 19: a burst of 64 callers goes through at most 8 TLS connections.
TEST_F(InsiPoolE2eTest, sixty_four_callers_share_eight_connections_all_answered) {
  const auto before = sim->journal().size();
  constexpr int kCallers = 64;
  std::vector<unsigned> statuses(kCallers, 0);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i)
    callers.emplace_back([&, i] {
      try {
        net::LocalHttpClient c(daemon->socket());
        statuses[i] = post_recherche(c, attente()).status;
      } catch (const std::exception&) {
        statuses[i] = 0;
      }
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200u), kCallers);

  const auto journal = sim->journal();
  ASSERT_GE(journal.size(), before + kCallers);
  int new_connections = 0;
  for (std::size_t i = before; i < journal.size(); ++i)
    if (journal[i].value("handshake", false)) ++new_connections;
  EXPECT_GE(new_connections, 1);
  EXPECT_LE(new_connections, 8) << "insi.connexions_max 8: the simulator saw more connections";

  // The daemon's own count: every handshake it completed (>= those that
  // carried a message), within the bound plus a small margin.
  const auto text = scrape_metrics(ws, *daemon);
  const double handshakes = metric_sample(text, "insgate_insi_tls_handshakes_total{resumed=\"non\"}") +
                            metric_sample(text, "insgate_insi_tls_handshakes_total{resumed=\"oui\"}");
  EXPECT_GE(handshakes, new_connections) << text;
  EXPECT_LE(handshakes, 8 + 2) << text;
  // Pool gauges (refreshed by the idle-close tick): within the bound.
  std::string t;
  EXPECT_TRUE(wait_until([&] {
    t = scrape_metrics(ws, *daemon);
    const double open = metric_sample(t, "insgate_insi_connections{state=\"open\"}");
    const double idle = metric_sample(t, "insgate_insi_connections{state=\"idle\"}");
    return open >= 1 && open <= 8 && idle == open &&
           metric_sample(t, "insgate_insi_connections{state=\"waiting\"}") == 0;
  })) << t;
  if (HasFailure()) ADD_FAILURE() << daemon->log();
}

/// The pid of the process listening on the Unix socket `path` (SO_PEERCRED).
pid_t listener_pid(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  path.copy(addr.sun_path, sizeof addr.sun_path - 1);
  ucred cred{};
  socklen_t len = sizeof cred;
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
  ::close(fd);
  return ok ? cred.pid : -1;
}

/// The lowest descriptor number `pid` does not use: with RLIMIT_NOFILE set
/// to it, the process can open no new descriptor at all.
rlim_t lowest_free_fd(pid_t pid) {
  std::set<long> used;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
    used.insert(std::stol(e.path().filename().string()));
  rlim_t n = 0;
  while (used.count(static_cast<long>(n))) ++n;
  return n;
}

class ResumptionE2eTest : public SimAndDaemonTest {
 protected:
  void configure(DaemonOptions& opt) override { opt.idle_ms = 300; }
};

/// Issue 19: once the idle connection is closed, the next one resumes the
/// TLS session (no full handshake), and insi-sim still sees the same client
/// certificate on the resumed connection.
TEST_F(ResumptionE2eTest, a_connection_opened_after_an_idle_close_resumes_the_tls_session) {
  const auto body = recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26");
  ASSERT_EQ(post_recherche(*client, body).status, 200u);
  const std::string open = "insgate_insi_connections{state=\"open\"}";
  // Past inactivite_ms (300) and a few ticks of the idle sweep (100 ms): the
  // gauge may still show its value from before the first call otherwise.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_TRUE(wait_until([&] { return metric_sample(scrape_metrics(ws, *daemon), open) == 0; }))
      << "the idle connection was never closed";
  // Another person: the first one would be answered from the cache.
  const auto other = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  ASSERT_EQ(post_recherche(*client, other).status, 200u);
  const auto text = scrape_metrics(ws, *daemon);
  EXPECT_EQ(metric_sample(text, "insgate_insi_tls_handshakes_total{resumed=\"non\"}"), 1) << text;
  EXPECT_EQ(metric_sample(text, "insgate_insi_tls_handshakes_total{resumed=\"oui\"}"), 1) << text;
  const auto journal = sim->journal();
  ASSERT_EQ(journal.size(), 2u);
  EXPECT_TRUE(journal[1].value("handshake", false)) << "the second call reused the first connection";
  EXPECT_FALSE(journal[0].value("client_subject", "").empty());
  EXPECT_EQ(journal[1].value("client_subject", ""), journal[0].value("client_subject", ""));
}

class SaturationE2eTest : public SimAndDaemonTest {
 protected:
  void configure(DaemonOptions& opt) override {
    opt.circuit_failures = 2;  // a transport failure counted by mistake would open it at once
    opt.retries = 2;
  }
};

/// Issue 19: descriptors exhausted in insgated (prlimit on the running
/// daemon) give 503 service_sature, no INSi call, and the breaker stays
/// closed; once descriptors are back, INSi is called again.
TEST_F(SaturationE2eTest, exhausted_descriptors_give_service_sature_and_never_open_the_circuit) {
  const pid_t pid = listener_pid(daemon->socket());
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // that connection closed
  net::LocalHttpClient c(daemon->socket());
  ASSERT_EQ(get_json(c, "/v1/health").status, 200u);  // the kept-alive connection used below
  rlimit original{};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, nullptr, &original), 0);
  rlimit starved{lowest_free_fd(pid), original.rlim_max};
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &starved, nullptr), 0);
  const auto before = sim->journal().size();

  for (int i = 0; i < 4; ++i) {
    auto a = post_recherche(c, attente());
    EXPECT_EQ(a.status, 503u) << a.raw.body;
    EXPECT_EQ(a.body.value("code", ""), "service_sature") << a.raw.body;
    EXPECT_EQ(a.body.value("appels_insi", -1), 0) << a.raw.body;
    EXPECT_FALSE(a.raw.retry_after.empty());
  }
  auto h = get_json(c, "/v1/health");
  EXPECT_EQ(h.status, 200u);
  EXPECT_EQ(h.body["statut"], "ok") << h.raw.body;
  EXPECT_EQ(h.body["insi"]["circuit"], "ferme") << h.raw.body;
  EXPECT_EQ(h.body["insi"]["echecs_consecutifs"], 0) << h.raw.body;
  EXPECT_EQ(sim->journal().size(), before) << "nothing reached INSi";

  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &original, nullptr), 0);
  auto ok = post_recherche(c, attente());
  EXPECT_EQ(ok.status, 200u) << ok.raw.body;
  EXPECT_EQ(sim->journal().size(), before + 1);

  const auto text = scrape_metrics(ws, *daemon);
  EXPECT_EQ(metric_sample(text, "insgate_insi_calls_not_made_total{operation=\"recuperation_traits\","
                         "reason=\"sature\"}"),
            4)
      << text;
  EXPECT_EQ(metric_sample(text, "insgate_insi_circuit_open"), 0) << text;
  if (HasFailure()) ADD_FAILURE() << daemon->log();
}

/// Issue 19: a hard RLIMIT_NOFILE below what the settings may use refuses
/// the start (and --check-config says it), naming the settings and numbers;
/// a low soft limit alone is raised.
TEST(FdLimitE2eTest, start_up_is_refused_when_the_hard_limit_cannot_hold_the_settings) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  const auto cfg = write_daemon_config(ws, "fd", opt);
  const std::string bin = std::string(INSGATE_BIN_DIR) + "/insgated";
  for (const char* flag : {"--check-config", "--config"}) {
    const std::string mode = flag;
    const auto out = ws.path("refused" + mode + ".log");
    EXPECT_EQ(run_command({"/usr/bin/prlimit", "--nofile=200:200", bin, mode, cfg}, out), 1) << mode;
    const auto text = read_file(out);
    for (const char* part : {"api.connexions_max 512 x 1", "insi.connexions_max 32 x 1",
                             "608 descriptors", "soft 200, hard 200", "LimitNOFILE="})
      EXPECT_NE(text.find(part), std::string::npos) << mode << ": " << part << " in: " << text;
  }
  const auto out = ws.path("raised.log");
  EXPECT_EQ(run_command({"/usr/bin/prlimit", "--nofile=200:4096", bin, "--check-config", cfg}, out), 0)
      << read_file(out);
}

/// Issue 19: a reload whose settings no longer fit under the running
/// daemon's RLIMIT_NOFILE is refused, naming the numbers, and the running
/// configuration keeps serving.
TEST(FdLimitE2eTest, reload_beyond_the_descriptor_limit_keeps_the_running_configuration) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  const pid_t pid = listener_pid(d.socket());
  ASSERT_GT(pid, 0);
  rlimit capped{700, 700};  // the default settings need 608
  ASSERT_EQ(::prlimit(pid, RLIMIT_NOFILE, &capped, nullptr), 0);
  opt.insi_extra = "  connexions_max: 200\n";  // 512 + 200 + 64 = 776
  (void)write_daemon_config(ws, "insgated", opt);
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return d.log().find("new configuration refused") != std::string::npos; }))
      << d.log();
  const auto log = d.log();
  EXPECT_NE(log.find("insi.connexions_max 200 x 1"), std::string::npos) << log;
  EXPECT_NE(log.find("soft 700, hard 700"), std::string::npos) << log;
  net::LocalHttpClient c(d.socket());
  EXPECT_EQ(post_recherche(c, attente()).status, 200u);
}

}  // namespace

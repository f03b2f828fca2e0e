// End to end: the command-line tools (insgated --check-config, insgatectl).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <grp.h>
#include <poll.h>
#include <sys/stat.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <csignal>
#include <sys/wait.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>
#include <fstream>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;

namespace {
int count_lines_with(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}
}  // namespace

TEST(CliE2E, check_config_names_the_key_and_line_of_an_error) {
  Workspace ws;
  std::string cfg = ws.path("bad.yaml");
  std::ofstream(cfg) << "api:\n  socket: /tmp/x.sock\ninsi:\n  url: http://insecure/lps\n";
  std::string log = ws.path("check.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config", cfg}, log);
  EXPECT_EQ(rc, 1);
  std::string out = read_file(log);
  EXPECT_NE(out.find("insi.url (line 4)"), std::string::npos) << out;
}

// Keys of 0.1.0 still work for one release: --check-config prints one
// warning per old key (key, line, new name), start-up logs the same.
TEST(CliE2E, old_key_names_are_read_with_a_warning_naming_the_new_key_and_the_line) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  std::string cfg = write_daemon_config(ws, "old", opt);
  std::string text = read_file(cfg);
  for (auto [from, to] : {std::pair<std::string, std::string>{"  mode_socket:", "  socket_mode:"},
                          {"  url: https:", "  endpoint: https:"},
                          {"journal: {niveau: debug}", "log_level: debug"}}) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  std::ofstream(cfg, std::ios::trunc) << text;
  auto line_of = [&](const std::string& needle) {
    return std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<long>(text.find(needle)), '\n'));
  };
  const std::vector<std::string> expected{
      "api.socket_mode (line " + line_of("socket_mode:") + "): renamed api.mode_socket",
      "insi.endpoint (line " + line_of("endpoint:") + "): renamed insi.url",
      "log_level (line " + line_of("log_level:") + "): renamed journal.niveau"};
  std::string log = ws.path("check.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config", cfg}, log);
  std::string out = read_file(log);
  EXPECT_EQ(rc, 0) << out;
  for (const auto& e : expected) EXPECT_NE(out.find("warning: " + e), std::string::npos) << e << "\n" << out;
  EXPECT_NE(out.find("configuration OK"), std::string::npos) << out;

  Daemon d(ws, "old", opt, cfg);
  for (const auto& e : expected)
    EXPECT_NE(d.log().find("[APP_CONFIG] " + e), std::string::npos) << e << "\n" << d.log();
}

TEST(CliE2E, check_config_warns_about_a_qualification_file_pointing_at_localhost) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  std::string cfg = write_daemon_config(ws, "advice", opt);
  std::string text = read_file(cfg);
  auto at = text.find("environnement: test");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("environnement: test").size(), "environnement: qualification");
  std::ofstream(cfg) << text;
  std::string log = ws.path("advice.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config", cfg}, log);
  std::string out = read_file(log);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("warning: insi.url: host localhost is not an Assurance Maladie host"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("configuration OK"), std::string::npos) << out;
}

// Issue 17 item 6: with environnement production, the example file's IDAM
// placeholder fails --check-config (so ExecStartPre stops the service).
TEST(CliE2E, check_config_refuses_the_example_idam_in_production) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.idam = "CHANGE-ME";
  std::string cfg = write_daemon_config(ws, "placeholder", opt);
  std::string text = read_file(cfg);
  auto at = text.find("environnement: test");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string("environnement: test").size(), "environnement: production");
  std::ofstream(cfg) << text;
  std::string log = ws.path("placeholder.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config", cfg}, log);
  std::string out = read_file(log);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("lps.idam"), std::string::npos) << out;
  EXPECT_NE(out.find("CHANGE-ME"), std::string::npos) << out;
  EXPECT_EQ(out.find("configuration OK"), std::string::npos) << out;
}

TEST(CliE2E, insgatectl_prints_the_answer_and_exits_0) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  std::string out = ws.path("ctl.out");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgatectl", "--socket", d.socket(),
                        "--json", "recherche", "--nom", "TCHITCHI", "--prenoms", "OLA CATARINA",
                        "--sexe", "F", "--date-naissance", "1936-06-21"},
                       out);
  EXPECT_EQ(rc, 0);
  auto j = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(j["cr"], "00");
  EXPECT_EQ(j["ins"]["matricule"], "2360663220836");
  EXPECT_EQ(j["appels_insi"], 2);
}

TEST(CliE2E, insgatectl_exits_3_when_the_daemon_is_down) {
  Workspace ws;
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgatectl", "--socket",
                        ws.path("none.sock"), "health"});
  EXPECT_EQ(rc, 3);
}

TEST(CliE2E, insgatectl_health_exits_0_when_ok_and_4_when_insi_is_unreachable) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();  // no simulator there: every INSi call fails
  Daemon d(ws, "insgated", opt);
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  EXPECT_EQ(run_command({ctl, "--socket", d.socket(), "health"}), 0) << "ok before any call";
  std::string out = ws.path("recherche.out");
  EXPECT_EQ(run_command({ctl, "--socket", d.socket(), "recherche", "--nom", "TCHITCHI",
                         "--prenoms", "OLA CATARINA", "--sexe", "F", "--date-naissance",
                         "1936-06-21"},
                        out),
            1);
  std::string health = ws.path("health.out");
  EXPECT_EQ(run_command({ctl, "--socket", d.socket(), "--json", "health"}, health), 4);
  EXPECT_EQ(nlohmann::json::parse(read_file(health))["statut"], "degrade");
}

// Issue 17 item 5: INSi refusing the software (the simulator answers
// siram_100/desir_550 to the IDAM UNKNOWN) makes health `degrade` with a
// reason naming lps.idam, exit code 4, and counts the fault by family.
TEST(CliE2E, insgatectl_health_is_degraded_when_insi_refuses_the_software) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.idam = "UNKNOWN";
  Daemon d(ws, "insgated", opt);
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  insgate::net::LocalHttpClient c(d.socket());
  auto r = post_recherche(c, recherche_body("TCHITCHI", {"OLA CATARINA"}, "F", "1936-06-21"));
  ASSERT_EQ(r.status, 502u) << r.body;
  std::string health = ws.path("health.out");
  EXPECT_EQ(run_command({ctl, "--socket", d.socket(), "--json", "health"}, health), 4);
  const auto j = nlohmann::json::parse(read_file(health));
  EXPECT_EQ(j["statut"], "degrade");
  EXPECT_EQ(j["insi"]["etat"], "ok") << "INSi answers; it refuses";
  EXPECT_EQ(j["insi"]["refus"]["famille"], "desir_550");
  EXPECT_NE(j["raison"].get<std::string>().find("lps.idam"), std::string::npos) << j.dump();
  EXPECT_EQ(get_json(c, "/v1/health").status, 200u) << "valid against openapi.yaml";
  EXPECT_NE(d.log().find("[INSI_REFUSAL]"), std::string::npos);
  // The fault counter by INSi code family.
  const std::string metrics = scrape_metrics(ws, d);
  EXPECT_NE(metrics.find("insgate_insi_faults_total{famille=\"desir_550\"} 1"),
            std::string::npos)
      << metrics;
}

// local-api.md "Caller identity": the peer's uid/gid (SO_PEERCRED) can be
// restricted. The test runs as one account; allowing another one refuses it.
TEST(CliE2E, callers_outside_allowed_users_and_groups_get_403) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  const std::string me = std::to_string(::getuid());
  opt.api_extra = "  utilisateurs_autorises: [\"" + std::to_string(::getuid() + 4242) + "\"]\n";
  {
    Daemon d(ws, "refusing", opt);
    LocalHttpClient c(d.socket());
    auto r = c.request(insgate::http::verb::get, "/v1/health");
    EXPECT_EQ(r.status, 403u);
    EXPECT_EQ(nlohmann::json::parse(r.body)["code"], "appelant_non_autorise");
    EXPECT_NE(d.log().find("[API_REFUSED] caller uid " + me), std::string::npos);
    // A caller that writes its request only after the 403 has arrived still
    // gets to write it and to read the answer (the daemon does not close on
    // unread bytes, which would fail the caller's write with EPIPE).
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, d.socket().c_str(), sizeof a.sun_path - 1);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    pollfd pfd{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&pfd, 1, 5000), 1) << "the 403 is sent without waiting for the request";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const std::string get = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_EQ(::send(fd, get.data(), get.size(), MSG_NOSIGNAL), static_cast<ssize_t>(get.size()))
        << std::strerror(errno);
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    EXPECT_EQ(got.rfind("HTTP/1.1 403", 0), 0u) << got;
  }
  opt.api_extra = "  utilisateurs_autorises: [\"" + std::to_string(::getuid() + 4242) +
                  "\"]\n  groupes_autorises: [\"" + std::to_string(::getgid()) + "\"]\n";
  Daemon d(ws, "allowing", opt);
  LocalHttpClient c(d.socket());
  EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/health").status, 200u);
  EXPECT_NE(d.log().find("uid " + me + ")"), std::string::npos)
      << "the API log line names the caller's uid";
}

// allowed_groups matches a caller's supplementary groups too (SO_PEERGROUPS):
// a care-software user added to the group with `usermod -aG` is served.
TEST(CliE2E, allowed_groups_match_supplementary_groups) {
  ASSERT_EQ(::getuid(), 0u) << "needs root to connect as another user with other groups";
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.socket_mode = "0666";
  opt.api_extra = "  groupes_autorises: [\"4242\"]\n";
  Daemon d(ws, "groups", opt);
  ASSERT_EQ(::chmod(std::filesystem::path(d.socket()).parent_path().c_str(), 0711), 0);
  // As uid/gid 65534 with the supplementary groups given: the status read.
  auto status_as = [&](std::vector<gid_t> groups) {
    pid_t child = ::fork();
    if (child == 0) {
      if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(65534) != 0 ||
          ::setuid(65534) != 0)
        ::_exit(90);
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, d.socket().c_str(), sizeof a.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ::_exit(91);
      const std::string get = "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      if (::send(fd, get.data(), get.size(), MSG_NOSIGNAL) < 0) ::_exit(92);
      char buf[64] = {};
      if (::read(fd, buf, 12) != 12) ::_exit(93);
      ::_exit(std::strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : std::strncmp(buf, "HTTP/1.1 403", 12) == 0 ? 3 : 94);
    }
    int st = 0;
    ::waitpid(child, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };
  EXPECT_EQ(status_as({4242}), 0) << "a supplementary group listed in allowed_groups is served";
  EXPECT_EQ(status_as({100, 4242, 4343}), 0);
  EXPECT_EQ(status_as({4343}), 3) << "no listed group: 403";
  EXPECT_EQ(status_as({}), 3);
}

// A refused caller is answered and closed at accept: however many
// connections it opens, allowed callers still get a slot.
TEST(CliE2E, refused_callers_hold_no_connection_slot) {
  ASSERT_EQ(::getuid(), 0u) << "needs root to open connections as another user";
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.socket_mode = "0666";
  opt.api_extra = "  connexions_max: 4\n  utilisateurs_autorises: [\"0\"]\n";
  Daemon d(ws, "slots", opt);
  // The workspace is 0700; nobody needs to reach the socket inside it.
  ASSERT_EQ(::chmod(std::filesystem::path(d.socket()).parent_path().c_str(), 0711), 0);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // as nobody: open 20 connections and keep them
    ::close(ready[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    std::vector<int> fds;
    for (int i = 0; i < 20; ++i) {
      int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un a{};
      a.sun_family = AF_UNIX;
      std::strncpy(a.sun_path, d.socket().c_str(), sizeof a.sun_path - 1);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) fds.push_back(fd);
    }
    char c = static_cast<char>(fds.size());
    (void)::write(ready[1], &c, 1);
    ::sleep(30);
    ::_exit(0);
  }
  ::close(ready[1]);
  char opened = 0;
  ASSERT_EQ(::read(ready[0], &opened, 1), 1);
  ::close(ready[0]);
  EXPECT_EQ(opened, 20) << "the refused connections were accepted";
  {
    LocalHttpClient c(d.socket());
    EXPECT_EQ(c.request(insgate::http::verb::get, "/v1/health").status, 200u)
        << "an allowed caller must still be served";
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(count_lines_with(d.log(), "[API_REFUSED]"), 1) << "said once a minute, not per connection";
}

namespace {

/// Answers every connection on `path` with the raw HTTP `response`, for
/// `count` connections, on its own thread.
std::thread junk_server(const std::string& path, std::string response, int count) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0)
    throw std::runtime_error("junk server: cannot listen");
  return std::thread([fd, response = std::move(response), count] {
    for (int i = 0; i < count; ++i) {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) break;
      char buf[4096];
      (void)::read(c, buf, sizeof buf);
      (void)::write(c, response.data(), response.size());
      ::close(c);
    }
    ::close(fd);
  });
}

}  // namespace

// insgatectl's exit codes hold whatever the peer answers: never an abort,
// never 0 for a health answer it cannot read.
TEST(CliE2E, insgatectl_health_never_aborts_nor_says_ok_on_a_malformed_answer) {
  Workspace ws;
  const std::string sock = ws.path("junk.sock");
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  struct Case {
    std::string response;
    int rc;
  } cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n{", 3},
      {"HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\n{\"statut\": 12}", 1},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n[[[[[", 1},
  };
  for (const auto& c : cases) {
    auto server = junk_server(sock, c.response, 1);
    int rc = run_command({ctl, "--socket", sock, "health"});
    server.join();
    EXPECT_EQ(rc, c.rc) << c.response;
  }
}

TEST(CliE2E, sigterm_stops_the_daemon_cleanly_and_removes_the_socket) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  auto d = std::make_unique<Daemon>(ws, "insgated", opt);
  std::string sock = d->socket();
  d.reset();  // SIGTERM
  EXPECT_FALSE(std::filesystem::exists(sock));
}

TEST(CliE2E, plugin_without_entry_stops_start_up_naming_the_file) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.top_extra = std::string("plugins:\n  - {nom: casse, chemin: ") + INSGATE_FIXTURE_NO_ENTRY +
                  ", config: {}}\n";
  std::string cfg = write_daemon_config(ws, "insgated", opt);
  std::string log = ws.path("start.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--config", cfg}, log);
  EXPECT_EQ(rc, 1);
  std::string out = read_file(log);
  EXPECT_NE(out.find("plugin problem"), std::string::npos) << out;
  EXPECT_NE(out.find(INSGATE_FIXTURE_NO_ENTRY), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(ws.path("insgated.sock"))) << "nothing listens";
  // --check-config finds it too.
  rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config", cfg}, log);
  EXPECT_EQ(rc, 1);
}

TEST(CliE2E, missing_plugin_file_stops_start_up) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.top_extra = "plugins:\n  - {nom: absent, chemin: plugins/absent.so}\n";
  std::string log = ws.path("start.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config",
                        write_daemon_config(ws, "insgated", opt)},
                       log);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(read_file(log).find("absent.so"), std::string::npos) << read_file(log);
}

TEST(CliE2E, working_plugin_is_loaded_at_start_up) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.top_extra = std::string("plugins:\n  - {nom: bon, chemin: ") + INSGATE_FIXTURE_GOOD +
                  ", config: {output: " + ws.path("good.out") + "}}\n";
  Daemon d(ws, "insgated", opt);
  EXPECT_NE(d.log().find("[APP_PLUGIN] plugin bon loaded"), std::string::npos) << d.log();
}

TEST(CliE2E, insgatectl_outbox_list_prints_the_events) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  Daemon d(ws, "insgated", opt);
  std::string out = ws.path("ctl.out");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgatectl", "--socket", d.socket(),
                        "outbox", "list", "--etat", "dead", "--json"},
                       out);
  EXPECT_EQ(rc, 0);
  auto j = nlohmann::json::parse(read_file(out));
  EXPECT_EQ(j["etat"], "dead");
  EXPECT_TRUE(j["evenements"].is_array());
  rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgatectl", "--socket", d.socket(), "outbox",
                    "retry", "--id", "42"},
                   out);
  EXPECT_EQ(rc, 1) << "no such dead event: the daemon answers 404";
}

// insgatectl recherche-vitale: the card data reach INSi as a carte Vitale
// search; the default output is readable, --json gives the answer itself.
TEST(CliE2E, insgatectl_recherche_vitale_retrieves_the_ins_from_the_card) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  const std::vector<std::string> card{"recherche-vitale", "--nir-ouvrant-droit", "1750763220112",
                                      "--date-naissance", "2009-07-14", "--rang-naissance", "1",
                                      "--grand-regime", "01", "--organisme", "631",
                                      "--code-centre", "0001"};
  auto with = [&](std::vector<std::string> head) {
    head.insert(head.end(), card.begin(), card.end());
    return head;
  };
  std::string json_out = ws.path("vitale.json");
  ASSERT_EQ(run_command(with({ctl, "--socket", d.socket(), "--json"}), json_out), 0)
      << read_file(json_out);
  auto j = nlohmann::json::parse(read_file(json_out));
  EXPECT_EQ(j["cr"], "00");
  EXPECT_EQ(j["ins"]["matricule"], "1090763220834");
  EXPECT_EQ(j["vitale_envoyee"]["assertion_vitale"], false);
  auto journal = sim.journal();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["action"], "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale");
  EXPECT_EQ(journal[0]["vitale_matricule_od"], "1750763220112");
  EXPECT_EQ(journal[0]["vitale_organisme"], "631");

  std::string text_out = ws.path("vitale.txt");
  ASSERT_EQ(run_command(with({ctl, "--socket", d.socket(), "--operateur", "u-cli"}), text_out), 0);
  const std::string text = read_file(text_out);
  EXPECT_NE(text.find("CR 00"), std::string::npos) << text;
  EXPECT_NE(text.find("INS : 1090763220834 89, OID 1.2.250.1.213.1.4.8"), std::string::npos) << text;
  EXPECT_EQ(text.find('{'), std::string::npos) << "readable, not JSON:\n" << text;

  std::string bad = ws.path("vitale-bad.txt");
  EXPECT_EQ(run_command({ctl, "--socket", d.socket(), "recherche-vitale", "--nir-ouvrant-droit",
                         "1750763220112", "--cle-ouvrant-droit", "00", "--date-naissance",
                         "2009-07-14", "--rang-naissance", "1"},
                        bad),
            1);
  EXPECT_NE(read_file(bad).find("Erreur 422"), std::string::npos) << read_file(bad);
  EXPECT_NE(read_file(bad).find("vitale.nir_ouvrant_droit.cle"), std::string::npos) << read_file(bad);
}

// insgatectl qualification: refused (409) for an INS not retrieved through
// INSi, then, after an insgatectl recherche, the identity is qualifiee.
TEST(CliE2E, insgatectl_qualification_qualifies_an_ins_retrieved_before) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  Daemon d(ws, "insgated", opt);
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  const std::vector<std::string> qualify{
      ctl,       "--socket",    d.socket(), "qualification", "--matricule", "1090763220834",
      "--cle",   "89",          "--oid",    "1.2.250.1.213.1.4.8", "--piece", "CNI",
      "--verifiee-le", "2026-01-15", "--identifiant-local", "IPP-000123"};
  std::string refused = ws.path("refused.txt");
  EXPECT_EQ(run_command(qualify, refused), 1);
  EXPECT_NE(read_file(refused).find("Erreur 409 statut_incompatible"), std::string::npos)
      << read_file(refused);

  ASSERT_EQ(run_command({ctl, "--socket", d.socket(), "recherche", "--nom", "ECETINSI",
                         "--prenoms", "PIERRE-ALAIN", "--sexe", "M", "--date-naissance",
                         "2009-07-14"}),
            0);
  std::string text_out = ws.path("qualification.txt");
  ASSERT_EQ(run_command(qualify, text_out), 0) << read_file(text_out);
  const std::string text = read_file(text_out);
  EXPECT_NE(text.find("Statut : qualifiee"), std::string::npos) << text;
  EXPECT_NE(text.find("MSSanté : 109076322083489@patient.mssante.fr"), std::string::npos) << text;

  std::string json_out = ws.path("qualification.json");
  auto again = qualify;
  again.insert(again.begin() + 3, "--json");
  ASSERT_EQ(run_command(again, json_out), 0) << read_file(json_out);
  auto j = nlohmann::json::parse(read_file(json_out));
  EXPECT_EQ(j["statut"], "qualifiee");
  EXPECT_EQ(j["ins"]["matricule"], "1090763220834");
}

// Usage errors are exit code 2 and say what is wrong, in French; the help
// lists every command.
TEST(CliE2E, insgatectl_usage_errors_exit_2_and_the_help_lists_every_command) {
  Workspace ws;
  const std::string ctl = std::string(INSGATE_BIN_DIR) + "/insgatectl";
  const std::string sock = ws.path("none.sock");
  std::string out = ws.path("usage.txt");
  EXPECT_EQ(run_command({ctl, "--socket", sock, "frobnicate"}, out), 2);
  EXPECT_NE(read_file(out).find("commande inconnue"), std::string::npos) << read_file(out);
  EXPECT_EQ(run_command({ctl, "--socket", sock, "recherche", "--nom", "X"}, out), 2);
  EXPECT_NE(read_file(out).find("--prenoms est obligatoire"), std::string::npos) << read_file(out);
  EXPECT_EQ(run_command({ctl, "--socket", sock, "health", "--nom", "X"}, out), 2)
      << "an option of another command";
  EXPECT_EQ(run_command({ctl, "--socket", sock, "outbox", "vider"}, out), 2);
  EXPECT_EQ(run_command({ctl}, out), 2);
  std::string help = ws.path("help.txt");
  ASSERT_EQ(run_command({ctl, "--help"}, help), 0);
  for (const char* c : {"recherche ", "recherche-vitale", "verification", "qualification", "stats",
                        "outbox list", "outbox retry", "outbox purge", "health", "Codes de sortie"})
    EXPECT_NE(read_file(help).find(c), std::string::npos) << c << "\n" << read_file(help);
  std::string one = ws.path("help-vitale.txt");
  ASSERT_EQ(run_command({ctl, "recherche-vitale", "--help"}, one), 0);
  EXPECT_NE(read_file(one).find("--nir-ouvrant-droit"), std::string::npos) << read_file(one);
  EXPECT_EQ(read_file(one).find("--piece"), std::string::npos) << "only this command's options";
}

// End to end, adversarial: the client-certificate TLS listener (api.tcp.tls)
// against what real clients and hostile peers do. Found by the attack
// session of the TCP listener; each test below failed before its fix and
// stays as a regression test.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

std::string tcp_tls(int port) {
  return "  tcp:\n    ecoute: \"127.0.0.1:" + std::to_string(port) +
         "\"\n    tls: {certificat: pki/server.pem, cle: pki/server.key, ca_clients: pki/ca.pem}\n";
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

/// A plain TCP connection to 127.0.0.1:port that sends nothing (closed on
/// destruction): to the TLS listener, a handshake that never starts.
class SilentConn {
 public:
  explicit SilentConn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~SilentConn() { ::close(fd_); }
  SilentConn(const SilentConn&) = delete;
  SilentConn& operator=(const SilentConn&) = delete;
  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

/// The lines of an s_client log worth showing (never its session dump).
std::string s_client_summary(const std::string& log) {
  std::string out;
  std::size_t at = 0;
  while (at < log.size()) {
    std::size_t end = log.find('\n', at);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(at, end - at);
    if (line.find("error") != std::string::npos || line.find("alert") != std::string::npos ||
        line.rfind("New,", 0) == 0 || line.rfind("Reused,", 0) == 0)
      out += line + "\n";
    at = end + 1;
  }
  return out;
}

}  // namespace

class TcpTlsAttackE2E : public ::testing::Test {
 protected:
  void start(const std::string& api_extra = "") {
    sim = std::make_unique<Simulator>(ws, "sim");
    opt.port = sim->port();
    opt.api_extra = tcp_tls(tcp_port) + api_extra;
    daemon = std::make_unique<Daemon>(ws, "insgated", opt);
    ASSERT_TRUE(wait_until([&] { return daemon->log().find("[API_TCP]") != std::string::npos; }))
        << daemon->log();
  }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(tcp_port) + path;
  }
  Workspace ws;
  DaemonOptions opt;
  int tcp_port = unused_port();
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Daemon> daemon;
};

// Was a bug (fixed: SSL_CTX_set_session_id_context): a client that resumes its TLS session on its next
// connection — curl within one run, libcurl, Java, .NET, browsers all do — is
// refused at the handshake with an internal_error alert. The listener's
// SSL_CTX verifies peers but has no session id context
// (SSL_CTX_set_session_id_context), and OpenSSL then fails any resumption
// attempt with "session id context uninitialized" instead of treating it as a
// cache miss. Expected: the second connection is served (resumed or full
// handshake). Actual: curl exit 35, the daemon logs [API_TLS_REFUSED] ...
// session id context uninitialized.
TEST_F(TcpTlsAttackE2E, a_client_resuming_its_tls_session_on_a_new_connection_is_served) {
  start();
  // Two requests in one curl run, each on its own connection (Connection:
  // close): the second connection offers the session ticket of the first.
  std::vector<std::string> argv{"/usr/bin/curl", "-sS", "--max-time", "20",
                                "--cacert", ws.pki("ca.pem"),
                                "--cert", ws.pki("client.pem"),
                                "--key", ws.pki("client.key"),
                                "-H", "Connection: close",
                                "-D", ws.path("resume.headers"),
                                "-o", "/dev/null", url("/v1/health"),
                                "-o", "/dev/null", url("/v1/health")};
  int rc = run_command(argv, ws.path("resume.log"));
  std::string headers = read_file(ws.path("resume.headers"));
  EXPECT_EQ(rc, 0) << read_file(ws.path("resume.log"));
  EXPECT_EQ(count_of(headers, "HTTP/1.1 200"), 2) << headers;
  EXPECT_THAT(daemon->log(), Not(HasSubstr("session id context uninitialized")));
}

// Same bug with TLS 1.2 session-id/ticket resumption, driven step by step
// with openssl s_client (-sess_out, then -sess_in on a new connection).
TEST_F(TcpTlsAttackE2E, a_tls12_client_resuming_its_session_is_not_refused) {
  start();
  const std::string s_client =
      "openssl s_client -tls1_2 -connect 127.0.0.1:" + std::to_string(tcp_port) + " -CAfile " +
      ws.pki("ca.pem") + " -cert " + ws.pki("client.pem") + " -key " + ws.pki("client.key");
  const std::string sess = ws.path("tls12.session");
  int first = run_command({"/bin/sh", "-c", s_client + " -sess_out " + sess + " </dev/null"},
                          ws.path("s_client1.log"));
  ASSERT_EQ(first, 0) << s_client_summary(read_file(ws.path("s_client1.log")));
  int second = run_command({"/bin/sh", "-c", s_client + " -sess_in " + sess + " </dev/null"},
                           ws.path("s_client2.log"));
  const std::string second_log = s_client_summary(read_file(ws.path("s_client2.log")));
  EXPECT_EQ(second, 0) << second_log;
  EXPECT_THAT(second_log, Not(HasSubstr("alert internal error")));
  EXPECT_THAT(daemon->log(), Not(HasSubstr("session id context uninitialized")));
}

// Was a design flaw (fixed: api.connexions_max is per listener) of "TLS
// handshakes in progress count in api.connexions_max": anyone who can reach the TLS port — no certificate
// needed, just TCP connections that never start a handshake — takes every
// connection slot for header_timeout (10 s by default) and, by reconnecting,
// for as long as they like. The local Unix socket callers (the care software
// on the host) are then refused 503 service_sature. Expected: unauthenticated
// TCP peers cannot deny the Unix socket (handshakes need their own bound, or
// the socket its own share). Actual: 503 on the socket.
TEST_F(TcpTlsAttackE2E, silent_tcp_peers_on_the_tls_port_do_not_lock_out_the_unix_socket) {
  constexpr int kMax = 4;
  start("  connexions_max: " + std::to_string(kMax) + "\n");
  // The start-up probe's connection may still hold a slot: wait until the
  // socket answers on fresh connections.
  auto unix_health = [&] {
    try {
      LocalHttpClient c(daemon->socket(), std::chrono::seconds(5));
      return c.request(insgate::http::verb::get, "/v1/health").status;
    } catch (const std::exception&) {
      return 0u;
    }
  };
  ASSERT_TRUE(wait_until([&] { return unix_health() == 200u; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));

  std::vector<std::unique_ptr<SilentConn>> silent;
  for (int i = 0; i < kMax; ++i) {
    silent.push_back(std::make_unique<SilentConn>(tcp_port));
    ASSERT_TRUE(silent.back()->connected());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // accepted by now
  EXPECT_EQ(unix_health(), 200u) << "the Unix socket is locked out by " << kMax
                                 << " TCP connections that sent nothing";
}

// End to end: the optional TCP listener of the local API (api.tcp), plain on
// loopback and with client-certificate TLS, driven with curl.
// Spec: local-api.md (Transport: "Optional TCP listener (off by default).
// When on, it binds loopback unless client-certificate TLS is configured").
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

const json kEcetinsi = recherche_body("ECETINSI", {"PIERRE-ALAIN", "MURIEL", "FLORIANT"}, "M",
                                      "2009-07-14");

/// api.tcp lines for DaemonOptions::api_extra.
std::string tcp_plain(int port) {
  return "  tcp:\n    ecoute: \"127.0.0.1:" + std::to_string(port) + "\"\n";
}
std::string tcp_tls(const std::string& address, int port) {
  return "  tcp:\n    ecoute: \"" + address + ":" + std::to_string(port) +
         "\"\n    tls: {certificat: pki/server.pem, cle: pki/server.key, ca_clients: pki/ca.pem}\n";
}

}  // namespace

class TcpE2E : public ::testing::Test {
 protected:
  void start(const std::string& api_extra) {
    sim = std::make_unique<Simulator>(ws, "sim");
    opt.port = sim->port();
    opt.api_extra = api_extra;
    daemon = std::make_unique<Daemon>(ws, "insgated", opt);
    // The TCP listener starts right after the socket.
    ASSERT_TRUE(wait_until([&] { return daemon->log().find("[API_TCP]") != std::string::npos; }))
        << daemon->log();
  }
  std::vector<std::string> tls_args(const std::string& client) const { return curl_tls_args(ws, client); }
  Workspace ws;
  DaemonOptions opt;
  int tcp_port = unused_port();
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Daemon> daemon;
};

TEST_F(TcpE2E, recherche_over_loopback_tcp_answers_cr_00_like_over_the_socket) {
  start(tcp_plain(tcp_port));
  auto tcp = curl(ws, tcp_port, "/v1/ins/recherche", kEcetinsi.dump(), {}, "tcp-req-1");
  ASSERT_EQ(tcp.exit_code, 0) << tcp.log;
  ASSERT_EQ(tcp.status, 200u) << tcp.headers;
  EXPECT_THAT(tcp.headers, HasSubstr("X-Request-Id: tcp-req-1"));
  EXPECT_EQ(tcp.body["cr"], "00");
  EXPECT_EQ(tcp.body["ins"]["matricule"], "1090763220834");
  EXPECT_EQ(tcp.body["ins"]["cle"], "89");
  EXPECT_EQ(tcp.body["requete_id"], "tcp-req-1");

  LocalHttpClient client(daemon->socket(), std::chrono::seconds(30));
  auto unix = post_recherche(client, kEcetinsi, "unix-req-1");
  ASSERT_EQ(unix.status, 200u) << unix.raw.body;
  for (const char* k : {"cr", "libelle_cr", "ins", "historique", "traits_ins", "traits_envoyes",
                        "anomalies", "statut", "source", "appels_insi"})
    EXPECT_EQ(tcp.body[k], unix.body[k]) << k;

  // One [API_REQUEST] line each, naming the peer address on TCP and the uid
  // on the socket; no identity data.
  std::string log = daemon->log();
  EXPECT_THAT(log, HasSubstr("[API_REQUEST] POST /v1/ins/recherche -> 200"));
  EXPECT_THAT(log, HasSubstr("(request tcp-req-1, peer 127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("(request unix-req-1, uid "));
  for (const char* secret : {"ECETINSI", "PIERRE-ALAIN", "2009-07-14", "1090763220834"})
    EXPECT_THAT(log, Not(HasSubstr(secret)));
}

TEST_F(TcpE2E, bad_requests_over_tcp_get_the_same_problem_bodies_as_over_the_socket) {
  start(tcp_plain(tcp_port));
  LocalHttpClient client(daemon->socket(), std::chrono::seconds(30));
  json bad_date = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-13-45");
  struct Case {
    std::string body;
    unsigned status;
    const char* code;
  };
  for (const Case& c : {Case{"{\"operateur\": ", 400, "requete_invalide"},
                        Case{bad_date.dump(), 422, "traits_invalides"}}) {
    SCOPED_TRACE(c.code);
    auto tcp = curl(ws, tcp_port, "/v1/ins/recherche", c.body);
    ASSERT_EQ(tcp.exit_code, 0) << tcp.log;
    EXPECT_EQ(tcp.status, c.status);
    EXPECT_THAT(tcp.headers, HasSubstr("application/problem+json"));
    auto raw = client.request(insgate::http::verb::post, "/v1/ins/recherche", c.body);
    auto unix = json::parse(raw.body, nullptr, false);
    EXPECT_EQ(raw.status, c.status);
    EXPECT_EQ(tcp.body["code"], c.code);
    EXPECT_EQ(tcp.body, unix);
  }
  // A transport-level error (unknown transfer coding) too: the early 501
  // problem, read by the caller before the daemon closes (drain_before_close).
  auto te = curl(ws, tcp_port, "/v1/ins/recherche", kEcetinsi.dump(), {}, "",
                 {"-H", "Transfer-Encoding: gzip, chunked"});
  ASSERT_EQ(te.status, 501u) << te.headers << te.log;
  EXPECT_EQ(te.body.value("code", ""), "requete_invalide");
}

TEST_F(TcpE2E, allowed_users_apply_to_the_socket_only) {
  // Only "nobody" may use the socket; root (these tests) is refused there,
  // but served on the loopback TCP listener (no SO_PEERCRED on TCP).
  start(tcp_plain(tcp_port) + "  utilisateurs_autorises: [\"65534\"]\n");
  LocalHttpClient client(daemon->socket(), std::chrono::seconds(30));
  EXPECT_EQ(client.request(insgate::http::verb::get, "/v1/health").status, 403u);
  auto tcp = curl(ws, tcp_port, "/v1/health", "");
  ASSERT_EQ(tcp.exit_code, 0) << tcp.log;
  EXPECT_EQ(tcp.status, 200u);
}

// api.connexions_max applies to each listener alone: a connection held on
// the socket leaves TCP its slot, and one held on TCP fills TCP only.
TEST_F(TcpE2E, max_connections_applies_to_each_listener_alone) {
  start(tcp_plain(tcp_port) + "  connexions_max: 1\n");
  // (The start-up health probe's connection may not be released yet: retry.)
  std::optional<LocalHttpClient> client;
  ASSERT_TRUE(wait_until([&] {
    client.emplace(daemon->socket(), std::chrono::seconds(10));
    try {
      return client->request(insgate::http::verb::get, "/v1/health").status == 200u;
    } catch (const std::exception&) {
      return false;
    }
  }));
  // The socket's only slot is held; TCP is still served.
  EXPECT_EQ(curl(ws, tcp_port, "/v1/health", "").status, 200u);
  // A silent TCP connection takes TCP's only slot: the next TCP caller gets
  // 503 service_sature (an answer, not a close)...
  int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(tcp_port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(silent, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  CurlAnswer refused;
  ASSERT_TRUE(wait_until([&] {
    refused = curl(ws, tcp_port, "/v1/health", "");
    return refused.status == 503u;
  })) << refused.headers << refused.log;
  EXPECT_EQ(refused.body.value("code", ""), "service_sature");
  EXPECT_THAT(refused.headers, HasSubstr("Retry-After: 1"));
  // ... while the socket's caller is still served on its own slot.
  EXPECT_EQ(client->request(insgate::http::verb::get, "/v1/health").status, 200u);
  ::close(silent);
  ASSERT_TRUE(wait_until([&] { return curl(ws, tcp_port, "/v1/health", "").status == 200u; }));
}

TEST_F(TcpE2E, client_with_a_certificate_from_ca_clients_is_served_over_tls) {
  // Off loopback (0.0.0.0) is allowed because TLS with client certificates is on.
  start(tcp_tls("0.0.0.0", tcp_port));
  auto a = curl(ws, tcp_port, "/v1/ins/recherche", kEcetinsi.dump(), tls_args("client"),
                "tls-req-1");
  ASSERT_EQ(a.exit_code, 0) << a.log;
  ASSERT_EQ(a.status, 200u) << a.headers;
  EXPECT_EQ(a.body["cr"], "00");
  EXPECT_EQ(a.body["ins"]["matricule"], "1090763220834");
  // The log names the peer and the client certificate's CN, not a uid.
  EXPECT_THAT(daemon->log(), HasSubstr("(request tls-req-1, peer 127.0.0.1:"));
  EXPECT_THAT(daemon->log(), HasSubstr(", CN INSI-AUTO)"));
  // Plain HTTP on the TLS port is not served.
  auto plain = curl(ws, tcp_port, "/v1/health", "");
  EXPECT_EQ(plain.status, 0u) << plain.headers;
}

TEST_F(TcpE2E, tls_callers_without_a_certificate_from_ca_clients_are_refused_at_the_handshake) {
  start(tcp_tls("127.0.0.1", tcp_port));
  auto none = curl(ws, tcp_port, "/v1/health", "", tls_args(""));
  EXPECT_NE(none.exit_code, 0);
  EXPECT_EQ(none.status, 0u) << none.headers;
  auto other = curl(ws, tcp_port, "/v1/health", "", tls_args("client-otherca"));
  EXPECT_NE(other.exit_code, 0);
  EXPECT_EQ(other.status, 0u) << other.headers;
  // Refused before HTTP: no request was handled for them, and it is logged.
  EXPECT_EQ(count_of(daemon->log(), ", peer 127.0.0.1:"), 0) << daemon->log();
  EXPECT_THAT(daemon->log(), HasSubstr("[API_TLS_REFUSED] TLS handshake with peer 127.0.0.1:"));
  // The daemon keeps serving, on TLS and on the socket.
  auto good = curl(ws, tcp_port, "/v1/health", "", tls_args("client-manu"));
  ASSERT_EQ(good.exit_code, 0) << good.log;
  EXPECT_EQ(good.status, 200u);
  EXPECT_THAT(daemon->log(), HasSubstr(", CN INSI-MANU)"));
  LocalHttpClient client(daemon->socket(), std::chrono::seconds(10));
  EXPECT_EQ(client.request(insgate::http::verb::get, "/v1/health").status, 200u);
}

// SIGTERM while a TLS caller waits on an INSi that does not answer: like on
// the socket, the caller gets 503 arret_en_cours at the end of the drain.
TEST_F(TcpE2E, sigterm_answers_a_tls_request_still_waiting_on_insi_with_503) {
  opt.call_ms = 20000;
  opt.request_ms = 30000;
  start(tcp_tls("127.0.0.1", tcp_port));
  ASSERT_EQ(curl(ws, tcp_port, "/v1/ins/recherche", kEcetinsi.dump(), tls_args("client")).status,
            200u);
  sim->signal(SIGSTOP);
  CurlAnswer a;
  auto started = std::chrono::steady_clock::now();
  std::thread caller([&] {
    a = curl(ws, tcp_port, "/v1/ins/recherche",
             recherche_body("ADRTROIS", {"DOMINIQUE"}, "F", "1997-02-26").dump(),
             tls_args("client"), "tls-stop-1");
  });
  // Time for curl's handshake and request; INSi then hangs.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  daemon->signal(SIGTERM);
  caller.join();
  auto elapsed = std::chrono::steady_clock::now() - started;
  sim->signal(SIGCONT);
  EXPECT_EQ(a.status, 503u) << a.headers << a.log;
  EXPECT_EQ(a.body["code"], "arret_en_cours");
  EXPECT_THAT(a.headers, HasSubstr("X-Request-Id: tls-stop-1"));
  EXPECT_LT(elapsed, std::chrono::seconds(9));
  EXPECT_THAT(daemon->log(), HasSubstr("request tls-stop-1 -> 503, answered at stop"));
}

TEST_F(TcpE2E, reload_warns_that_the_tcp_listener_needs_a_restart) {
  start(tcp_plain(tcp_port));
  DaemonOptions changed = opt;
  changed.api_extra = tcp_plain(unused_port());
  write_daemon_config(ws, "insgated", changed);
  daemon->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] {
    return daemon->log().find("configuration and certificates reloaded") != std::string::npos;
  })) << daemon->log();
  EXPECT_THAT(daemon->log(), HasSubstr("[APP_RELOAD] api.tcp changed: restart the service"));
  // Still listening where it started.
  EXPECT_EQ(curl(ws, tcp_port, "/v1/health", "").status, 200u);
}

TEST(TcpCheckConfigE2E, check_config_refuses_a_non_loopback_address_without_tls) {
  Workspace ws;
  DaemonOptions opt;
  opt.port = unused_port();
  opt.api_extra = "  tcp:\n    ecoute: \"0.0.0.0:8443\"\n";
  std::string cfg = write_daemon_config(ws, "check", opt);
  std::string log = ws.path("check.log");
  int rc = run_command({std::string(INSGATE_BIN_DIR) + "/insgated", "--check-config", cfg}, log);
  EXPECT_EQ(rc, 1);
  // api:, socket, mode_socket, tcp:, then ecoute on line 5.
  EXPECT_THAT(read_file(log), HasSubstr("api.tcp.ecoute (line 5): 0.0.0.0 is not a loopback address"));
}

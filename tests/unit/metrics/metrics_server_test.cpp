// Unit tests of metrics/metrics_server.hpp: a plain-socket HTTP GET on an
// ephemeral port gets the text exposition of every family.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrics_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics/metrics.hpp"

namespace insgate::metrics {
namespace {

/// GET `path` over a fresh TCP connection to 127.0.0.1:`port`; the whole answer.
std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, n);
    }
  }
  ::close(fd);
  return answer;
}

MetricsServerOptions ephemeral() { return {"127.0.0.1:0", "/metrics"}; }

TEST(MetricsServerTest, scrape_over_tcp_returns_every_family) {
  Metrics m({{"750000001"}, {"dmp"}, "0.1.0", {}});
  m.insi_call(Operation::verification, "750000001", InsiOutcome::cr_00, 0.2);
  MetricsServer server(ephemeral(), m.registry());
  ASSERT_NE(server.port(), 0);
  const auto answer = http_get(server.port(), "/metrics");
  ASSERT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer.substr(0, 200);
  for (const auto& name : Metrics::metric_names()) {
    EXPECT_NE(answer.find("# TYPE " + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(answer.find("insgate_insi_calls_total{finess=\"750000001\",operation=\"verification\","
                        "outcome=\"cr_00\"} 1"),
            std::string::npos);
}

TEST(MetricsServerTest, other_paths_are_not_served) {
  Metrics m({{}, {}, "0.1.0", {}});
  MetricsServer server(ephemeral(), m.registry());
  const auto answer = http_get(server.port(), "/autre");
  EXPECT_EQ(answer.find("insgate_build_info"), std::string::npos);
  EXPECT_NE(answer.substr(0, answer.find('\r')).find(" 404 "), std::string::npos)
      << answer.substr(0, 200);
}

TEST(MetricsServerTest, replace_serves_the_new_registry) {
  Metrics a({{}, {}, "1.0.0", {}});
  Metrics b({{}, {}, "2.0.0", {}});
  MetricsServer server(ephemeral(), a.registry());
  server.replace(b.registry());
  const auto answer = http_get(server.port(), "/metrics");
  EXPECT_NE(answer.find("version=\"2.0.0\""), std::string::npos);
  EXPECT_EQ(answer.find("version=\"1.0.0\""), std::string::npos);
}

TEST(MetricsServerTest, malformed_or_busy_address_is_a_metrics_error) {
  Metrics m({{}, {}, "0.1.0", {}});
  EXPECT_THROW(MetricsServer({"localhost:9464", "/metrics"}, m.registry()), MetricsError);
  EXPECT_THROW(MetricsServer({"127.0.0.1", "/metrics"}, m.registry()), MetricsError);
  EXPECT_THROW(MetricsServer({"127.0.0.1:70000", "/metrics"}, m.registry()), MetricsError);
  EXPECT_THROW(MetricsServer({"127.0.0.1:0", "metrics"}, m.registry()), MetricsError);
  MetricsServer first(ephemeral(), m.registry());
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  EXPECT_THROW(MetricsServer({taken, "/metrics"}, m.registry()), MetricsError);
}

// Issue 17 item 9: civetweb only says "null context when constructing
// CivetServer"; the message names the key, the address and the cause.
TEST(MetricsServerTest, a_port_in_use_is_named_with_key_address_and_cause) {
  Metrics m({{}, {}, "0.1.0", {}});
  MetricsServer first(ephemeral(), m.registry());
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    MetricsServer second({taken, "/metrics"}, m.registry());
    FAIL() << "a second listener on " << taken;
  } catch (const MetricsError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("metriques.ecoute"), std::string::npos) << msg;
    EXPECT_NE(msg.find(taken), std::string::npos) << msg;
    EXPECT_NE(msg.find("already in use"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("null context"), std::string::npos) << msg;
  }
}

TEST(MetricsServerTest, ipv6_literal_is_accepted_by_the_parser) {
  EXPECT_NO_THROW(check_listen_address("[::1]:9464"));
  EXPECT_THROW(check_listen_address("[::1]"), MetricsError);
  EXPECT_THROW(check_listen_address("::1:9464"), MetricsError);
}

}  // namespace
}  // namespace insgate::metrics

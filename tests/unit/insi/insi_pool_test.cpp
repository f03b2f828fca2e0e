// Unit tests of the bounded pool of insi/insi_client.hpp (issue 19): at
// most insi.connexions_max connections, a FIFO queue within each call's
// deadline, a bounded queue (beyond: saturated), reuse of idle connections.
// A local TLS server on 127.0.0.1 in the same io_context counts its accepts.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "insi/insi_client.hpp"

using namespace insgate;
using namespace insgate::insi;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

/// A self-signed server certificate made once with the openssl command.
fs::path server_pki() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("insgate-pool-test-" + std::to_string(::getpid()));
    fs::create_directories(d);
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                            "-keyout '" + (d / "server.key").string() + "' -out '" +
                            (d / "server.pem").string() +
                            "' -subj /CN=localhost -days 2 >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl req failed");
    return d;
  }();
  return dir;
}

/// HTTPS server answering every POST with 200 after `delay`, keep-alive;
/// counts accepted connections and the most open at once.
class SlowServer {
 public:
  /// `ask_client_certificate`: requests (and accepts any) client
  /// certificate, without a session id context, so that OpenSSL fails a
  /// resumed handshake with internal_error, as insi-sim once did.
  SlowServer(asio::io_context& io, std::chrono::milliseconds delay,
             bool ask_client_certificate = false)
      : io_(io), delay_(delay) {
    ctx_.use_certificate_chain_file((server_pki() / "server.pem").string());
    ctx_.use_private_key_file((server_pki() / "server.key").string(), ssl::context::pem);
    if (ask_client_certificate) {
      ctx_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
      ctx_.set_verify_callback([](bool, ssl::verify_context&) { return true; });
    }
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    asio::co_spawn(io_, accept_loop(), asio::detached);
  }
  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }
  int accepts = 0;
  int open = 0;
  int most_open = 0;
  int requests = 0;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket s(io_);
      co_await acceptor_.async_accept(s, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++accepts;
      asio::co_spawn(io_, serve(std::move(s)), asio::detached);
    }
  }
  asio::awaitable<void> serve(tcp::socket s) {
    ++open;
    most_open = std::max(most_open, open);
    boost::system::error_code ec;
    ssl::stream<tcp::socket> stream(std::move(s), ctx_);
    co_await stream.async_handshake(ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    beast::flat_buffer buffer;
    while (!ec) {
      http::request<http::string_body> req;
      co_await http::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      ++requests;
      asio::steady_timer t(io_);
      t.expires_after(delay_);
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      http::response<http::string_body> res{http::status::ok, 11};
      res.keep_alive(true);
      res.body() = "ok";
      res.prepare_payload();
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    }
    --open;
  }

  asio::io_context& io_;
  std::chrono::milliseconds delay_;
  ssl::context ctx_{ssl::context::tls_server};
  tcp::acceptor acceptor_{io_};
};

std::shared_ptr<ssl::context> client_tls(bool with_certificate = false) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_verify_mode(ssl::verify_none);  // a self-signed test server
  if (with_certificate) {
    ctx->use_certificate_chain_file((server_pki() / "server.pem").string());
    ctx->use_private_key_file((server_pki() / "server.key").string(), ssl::context::pem);
  }
  return ctx;
}

config::Endpoint endpoint(const SlowServer& s) {
  return {"https://127.0.0.1:" + s.port() + "/lps", "127.0.0.1", s.port(), "/lps"};
}

struct Run {
  std::vector<PostResult> results;
  int handshakes = 0;
};

/// `callers` concurrent posts through one client bound to `max_open`.
Run burst(int callers, std::size_t max_open, std::chrono::milliseconds delay,
          std::chrono::milliseconds budget = 20s, int rounds = 1,
          std::optional<std::chrono::milliseconds> first_budget = std::nullopt) {
  asio::io_context io(1);
  SlowServer server(io, delay);
  Run run;
  InsiClient client(io.get_executor(), client_tls(), endpoint(server), 5s, max_open,
                    [&run](bool) { ++run.handshakes; });
  int done = 0;
  std::function<void()> start_round;
  int round = 0;
  start_round = [&] {
    for (int i = 0; i < callers; ++i)
      asio::co_spawn(io,
                     client.post("action", "<x/>",
                                 Clock::now() + (i == 0 && first_budget ? *first_budget : budget)),
                     [&](std::exception_ptr e, PostResult r) {
                       if (!e) run.results.push_back(std::move(r));
                       if (++done == callers * (round + 1)) {
                         if (++round < rounds) {
                           start_round();
                         } else {
                           client.close_idle();
                           server.stop();
                         }
                       }
                     });
  };
  start_round();
  io.run_for(60s);
  EXPECT_LE(server.most_open, static_cast<int>(max_open));
  EXPECT_EQ(run.handshakes, server.accepts);
  return run;
}

int count_ok(const Run& r) {
  int n = 0;
  for (const auto& p : r.results)
    if (const auto* h = std::get_if<HttpReply>(&p); h && h->status == 200) ++n;
  return n;
}

}  // namespace

TEST(InsiPoolTest, sixty_four_callers_with_four_connections_all_answered_on_four_connections) {
  auto run = burst(64, 4, 20ms);
  EXPECT_EQ(count_ok(run), 64);
  EXPECT_LE(run.handshakes, 4) << "never more than insi.connexions_max connections opened";
  EXPECT_GE(run.handshakes, 1);
}

TEST(InsiPoolTest, a_steady_load_reuses_its_connections) {
  // Three rounds of 8 callers with a bound of 8: the later rounds reuse the
  // connections of the first, no new handshake.
  auto run = burst(8, 8, 10ms, 20s, 3);
  EXPECT_EQ(count_ok(run), 24);
  EXPECT_LE(run.handshakes, 8);
}

TEST(InsiPoolTest, beyond_the_waiting_queue_calls_are_saturated_at_once) {
  // Bound 1: one call in use, 64 waiting (InsiClient::kMinWaiting); the
  // 66th is refused at once.
  auto run = burst(66, 1, 5ms);
  int saturated = 0;
  for (const auto& p : run.results)
    if (const auto* e = std::get_if<TransportError>(&p)) {
      EXPECT_EQ(e->kind, TransportError::Kind::saturated);
      EXPECT_FALSE(e->message_sent());
      ++saturated;
    }
  EXPECT_EQ(saturated, 1);
  EXPECT_EQ(count_ok(run), 65);
}

TEST(InsiPoolTest, a_deadline_reached_while_queued_is_a_timeout_before_sending) {
  // Bound 1, 500 ms answers: the first call (deadline 10 s) holds the
  // connection; the two others (deadline 100 ms) time out while waiting.
  auto run = burst(3, 1, 500ms, 100ms, 1, 10s);
  ASSERT_EQ(run.results.size(), 3u);
  int queued = 0;
  for (const auto& p : run.results) {
    const auto* e = std::get_if<TransportError>(&p);
    if (!e) continue;
    EXPECT_EQ(e->kind, TransportError::Kind::timeout);
    EXPECT_EQ(e->stage, TransportError::Stage::queued);
    EXPECT_FALSE(e->message_sent());
    ++queued;
  }
  EXPECT_EQ(queued, 2);
  EXPECT_EQ(count_ok(run), 1);
}

/// Two calls, each on a new connection (the idle one closed in between).
struct Resumption {
  std::vector<PostResult> results;
  std::vector<bool> resumed;  ///< per completed handshake
  int accepts = 0;
};

Resumption two_new_connections(bool ask_client_certificate) {
  asio::io_context io(1);
  SlowServer server(io, 1ms, ask_client_certificate);
  Resumption r;
  InsiClient client(io.get_executor(), client_tls(ask_client_certificate), endpoint(server), 5s, 2,
                    [&](bool resumed) { r.resumed.push_back(resumed); });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 3; ++i) {
          r.results.push_back(co_await client.post("action", "<x/>", Clock::now() + 5s));
          client.close_idle();  // the next call needs a new connection
        }
        server.stop();
      },
      asio::detached);
  io.run_for(20s);
  r.accepts = server.accepts;
  return r;
}

TEST(InsiPoolTest, a_new_connection_resumes_the_last_tls_session) {
  const auto r = two_new_connections(false);
  ASSERT_EQ(r.results.size(), 3u);
  for (const auto& res : r.results) EXPECT_TRUE(std::holds_alternative<HttpReply>(res));
  EXPECT_EQ(r.resumed, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(r.accepts, 3);
}

TEST(InsiPoolTest, a_server_failing_a_resumed_handshake_gets_a_full_one_and_no_session_again) {
  const auto r = two_new_connections(true);
  ASSERT_EQ(r.results.size(), 3u);
  for (const auto& res : r.results) EXPECT_TRUE(std::holds_alternative<HttpReply>(res));
  EXPECT_EQ(r.resumed, (std::vector<bool>{false, false, false}));
  EXPECT_EQ(r.accepts, 4);  // the refused resumption, then full handshakes only
}

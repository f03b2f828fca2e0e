// End to end, adversarial: an INSi that closes a kept-alive connection when
// the next request arrives on it (its keep-alive timer expired just then, or
// a load balancer in front of it recycled the connection). Found by the
// attack session: the request INSi never received counted as a call in
// `appels_insi` and as a transport failure (with `retries: 0` the caller got
// 503 although INSi was up). Fixed: such a stale connection is replaced and
// the message sent again, once, with a new MessageID, without counting.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "e2e_env.hpp"

using namespace insgate::testing;
using insgate::net::LocalHttpClient;

namespace {

/// A TLS proxy in front of insi-sim (server.pem; client certificate from
/// ca.pem required; upstream with client.pem). On each connection it relays
/// the first request and its answer; a second request on the same connection
/// is not forwarded: the connection is reset instead.
class StaleKeepAliveProxy {
 public:
  StaleKeepAliveProxy(const Workspace& ws, int upstream_port) : upstream_port_(upstream_port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);

    server_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate_chain_file(server_, ws.pki("server.pem").c_str());
    SSL_CTX_use_PrivateKey_file(server_, ws.pki("server.key").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(server_, ws.pki("ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(server_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    static const unsigned char kSid[] = "stale-proxy";
    SSL_CTX_set_session_id_context(server_, kSid, sizeof kSid - 1);
    client_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_use_certificate_chain_file(client_, ws.pki("client.pem").c_str());
    SSL_CTX_use_PrivateKey_file(client_, ws.pki("client.key").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(client_, ws.pki("ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(client_, SSL_VERIFY_PEER, nullptr);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~StaleKeepAliveProxy() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(listen_fd_);
    SSL_CTX_free(server_);
    SSL_CTX_free(client_);
  }
  int port() const { return port_; }
  /// Requests refused on a kept-alive connection (never forwarded).
  int stale() const { return stale_; }

 private:
  void accept_loop() {
    while (!stopping_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mutex_);
      fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  /// One HTTP message (header + Content-Length body) from `ssl`; `carry`
  /// holds bytes read beyond the previous one.
  static bool read_message(SSL* ssl, std::string& carry, std::string& msg) {
    char buf[16384];
    for (;;) {
      auto end = carry.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::string head = carry.substr(0, end);
        std::string lower = head;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::size_t length = 0;
        if (auto p = lower.find("content-length:"); p != std::string::npos)
          length = std::stoul(lower.substr(p + 15));
        std::size_t total = end + 4 + length;
        while (carry.size() < total) {
          int n = SSL_read(ssl, buf, sizeof buf);
          if (n <= 0) return false;
          carry.append(buf, static_cast<std::size_t>(n));
        }
        msg = carry.substr(0, total);
        carry.erase(0, total);
        return true;
      }
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n <= 0) return false;
      carry.append(buf, static_cast<std::size_t>(n));
    }
  }

  void serve(int fd) {
    SSL* down = SSL_new(server_);
    SSL_set_fd(down, fd);
    SSL* up = nullptr;
    int up_fd = -1;
    if (SSL_accept(down) == 1) {
      up_fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(up_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        up = SSL_new(client_);
        SSL_set_fd(up, up_fd);
        if (SSL_connect(up) == 1) {
          std::string down_carry, up_carry, req, res;
          for (int n = 0; read_message(down, down_carry, req); ++n) {
            if (n >= 1) {  // the keep-alive timer "expired" as this request came
              ++stale_;
              linger lg{1, 0};
              ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
              break;
            }
            if (SSL_write(up, req.data(), static_cast<int>(req.size())) <= 0) break;
            if (!read_message(up, up_carry, res)) break;
            if (SSL_write(down, res.data(), static_cast<int>(res.size())) <= 0) break;
          }
        }
      }
    }
    if (up) SSL_free(up);
    if (up_fd >= 0) ::close(up_fd);
    SSL_free(down);
    std::lock_guard<std::mutex> lock(mutex_);
    fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
    ::close(fd);
  }

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  SSL_CTX* server_ = nullptr;
  SSL_CTX* client_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::atomic<int> stale_{0};
  std::mutex mutex_;
  std::vector<int> fds_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

const nlohmann::json kOneCall =
    recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");  // CR 00 at the first call

}  // namespace

TEST(InsiKeepAliveAttackE2E, appels_insi_counts_only_the_posts_insi_received) {
  Workspace ws;
  Simulator sim(ws, "sim");
  StaleKeepAliveProxy proxy(ws, sim.port());
  DaemonOptions opt;
  opt.port = proxy.port();
  Daemon daemon(ws, "insgated", opt);
  LocalHttpClient client(daemon.socket(), std::chrono::seconds(20));
  int appels = 0;
  for (int i = 0; i < 3; ++i) {
    auto a = post_recherche(client, kOneCall, "ka-" + std::to_string(i));
    ASSERT_EQ(a.status, 200u) << a.raw.body;
    appels += a.body.value("appels_insi", 0);
  }
  ASSERT_GE(proxy.stale(), 1) << "the daemon did not reuse a kept-alive connection";
  EXPECT_EQ(appels, static_cast<int>(sim.journal().size()))
      << proxy.stale() << " request(s) INSi never received were counted as calls";
}

TEST(InsiKeepAliveAttackE2E, without_retries_a_connection_insi_recycled_is_not_a_503) {
  Workspace ws;
  Simulator sim(ws, "sim");
  StaleKeepAliveProxy proxy(ws, sim.port());
  DaemonOptions opt;
  opt.port = proxy.port();
  opt.retries = 0;
  Daemon daemon(ws, "insgated", opt);
  LocalHttpClient client(daemon.socket(), std::chrono::seconds(20));
  for (int i = 0; i < 3; ++i) {
    auto a = post_recherche(client, kOneCall, "ka0-" + std::to_string(i));
    EXPECT_EQ(a.status, 200u) << "request " << i << ": " << a.raw.body;
  }
  EXPECT_GE(proxy.stale(), 1);
}

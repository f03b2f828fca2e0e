// LocalHttpClient (insgatectl and the tests' client of the local API): a
// signal caught while waiting for the answer does not lose the exchange.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "net/local_http_client.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

namespace {

void on_signal(int) {}

/// One-shot HTTP server on a Unix socket: reads a request, waits `delay`,
/// answers 200 "ok".
class SlowServer {
 public:
  explicit SlowServer(std::chrono::milliseconds delay) {
    char dir[] = "/tmp/insgate-lhc.XXXXXX";
    dir_ = ::mkdtemp(dir);
    path_ = dir_ + "/s.sock";
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 1), 0);
    thread_ = std::thread([this, delay] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      (void)::read(c, buf, sizeof buf);
      std::this_thread::sleep_for(delay);
      const std::string reply =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
      (void)::write(c, reply.data(), reply.size());
      ::close(c);
    });
  }
  ~SlowServer() {
    thread_.join();
    ::close(fd_);
    std::filesystem::remove_all(dir_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
  int fd_ = -1;
  std::thread thread_;
};

TEST(LocalHttpClientTest, a_signal_caught_while_waiting_for_the_answer_does_not_fail_the_exchange) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: the receive is interrupted
  struct sigaction old {};
  ASSERT_EQ(::sigaction(SIGUSR1, &sa, &old), 0);
  SlowServer server(std::chrono::milliseconds(400));
  std::atomic<pthread_t> waiting{};
  std::atomic<bool> started{false};
  insgate::net::LocalReply reply;
  std::string error;
  std::thread client([&] {
    waiting = ::pthread_self();
    started = true;
    try {
      insgate::net::LocalHttpClient c(server.path(), std::chrono::seconds(5));
      reply = c.request(boost::beast::http::verb::get, "/v1/health");
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  while (!started) std::this_thread::yield();
  for (int i = 0; i < 3; ++i) {  // while the client waits for the answer
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ::pthread_kill(waiting.load(), SIGUSR1);
  }
  client.join();
  ::sigaction(SIGUSR1, &old, nullptr);
  EXPECT_EQ(error, "");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.body, "ok");
}

}  // namespace

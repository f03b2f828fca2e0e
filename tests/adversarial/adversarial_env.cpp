// SPDX-License-Identifier: GPL-3.0-or-later
#include "adversarial_env.hpp"

#include <algorithm>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace insgate::testing::adv {

RawConn::RawConn(const std::string& path) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw std::runtime_error("socket path too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect: ") + std::strerror(e));
  }
}

RawConn::~RawConn() { close(); }

void RawConn::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawConn::send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

namespace {
// Reads what is available into `buf` until `deadline`; false on EOF/error/timeout.
bool read_more(int fd, std::string& buf, std::chrono::steady_clock::time_point deadline,
               bool& closed) {
  auto left = std::chrono::duration_cast<Ms>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(left.count()));
  if (r <= 0) return false;
  char tmp[16384];
  ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0) {
    closed = true;
    return false;
  }
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}
}  // namespace

int RawConn::read_status(Ms timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto end = buf_.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::string head = buf_.substr(0, end);
      if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return 0;
      int status = std::atoi(head.c_str() + 9);
      if (status == 100) {  // 100 Continue: wait for the final answer
        buf_.erase(0, end + 4);
        continue;
      }
      std::size_t length = 0;
      std::string lower = head;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto cl = lower.find("\r\ncontent-length:");
      if (cl != std::string::npos) length = std::strtoul(lower.c_str() + cl + 17, nullptr, 10);
      while (buf_.size() < end + 4 + length)
        if (!read_more(fd_, buf_, deadline, closed_)) return 0;
      buf_.erase(0, end + 4 + length);
      return status;
    }
    if (!read_more(fd_, buf_, deadline, closed_)) return 0;
  }
}

bool RawConn::wait_closed(Ms timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_) {
    std::string ignored;
    if (!read_more(fd_, ignored, deadline, closed_) && !closed_) return false;
  }
  return true;
}

int exchange(const std::string& socket, std::string_view bytes, Ms timeout) {
  RawConn c(socket);
  c.send(bytes);  // the daemon may answer and close before reading everything
  return c.read_status(timeout);
}

std::string post(const std::string& target, std::string_view body, bool close) {
  std::string r = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
                  "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n" + (close ? "Connection: close\r\n" : "") +
                  "\r\n";
  r.append(body);
  return r;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

int fd_count(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return -1;
  int n = 0;
  while (auto* e = ::readdir(d))
    if (e->d_name[0] != '.') ++n;
  ::closedir(d);
  return n;
}

AdvDaemon::AdvDaemon(const Workspace& ws, const std::string& name, const DaemonOptions& opt,
                     const std::string& api_extra) {
  socket_ = ws.path(name + ".sock");
  log_ = ws.path(name + ".log");
  std::string cfg = write_daemon_config(ws, name, opt);
  std::string text = read_file(cfg);
  const std::string anchor = "  mode_socket: \"0600\"\n";
  auto at = text.find(anchor);
  if (at == std::string::npos) throw std::runtime_error("unexpected configuration layout");
  text.insert(at + anchor.size(), api_extra);
  std::ofstream(cfg, std::ios::trunc) << text;
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{std::string(INSGATE_BIN_DIR) + "/insgated", "--config", cfg}, log_);
  if (!wait_until([&] { return health_status(socket_) == 200; }))
    throw std::runtime_error("insgated did not start: " + read_file(log_));
}

SimProcess::SimProcess(const Workspace& ws, const std::string& name, int port,
                       const std::string& dataset) {
  std::string port_file = ws.path(name + ".port");
  journal_path_ = ws.path(name + ".journal");
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{std::string(INSGATE_BIN_DIR) + "/insi-sim", "--listen",
                               "127.0.0.1:" + std::to_string(port), "--port-file", port_file, "--cert",
                               ws.pki("server.pem"), "--key", ws.pki("server.key"), "--ca",
                               ws.pki("ca.pem"), "--dataset",
                               dataset.empty() ? std::string(INSGATE_SOURCE_DIR) +
                                                     "/tests/insi-sim/dataset.yaml"
                                               : dataset,
                               "--journal", journal_path_},
      ws.path(name + ".log"));
  if (!wait_until([&] { return !read_file(port_file).empty(); }))
    throw std::runtime_error("insi-sim did not start: " + read_file(ws.path(name + ".log")));
  port_ = std::stoi(read_file(port_file));
}

std::size_t SimProcess::posts_received() const {
  const std::string journal = read_file(journal_path_);
  return static_cast<std::size_t>(std::count(journal.begin(), journal.end(), '\n'));
}

int health_status(const std::string& socket, Ms timeout) {
  try {
    return exchange(socket, "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                    timeout);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string valid_recherche_body() {
  return recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14").dump();
}

}  // namespace insgate::testing::adv

// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/unix_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>

namespace insgate::api {

using detail::with_ec;

UnixServer::UnixServer(asio::io_context& io, SessionContext ctx)
    : io_(io), ctx_(std::move(ctx)), acceptor_(io) {}

UnixServer::~UnixServer() { stop(); }

bool UnixServer::adopt_activated_socket() {
  // systemd socket activation (insgate.socket): the API socket is fd 3.
  int n = sd_listen_fds(1);
  if (n <= 0) return false;
  int fd = SD_LISTEN_FDS_START;
  if (n > 1 || sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0)
    throw ListenError("socket activation: expected one listening Unix stream socket, got " +
                      std::to_string(n) + " descriptor(s)");
  boost::system::error_code ec;
  acceptor_.assign(Local(), fd, ec);
  if (ec) throw ListenError("socket activation: cannot adopt fd 3 (" + ec.message() + ")");
  activated_ = true;
  spdlog::info("[API_ACTIVATED] using the socket passed by systemd");
  return true;
}

void UnixServer::start() {
  namespace fs = std::filesystem;
  if (adopt_activated_socket()) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    return;
  }
  const std::string& path = ctx_.cfg.socket_path;
  std::error_code fec;
  auto st = fs::symlink_status(path, fec);
  if (!fec && fs::exists(st)) {
    if (!fs::is_socket(st)) throw ListenError(path + ": exists and is not a socket");
    // A live daemon answers on it; a stale file from a crash does not.
    Local::socket probe(io_);
    boost::system::error_code ec;
    probe.connect(Local::endpoint(path), ec);
    if (!ec) throw ListenError(path + ": another process is listening on this socket");
    fs::remove(path, fec);
  }
  boost::system::error_code ec;
  acceptor_.open(Local(), ec);
  if (!ec) acceptor_.bind(Local::endpoint(path), ec);
  if (ec) throw ListenError(path + ": cannot bind (" + ec.message() + ")");
  if (::chmod(path.c_str(), ctx_.cfg.socket_mode) != 0)
    throw ListenError(path + ": cannot set the socket mode");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw ListenError(path + ": cannot listen (" + ec.message() + ")");
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void UnixServer::stop() {
  if (stopping_) return;
  stopping_ = true;
  boost::system::error_code ec;
  if (acceptor_.is_open()) {
    acceptor_.close(ec);
    std::error_code fec;
    if (!activated_) std::filesystem::remove(ctx_.cfg.socket_path, fec);  // systemd owns its socket
  }
}

asio::awaitable<void> UnixServer::accept_loop() {
  auto last_warning = Clock::time_point{};
  auto last_refusal = Clock::time_point{};
  asio::steady_timer pause(io_);
  while (!stopping_) {
    boost::system::error_code ec;
    Local::socket socket = co_await acceptor_.async_accept(with_ec(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      // e.g. EMFILE: keep serving the connections we have, retry shortly,
      // and say so at most once a minute.
      if (Clock::now() - last_warning > std::chrono::minutes(1)) {
        spdlog::warn("[API_ACCEPT] accept failed ({}); pausing new connections", ec.message());
        last_warning = Clock::now();
      }
      pause.expires_after(std::chrono::milliseconds(100));
      co_await pause.async_wait(with_ec(ec));
      continue;
    }
    // Callers outside api.utilisateurs_autorises / groupes_autorises are answered and
    // closed here: they never hold a connection slot.
    Peer peer = peer_of(socket);
    if (!peer.allowed) {
      if (Clock::now() - last_refusal > std::chrono::minutes(1)) {
        spdlog::warn("[API_REFUSED] caller uid {} gid {} is not in api.utilisateurs_autorises / "
                     "allowed_groups (said once a minute)",
                     peer.uid, peer.gid);
        last_refusal = Clock::now();
      }
      asio::co_spawn(io_, refuse(ctx_.registry, Stream(std::move(socket)), not_allowed()), asio::detached);
      continue;
    }
    if (ctx_.registry->full(Listener::unix_socket)) {
      if (Clock::now() - last_warning > std::chrono::minutes(1)) {
        spdlog::warn("[API_LIMIT] {} connections open: new ones are refused",
                     ctx_.cfg.max_connections);
        last_warning = Clock::now();
      }
      asio::co_spawn(io_, refuse(ctx_.registry, Stream(std::move(socket)), saturated()), asio::detached);
      continue;
    }
    Caller caller;
    caller.kind = Caller::Kind::unix_socket;
    caller.label = "uid " + std::to_string(peer.uid);
    // An unreadable SO_PEERCRED (-1) matches no rule: nobody's uid is ~0u
    // in a configuration, names resolve to real ids.
    caller.uid = static_cast<unsigned>(peer.uid);
    caller.gid = static_cast<unsigned>(peer.gid);
    caller.groups = std::move(peer.groups);
    asio::co_spawn(io_, run_session(ctx_, Stream(std::move(socket)), std::move(caller)),
                   asio::detached);
  }
}

namespace {

/// The caller's supplementary groups as the kernel recorded them at connect
/// time (SO_PEERGROUPS, Linux 4.13+); empty when they cannot be read.
std::vector<gid_t> peer_groups(int fd) {
  std::vector<gid_t> groups(32);
  for (int tries = 0; tries < 3; ++tries) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return groups;
    }
    if (errno != ERANGE || len / sizeof(gid_t) <= groups.size() || len > 65536 * sizeof(gid_t))
      return {};
    groups.resize(len / sizeof(gid_t));  // ERANGE: len is the size needed
  }
  return {};
}

}  // namespace

UnixServer::Peer UnixServer::peer_of(Local::socket& socket) const {
  Peer p;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    p.uid = static_cast<long>(cred.uid);
    p.gid = static_cast<long>(cred.gid);
  }
  // Kept for the structures' caller rules (api/structures.hpp).
  for (gid_t g : peer_groups(socket.native_handle())) p.groups.push_back(static_cast<unsigned>(g));
  if (ctx_.cfg.allowed_uids.empty() && ctx_.cfg.allowed_gids.empty()) return p;
  auto listed = [](const std::vector<unsigned>& ids, long id) {
    return id >= 0 && std::find(ids.begin(), ids.end(), static_cast<unsigned>(id)) != ids.end();
  };
  p.allowed = listed(ctx_.cfg.allowed_uids, p.uid) || listed(ctx_.cfg.allowed_gids, p.gid);
  if (!p.allowed && !ctx_.cfg.allowed_gids.empty())
    for (unsigned g : p.groups)
      if (listed(ctx_.cfg.allowed_gids, static_cast<long>(g))) p.allowed = true;
  return p;
}

}  // namespace insgate::api

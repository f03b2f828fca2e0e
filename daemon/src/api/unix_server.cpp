// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/unix_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>

#include "util/ids.hpp"

namespace insgate::api {
namespace {

using asio::use_awaitable;
auto with_ec(boost::system::error_code& ec) { return asio::redirect_error(use_awaitable, ec); }

/// The caller's X-Request-Id when it is a short printable token, else a new UUID.
std::string request_id_of(const Request& req) {
  auto it = req.find("X-Request-Id");
  if (it != req.end()) {
    std::string_view v = sv(it->value());
    bool ok = !v.empty() && v.size() <= 128;
    for (char c : v)
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                  c == '.' || c == ':');
    if (ok) return std::string(v);
  }
  return util::new_uuid();
}

http::response<http::string_body> to_http(const ApiResponse& r, unsigned version, bool keep_alive,
                                          const std::string& requete_id) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "insgated/" INSGATE_VERSION);
  res.set(http::field::content_type, r.content_type + "; charset=utf-8");
  res.set("X-Request-Id", requete_id);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

ApiResponse parse_failure(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit)
    return problem(413, "requete_invalide", "Corps trop volumineux",
                   "Le corps de la requête dépasse 64 Kio.");
  if (ec == http::error::header_limit)
    return problem(431, "requete_invalide", "En-têtes trop volumineux",
                   "Les en-têtes de la requête sont trop volumineux.");
  return problem(400, "requete_invalide", "Requête HTTP invalide",
                 "La requête HTTP est mal formée.");
}

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_version).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

UnixServer::UnixServer(asio::io_context& io, const config::ApiConfig& cfg, Router& router)
    : io_(io), cfg_(cfg), router_(router), acceptor_(io) {}

UnixServer::~UnixServer() { stop(); }

void UnixServer::start() {
  namespace fs = std::filesystem;
  const std::string& path = cfg_.socket_path;
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
  if (::chmod(path.c_str(), cfg_.socket_mode) != 0)
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
    std::filesystem::remove(cfg_.socket_path, fec);
  }
  for (Stream* s : sessions_) s->close();
}

asio::awaitable<void> UnixServer::accept_loop() {
  while (!stopping_) {
    boost::system::error_code ec;
    Local::socket socket = co_await acceptor_.async_accept(with_ec(ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) co_return;
      spdlog::warn("[API_ACCEPT] accept failed: {}", ec.message());
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    asio::co_spawn(io_, session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> UnixServer::session(Local::socket socket) {
  Stream stream(std::move(socket));
  sessions_.insert(&stream);
  struct Unregister {
    std::set<Stream*>& set;
    Stream* s;
    ~Unregister() { set.erase(s); }
  } unregister{sessions_, &stream};

  beast::flat_buffer buffer;
  for (;;) {
    boost::system::error_code ec;
    // Idle keep-alive wait: nothing received yet for the next request.
    if (buffer.size() == 0) {
      stream.expires_after(cfg_.idle_timeout);
      std::size_t n = co_await stream.async_read_some(buffer.prepare(8192), with_ec(ec));
      if (ec) break;
      buffer.commit(n);
    }
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(cfg_.body_limit);
    stream.expires_after(cfg_.header_timeout);
    co_await http::async_read_header(stream, buffer, parser, with_ec(ec));
    if (!ec) {
      stream.expires_after(cfg_.idle_timeout);
      co_await http::async_read(stream, buffer, parser, with_ec(ec));
    }
    if (ec) {
      if (is_parse_error(ec)) {
        auto res = to_http(parse_failure(ec), 11, false, util::new_uuid());
        stream.expires_after(cfg_.idle_timeout);
        co_await http::async_write(stream, res, with_ec(ec));
      }
      break;
    }
    const Request& req = parser.get();
    std::string requete_id = request_id_of(req);
    auto started = Clock::now();
    stream.expires_never();  // the INSi calls carry their own deadlines
    ++in_flight_;
    ApiResponse api = co_await router_.handle(req, requete_id);
    --in_flight_;
    if (stopping_) break;
    bool keep_alive = req.keep_alive();
    auto res = to_http(api, req.version(), keep_alive, requete_id);
    spdlog::info("[API_REQUEST] {} {} -> {} in {} ms (request {})", std::string(req.method_string()),
                 std::string(req.target().substr(0, 64)), api.status,
                 std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count(),
                 requete_id);
    stream.expires_after(cfg_.idle_timeout);
    co_await http::async_write(stream, res, with_ec(ec));
    if (ec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(Local::socket::shutdown_both, ignored);
  stream.close();
}

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/unix_server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <vector>
#include <filesystem>

#include "metrics/metrics.hpp"
#include "util/ids.hpp"

namespace insgate::api {
namespace {

using asio::use_awaitable;
auto with_ec(boost::system::error_code& ec) { return asio::redirect_error(use_awaitable, ec); }

// After an answer that ends the connection before the request was read in
// full: stop sending, then read and drop what the caller still sends until it
// closes, `limit` bytes are dropped, or the stream's deadline expires.
// Closing on unread bytes would make the caller's own write fail (EPIPE or
// reset) before it could read the answer.
template <class Stream>
asio::awaitable<void> drain_before_close(Stream& stream, std::size_t limit) {
  boost::system::error_code ec;
  stream.socket().shutdown(Stream::socket_type::shutdown_send, ec);
  std::vector<char> sink(64 * 1024);
  for (std::size_t drained = 0; !ec && drained < limit;)
    drained += co_await stream.async_read_some(asio::buffer(sink), with_ec(ec));
}

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

/// What the log may show of a request: known routes and methods only (a
/// caller could put identity data in a path or a method name).
std::string loggable(const Request& req) {
  std::string_view target = sv(req.target());
  std::string_view path = target.substr(0, target.find('?'));
  bool known_path = path == "/v1/health" || path == "/v1/ins/recherche" ||
                    path == "/v1/ins/recherche-vitale" || path == "/v1/ins/verification" ||
                    path == "/v1/ins/qualification" || path == "/v1/stats/mensuel" ||
                    path.rfind("/v1/outbox", 0) == 0;
  bool known_method = req.method() != http::verb::unknown;
  return std::string(known_method ? sv(req.method_string()) : "(methode inconnue)") + " " +
         (known_path ? std::string(path) : "(chemin inconnu)");
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

ApiResponse not_allowed() {
  return problem(403, "appelant_non_autorise", "Appelant non autorisé",
                 "Le compte du logiciel appelant n'est pas autorisé par la configuration du "
                 "démon (api.allowed_users, api.allowed_groups).");
}

ApiResponse read_failure(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit)
    return problem(413, "requete_invalide", "Corps trop volumineux",
                   "Le corps de la requête dépasse 64 Kio.");
  if (ec == http::error::header_limit)
    return problem(431, "requete_invalide", "En-têtes trop volumineux",
                   "Les en-têtes de la requête sont trop volumineux.");
  if (ec == beast::error::timeout)
    return problem(408, "requete_invalide", "Délai de réception dépassé",
                   "La requête n'a pas été reçue en entier dans le délai.");
  return problem(400, "requete_invalide", "Requête HTTP invalide",
                 "La requête HTTP est mal formée.");
}

/// Errors worth an HTTP answer before closing (a parse error or a timeout
/// once a header has started); EOF and resets just end the connection.
bool answerable(const boost::system::error_code& ec) {
  return ec == beast::error::timeout ||
         (ec.category() == http::make_error_code(http::error::bad_version).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message);
}

/// Transfer codings other than plain "chunked" are not supported.
bool unsupported_transfer_coding(const Request& req) {
  auto it = req.find(http::field::transfer_encoding);
  if (it == req.end()) return false;
  std::string v(sv(it->value()));
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  v.erase(std::remove(v.begin(), v.end(), ' '), v.end());
  return v != "chunked";
}

}  // namespace

UnixServer::UnixServer(asio::io_context& io, const config::ApiConfig& cfg, Router& router,
                       metrics::Metrics* metrics)
    : io_(io), cfg_(cfg), router_(router), metrics_(metrics), acceptor_(io) {}

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
    if (!activated_) std::filesystem::remove(cfg_.socket_path, fec);  // systemd owns its socket
  }
  for (auto& [stream, st] : *sessions_)
    if (!st.busy) stream->close();
}

asio::awaitable<void> UnixServer::refuse(Local::socket socket, ApiResponse answer) {
  // The answer is written without reading the request, then what the caller
  // sends is dropped (see drain_before_close). At most one second in all.
  Stream stream(std::move(socket));
  auto res = to_http(answer, 11, false, util::new_uuid());
  boost::system::error_code ec;
  stream.expires_after(std::chrono::seconds(1));
  co_await http::async_write(stream, res, with_ec(ec));
  if (!ec) co_await drain_before_close(stream, 64 * 1024);
  stream.close();
}

void UnixServer::abort_busy() {
  for (auto& [stream, st] : *sessions_) {
    if (!st.busy) continue;
    auto answer = problem(503, "arret_en_cours", "Arrêt du démon",
                          "insgated s'arrête : la requête n'a pas pu aboutir à temps ; "
                          "réessayez après son redémarrage.");
    answer.headers.emplace_back("Retry-After", "5");
    auto res = to_http(answer, st.version, false, st.requete_id);
    spdlog::warn("[API_REQUEST] request {} -> 503, answered at stop before INSi did",
                 st.requete_id);  // logged first: the caller may look at once
    boost::system::error_code ec;
    stream->expires_after(std::chrono::seconds(1));
    http::write(stream->socket(), res, ec);  // the io loop stops right after
    st.busy = false;
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
    // Callers outside api.allowed_users / allowed_groups are answered and
    // closed here: they never hold a connection slot.
    Peer peer = peer_of(socket);
    if (!peer.allowed) {
      if (Clock::now() - last_refusal > std::chrono::minutes(1)) {
        spdlog::warn("[API_REFUSED] caller uid {} gid {} is not in api.allowed_users / "
                     "allowed_groups (said once a minute)",
                     peer.uid, peer.gid);
        last_refusal = Clock::now();
      }
      asio::co_spawn(io_, refuse(std::move(socket), not_allowed()), asio::detached);
      continue;
    }
    if (sessions_->size() >= static_cast<std::size_t>(cfg_.max_connections)) {
      if (Clock::now() - last_warning > std::chrono::minutes(1)) {
        spdlog::warn("[API_LIMIT] {} connections open: new ones are refused",
                     cfg_.max_connections);
        last_warning = Clock::now();
      }
      auto busy = problem(503, "service_sature", "Trop de connexions",
                          "Le démon a atteint api.max_connections ; réessayez plus tard.");
      busy.headers.emplace_back("Retry-After", "1");
      asio::co_spawn(io_, refuse(std::move(socket), std::move(busy)), asio::detached);
      continue;
    }
    asio::co_spawn(io_, session(std::move(socket), peer), asio::detached);
  }
}

UnixServer::Peer UnixServer::peer_of(Local::socket& socket) const {
  Peer p;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    p.uid = static_cast<long>(cred.uid);
    p.gid = static_cast<long>(cred.gid);
  }
  if (cfg_.allowed_uids.empty() && cfg_.allowed_gids.empty()) return p;
  auto listed = [](const std::vector<unsigned>& ids, long id) {
    return id >= 0 && std::find(ids.begin(), ids.end(), static_cast<unsigned>(id)) != ids.end();
  };
  p.allowed = listed(cfg_.allowed_uids, p.uid) || listed(cfg_.allowed_gids, p.gid);
  return p;
}

asio::awaitable<void> UnixServer::session(Local::socket socket, Peer peer) {
  Stream stream(std::move(socket));
  auto sessions = sessions_;  // keeps the registry alive as long as this frame
  sessions->emplace(&stream, SessionState{});
  if (metrics_) metrics_->api_connection_opened();
  struct Unregister {
    std::shared_ptr<Sessions> sessions;
    Stream* s;
    metrics::Metrics* metrics;
    ~Unregister() {
      sessions->erase(s);
      if (metrics) metrics->api_connection_closed();
    }
  } unregister{sessions, &stream, metrics_};

  beast::flat_buffer buffer;
  while (!stopping_ && co_await serve_one(stream, buffer, peer)) {
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(Local::socket::shutdown_both, ignored);
  stream.close();
}

asio::awaitable<bool> UnixServer::serve_one(Stream& stream, beast::flat_buffer& buffer,
                                            const Peer& peer) {
  boost::system::error_code ec;
  // Idle keep-alive wait: nothing received yet for the next request.
  if (buffer.size() == 0) {
    stream.expires_after(cfg_.idle_timeout);
    std::size_t n = co_await stream.async_read_some(buffer.prepare(8192), with_ec(ec));
    if (ec) co_return false;
    buffer.commit(n);
  }
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(cfg_.body_limit);
  stream.expires_after(cfg_.header_timeout);
  co_await http::async_read_header(stream, buffer, parser, with_ec(ec));
  std::optional<ApiResponse> early;
  if (!ec) {
    const auto& head = parser.get();
    if (unsupported_transfer_coding(head)) {
      early = problem(501, "requete_invalide", "Codage de transfert non pris en charge",
                      "Seul Transfer-Encoding: chunked est accepté.");
    } else {
      if (beast::iequals(head[http::field::expect], "100-continue")) {
        http::response<http::empty_body> cont{http::status::continue_, 11};
        stream.expires_after(cfg_.idle_timeout);
        co_await http::async_write(stream, cont, with_ec(ec));
      }
      if (!ec) {
        stream.expires_after(cfg_.idle_timeout);
        co_await http::async_read(stream, buffer, parser, with_ec(ec));
      }
    }
  }
  if (ec && !early) {
    if (answerable(ec)) early = read_failure(ec);
    else co_return false;
  }
  if (early) {
    auto res = to_http(*early, 11, false, util::new_uuid());
    stream.expires_after(cfg_.idle_timeout);
    co_await http::async_write(stream, res, with_ec(ec));
    if (!ec) {
      stream.expires_after(std::chrono::seconds(1));
      co_await drain_before_close(stream, 16 * 1024 * 1024);
    }
    co_return false;
  }

  const Request& req = parser.get();
  std::string requete_id = request_id_of(req);
  auto started = Clock::now();
  stream.expires_never();  // the INSi calls carry their own deadlines
  (*sessions_)[&stream] = SessionState{true, requete_id, req.version()};
  ++in_flight_;
  ApiResponse api = co_await router_.handle(req, requete_id);
  --in_flight_;
  (*sessions_)[&stream].busy = false;
  bool keep_alive = req.keep_alive() && !stopping_;
  auto res = to_http(api, req.version(), keep_alive, requete_id);
  auto elapsed = Clock::now() - started;
  spdlog::info("[API_REQUEST] {} -> {} in {} ms (request {}, uid {})", loggable(req),
               api.status, std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(),
               requete_id, peer.uid);
  if (metrics_)
    metrics_->api_request(metrics::route_of(sv(req.target())), static_cast<int>(api.status),
                          std::chrono::duration<double>(elapsed).count());
  stream.expires_after(cfg_.idle_timeout);
  co_await http::async_write(stream, res, with_ec(ec));
  co_return !ec && keep_alive;
}

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/insi_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <optional>

#include "insi/tls_setup.hpp"

namespace insgate::insi {
namespace {

using asio::use_awaitable;
auto with_ec(boost::system::error_code& ec) { return asio::redirect_error(use_awaitable, ec); }

using Stage = TransportError::Stage;

/// A local resource exhausted (descriptors, memory, socket buffers): the
/// daemon's own saturation, never INSi's fault (issue 19). getaddrinfo's
/// EAI_SYSTEM comes back from Asio as the errno it set.
bool is_local_exhaustion(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category() &&
      ec.category() != boost::system::generic_category())
    return false;
  const int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS;
}

/// The errno of a descriptor that cannot be opened now because local
/// resources are exhausted; 0 when one can. glibc's resolver reports a name
/// it could not look up for want of a descriptor (/etc/hosts, a DNS socket)
/// as "host not found": this probe tells the two apart.
int descriptor_exhaustion_now() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  const int e = errno;
  return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS ? e : 0;
}

TransportError from_ec(TransportError::Kind kind, Stage stage, const boost::system::error_code& ec,
                       const char* what) {
  if (stage != Stage::receive && is_local_exhaustion(ec))
    return {TransportError::Kind::saturated, std::string(what) + ": " + ec.message(), stage};
  if (ec == beast::error::timeout)
    return {TransportError::Kind::timeout, std::string(what) + ": deadline reached", stage};
  return {kind, std::string(what) + ": " + ec.message(), stage};
}

/// A TLS alert sent by the server (OpenSSL reports it as reason
/// SSL_AD_REASON_OFFSET + alert number), e.g. its refusal of our certificate.
bool is_tls_alert(const boost::system::error_code& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_LIB(static_cast<unsigned long>(ec.value())) == ERR_LIB_SSL &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) >= SSL_AD_REASON_OFFSET;
}

/// A read stopped by the receive buffer's bound (kMaxBufferedBytes).
std::optional<TransportError> over_bounds(const boost::system::error_code& ec) {
  if (ec != http::error::buffer_overflow) return std::nullopt;
  return TransportError{TransportError::Kind::protocol,
                        "answer with an oversized chunk-size line or trailer refused"};
}

}  // namespace

/// A call waiting for a place in the pool (InsiClient::acquire).
struct InsiClient::Waiter {
  asio::steady_timer timer;
  Lease lease;
  bool granted = false;
};

InsiClient::InsiClient(asio::any_io_executor ex, std::shared_ptr<ssl::context> tls,
                       config::Endpoint endpoint, std::chrono::milliseconds connect_timeout,
                       std::size_t max_open, HandshakeHook on_handshake)
    : ex_(std::move(ex)),
      tls_(std::move(tls)),
      endpoint_(std::move(endpoint)),
      connect_timeout_(connect_timeout),
      max_open_(std::max<std::size_t>(1, max_open)),
      max_waiting_(std::max(kMinWaiting, kWaitingPerConnection * max_open_)),
      on_handshake_(std::move(on_handshake)) {}

InsiClient::~InsiClient() { close_idle(); }

void InsiClient::close_stream(Stream& stream) {
  boost::system::error_code ignored;
  beast::get_lowest_layer(stream).socket().close(ignored);
}

void InsiClient::close_idle() {
  for (auto& i : idle_) close_stream(*i.stream);
  open_ -= std::min(open_, idle_.size());
  idle_.clear();
}

std::size_t InsiClient::close_idle_older_than(Clock::duration idle_for) {
  const auto cutoff = Clock::now() - idle_for;
  std::size_t closed = 0;
  std::erase_if(idle_, [&](Idle& i) {
    if (i.since > cutoff) return false;
    close_stream(*i.stream);
    ++closed;
    return true;
  });
  open_ -= std::min(open_, closed);
  return closed;
}

asio::awaitable<std::variant<InsiClient::Lease, TransportError>> InsiClient::acquire(
    Clock::time_point deadline) {
  // Calls already waiting go first (FIFO): a new call only takes a place
  // directly when nobody waits.
  if (waiting_.empty()) {
    if (auto stream = take_idle()) co_return Lease{std::move(stream)};
    if (open_ < max_open_) {
      ++open_;
      co_return Lease{};
    }
  }
  if (waiting_.size() >= max_waiting_)
    co_return TransportError{TransportError::Kind::saturated,
                             "every connection to INSi in use and the waiting queue full (" +
                                 std::to_string(max_waiting_) + " calls)",
                             Stage::queued};
  Waiter w{asio::steady_timer(ex_), {}, false};
  w.timer.expires_at(deadline);
  waiting_.push_back(&w);
  boost::system::error_code ec;
  co_await w.timer.async_wait(with_ec(ec));
  if (w.granted) co_return std::move(w.lease);
  std::erase(waiting_, &w);
  co_return TransportError{TransportError::Kind::timeout,
                           "deadline reached while waiting for a connection to INSi",
                           Stage::queued};
}

void InsiClient::release(StreamPtr stream, bool reusable) {
  if (stream && !reusable) {
    close_stream(*stream);
    stream.reset();
  }
  if (!waiting_.empty()) {
    // The place goes to the first waiting call: the connection itself, or
    // (closed) the right to open a new one; open_ is unchanged.
    Waiter* next = waiting_.front();
    waiting_.pop_front();
    next->granted = true;
    next->lease.stream = std::move(stream);
    next->timer.cancel();
    return;
  }
  if (stream)
    idle_.push_back({std::move(stream), Clock::now()});
  else
    open_ -= std::min<std::size_t>(open_, 1);
}

asio::awaitable<std::variant<InsiClient::StreamPtr, TransportError>> InsiClient::open_stream(
    Clock::time_point deadline, bool offer_session) {
  auto stream = std::make_unique<Stream>(ex_, *tls_);
  if (!set_peer_name(*stream, endpoint_.host))
    co_return TransportError{TransportError::Kind::tls, "cannot set the server name for verification",
                             Stage::tls};
  // A copy: OpenSSL marks a connection's session not resumable when the
  // connection ends without close_notify (ours are closed, not shut down),
  // and the kept session must survive that.
  if (offer_session && session_) {
    if (SSL_SESSION* copy = SSL_SESSION_dup(session_.get())) {
      (void)SSL_set_session(stream->native_handle(), copy);
      SSL_SESSION_free(copy);  // the connection holds its own reference
    }
  }
  auto connect_deadline = std::min(deadline, Clock::now() + connect_timeout_);
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(ex_);
  auto endpoints = co_await resolver.async_resolve(endpoint_.host, endpoint_.port, with_ec(ec));
  if (ec) {
    if (const int e = descriptor_exhaustion_now(); e != 0 && !is_local_exhaustion(ec))
      co_return TransportError{TransportError::Kind::saturated,
                               "resolve: " + ec.message() + " while local resources are exhausted (" +
                                   std::strerror(e) + ")",
                               Stage::connect};
    co_return from_ec(TransportError::Kind::connect, Stage::connect, ec, "resolve");
  }
  auto& tcp = beast::get_lowest_layer(*stream);
  tcp.expires_at(connect_deadline);
  co_await tcp.async_connect(endpoints, with_ec(ec));
  if (ec) co_return from_ec(TransportError::Kind::connect, Stage::connect, ec, "connect");
  tcp.expires_at(connect_deadline);
  co_await stream->async_handshake(ssl::stream_base::client, with_ec(ec));
  if (ec) co_return from_ec(TransportError::Kind::tls, Stage::tls, ec, "TLS handshake");
  if (on_handshake_) on_handshake_(SSL_session_reused(stream->native_handle()) == 1);
  co_return std::move(stream);
}

asio::awaitable<std::variant<InsiClient::StreamPtr, TransportError>> InsiClient::connect(
    Clock::time_point deadline) {
  const bool offered = session_ != nullptr && !resumption_refused_;
  auto result = co_await open_stream(deadline, offered);
  auto* err = std::get_if<TransportError>(&result);
  if (!offered || err == nullptr || err->stage != Stage::tls || Clock::now() >= deadline)
    co_return result;
  // The server refused the session it was offered (insi-sim without a
  // session id context does, with an internal_error alert): never offer
  // one again to this endpoint, and make the full handshake at once.
  session_.reset();
  resumption_refused_ = true;
  co_return co_await open_stream(deadline, false);
}

asio::awaitable<PostResult> InsiClient::exchange(Stream& stream,
                                                 const http::request<http::string_body>& req,
                                                 Clock::time_point deadline, bool reused,
                                                 bool& reusable, bool& answered) {
  reusable = false;
  answered = false;
  boost::system::error_code ec;
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_at(deadline);
  co_await http::async_write(stream, req, with_ec(ec));
  // Until the last byte is written, INSi has not received the message.
  if (ec) co_return from_ec(TransportError::Kind::io, Stage::send, ec, "send");
  // Bounded: Beast's parser limits the header (8 KiB) and the body, not a
  // chunk-size line or the trailer section (issue 22); past this, the read
  // fails with http::error::buffer_overflow.
  beast::flat_buffer buffer(kMaxBufferedBytes);
  std::optional<http::response_parser<http::string_body>> parser;
  // Skip interim 1xx answers (e.g. 100 Continue): the final one follows.
  for (int interim = 0;; ++interim) {
    parser.emplace();
    parser->body_limit(kMaxResponseBytes);
    co_await http::async_read_header(stream, buffer, *parser, with_ec(ec));
    answered = answered || !ec || buffer.size() > 0;
    if (ec == http::error::body_limit)
      co_return TransportError{TransportError::Kind::protocol, "answer larger than 1 MiB refused"};
    // TLS 1.3 completes the client's side of the handshake before the
    // server checks the client certificate: its refusal arrives as an alert
    // in place of the answer. The server never read the message.
    if (ec && !answered && !reused && is_tls_alert(ec))
      co_return from_ec(TransportError::Kind::tls, Stage::tls, ec, "TLS refused by the server");
    if (auto refused = over_bounds(ec)) co_return *refused;
    if (ec) co_return from_ec(TransportError::Kind::io, Stage::receive, ec, "receive");
    unsigned status = parser->get().result_int();
    if (status >= 200 || status == 101) break;
    if (interim >= 4) co_return TransportError{TransportError::Kind::protocol, "too many 1xx answers"};
  }
  if (auto len = parser->content_length(); len && *len > kMaxResponseBytes)
    co_return TransportError{TransportError::Kind::protocol, "answer larger than 1 MiB refused"};
  // insgate never sends Accept-Encoding: a compressed answer was not asked
  // for and is never inflated.
  if (auto coding = parser->get()[http::field::content_encoding];
      !coding.empty() && !beast::iequals(coding, "identity"))
    co_return TransportError{TransportError::Kind::protocol,
                             "compressed answer (Content-Encoding) never requested: refused"};
  co_await http::async_read(stream, buffer, *parser, with_ec(ec));
  if (ec == http::error::body_limit)
    co_return TransportError{TransportError::Kind::protocol, "answer larger than 1 MiB refused"};
  if (auto refused = over_bounds(ec)) co_return *refused;
  if (ec) co_return from_ec(TransportError::Kind::io, Stage::receive, ec, "receive");
  tcp.expires_never();
  auto& res = parser->get();
  HttpReply reply{static_cast<unsigned>(res.result_int()), std::move(res.body())};
  if (reply.body.size() > kMaxResponseBytes)
    co_return TransportError{TransportError::Kind::protocol, "answer larger than 1 MiB refused"};
  // Reuse only a connection in a known state: a final 200/500 answer read
  // completely, keep-alive, and no byte already received beyond it.
  reusable = parser->keep_alive() && buffer.size() == 0 &&
             (reply.status == 200 || reply.status == 500);
  co_return reply;
}

void InsiClient::remember_session(Stream& stream) {
  if (resumption_refused_) return;
  SSL_SESSION* s = SSL_get1_session(stream.native_handle());
  if (s == nullptr) return;
  // A copy, for the same reason as in open_stream().
  if (SSL_SESSION_is_resumable(s) == 1)
    if (SSL_SESSION* copy = SSL_SESSION_dup(s)) session_.reset(copy);
  SSL_SESSION_free(s);
}

InsiClient::StreamPtr InsiClient::take_idle() {
  while (!idle_.empty()) {
    StreamPtr stream = std::move(idle_.back().stream);
    idle_.pop_back();
    auto& sock = beast::get_lowest_layer(*stream).socket();
    // Anything on an idle connection (a late answer, a TLS alert, the
    // server's close or reset) makes it unusable: discard it. The close
    // shows as POLLRDHUP/POLLHUP, not as bytes available.
    pollfd pfd{sock.native_handle(), POLLIN | POLLRDHUP, 0};
    const bool quiet = ::poll(&pfd, 1, 0) == 0 && SSL_pending(stream->native_handle()) == 0;
    if (quiet) return stream;
    close_stream(*stream);
    open_ -= std::min<std::size_t>(open_, 1);
  }
  return nullptr;
}

asio::awaitable<PostResult> InsiClient::post(std::string soap_action, std::string body,
                                             Clock::time_point deadline) {
  http::request<http::string_body> req{http::verb::post, endpoint_.target, 11};
  req.set(http::field::host, endpoint_.host);
  req.set(http::field::content_type,
          "application/soap+xml;charset=utf-8;action=\"" + soap_action + "\"");
  req.set(http::field::user_agent, "insgate/" INSGATE_VERSION);
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();

  // Each message goes out once: a kept-alive connection that fails before
  // any answer is reported as stale_connection, and the fault policy sends
  // a new message (new MessageID); the same MessageID never goes out twice.
  bool reusable = false;
  bool answered = false;
  auto lease = co_await acquire(deadline);
  if (auto* err = std::get_if<TransportError>(&lease)) co_return *err;
  StreamPtr stream = std::move(std::get<Lease>(lease).stream);
  const bool reused = stream != nullptr;
  if (!stream) {
    auto connected = co_await connect(deadline);
    if (auto* err = std::get_if<TransportError>(&connected)) {
      release(nullptr, false);
      co_return *err;
    }
    stream = std::move(std::get<StreamPtr>(connected));
  }
  auto result = co_await exchange(*stream, req, deadline, reused, reusable, answered);
  // TLS 1.3 session tickets arrive after the handshake: read with the first answer.
  if (!reused && std::holds_alternative<HttpReply>(result)) remember_session(*stream);
  if (auto* err = std::get_if<TransportError>(&result);
      err && reused && !answered && err->kind == TransportError::Kind::io)
    err->stale_connection = true;
  release(std::move(stream), reusable);
  co_return result;
}

}  // namespace insgate::insi

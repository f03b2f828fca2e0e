// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/insi_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <optional>

#include "insi/tls_setup.hpp"

namespace insgate::insi {
namespace {

using asio::use_awaitable;
auto with_ec(boost::system::error_code& ec) { return asio::redirect_error(use_awaitable, ec); }

using Stage = TransportError::Stage;

TransportError from_ec(TransportError::Kind kind, Stage stage, const boost::system::error_code& ec,
                       const char* what) {
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

InsiClient::InsiClient(asio::any_io_executor ex, std::shared_ptr<ssl::context> tls,
                       config::Endpoint endpoint, std::chrono::milliseconds connect_timeout)
    : ex_(std::move(ex)),
      tls_(std::move(tls)),
      endpoint_(std::move(endpoint)),
      connect_timeout_(connect_timeout) {}

void InsiClient::close_idle() {
  for (auto& i : idle_) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(*i.stream).socket().close(ignored);
  }
  idle_.clear();
}

std::size_t InsiClient::close_idle_older_than(Clock::duration idle_for) {
  const auto cutoff = Clock::now() - idle_for;
  std::size_t closed = 0;
  std::erase_if(idle_, [&](Idle& i) {
    if (i.since > cutoff) return false;
    boost::system::error_code ignored;
    beast::get_lowest_layer(*i.stream).socket().close(ignored);
    ++closed;
    return true;
  });
  return closed;
}

asio::awaitable<std::variant<InsiClient::StreamPtr, TransportError>> InsiClient::connect(
    Clock::time_point deadline) {
  auto stream = std::make_unique<Stream>(ex_, *tls_);
  if (!set_peer_name(*stream, endpoint_.host))
    co_return TransportError{TransportError::Kind::tls, "cannot set the server name for verification",
                             Stage::tls};
  auto connect_deadline = std::min(deadline, Clock::now() + connect_timeout_);
  boost::system::error_code ec;
  asio::ip::tcp::resolver resolver(ex_);
  auto endpoints = co_await resolver.async_resolve(endpoint_.host, endpoint_.port, with_ec(ec));
  if (ec) co_return from_ec(TransportError::Kind::connect, Stage::connect, ec, "resolve");
  auto& tcp = beast::get_lowest_layer(*stream);
  tcp.expires_at(connect_deadline);
  co_await tcp.async_connect(endpoints, with_ec(ec));
  if (ec) co_return from_ec(TransportError::Kind::connect, Stage::connect, ec, "connect");
  tcp.expires_at(connect_deadline);
  co_await stream->async_handshake(ssl::stream_base::client, with_ec(ec));
  if (ec) co_return from_ec(TransportError::Kind::tls, Stage::tls, ec, "TLS handshake");
  co_return std::move(stream);
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
    boost::system::error_code ignored;
    sock.close(ignored);
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
  StreamPtr stream = take_idle();
  const bool reused = stream != nullptr;
  if (!stream) {
    auto connected = co_await connect(deadline);
    if (auto* err = std::get_if<TransportError>(&connected)) co_return *err;
    stream = std::move(std::get<StreamPtr>(connected));
  }
  auto result = co_await exchange(*stream, req, deadline, reused, reusable, answered);
  if (auto* err = std::get_if<TransportError>(&result);
      err && reused && !answered && err->kind == TransportError::Kind::io)
    err->stale_connection = true;
  if (reusable && idle_.size() < kMaxIdle) idle_.push_back({std::move(stream), Clock::now()});
  co_return result;
}

}  // namespace insgate::insi

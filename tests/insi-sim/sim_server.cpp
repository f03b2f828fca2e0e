// insi-sim — the Asio/Beast mutual-TLS HTTP server (see sim_server.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "sim_server.hpp"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <exception>

namespace insgate::insi_sim {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;
using asio::use_awaitable;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr auto kShutdownTimeout = std::chrono::seconds(5);
constexpr std::uint64_t kBodyLimit = 1024 * 1024;

asio::ssl::context make_tls(const ServerOptions& o) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1);
  ctx.use_certificate_chain_file(o.cert_file);
  ctx.use_private_key_file(o.key_file, asio::ssl::context::pem);
  ctx.load_verify_file(o.ca_file);
  ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  // Resumed sessions with client certificates need a session id context
  // (without one OpenSSL fails the resumed handshake with internal_error).
  static const unsigned char kSessionContext[] = "insi-sim";
  SSL_CTX_set_session_id_context(ctx.native_handle(), kSessionContext, sizeof kSessionContext - 1);
  // Advertise the accepted client CAs in the CertificateRequest.
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca_file.c_str()))
    SSL_CTX_set_client_CA_list(ctx.native_handle(), names);
  return ctx;
}

/// Subject CN (last CN entry, UTF-8) of the verified peer certificate.
std::string peer_cn(TlsStream& stream) {
  X509* cert = SSL_get1_peer_certificate(stream.native_handle());
  if (cert == nullptr) return {};
  std::string cn;
  X509_NAME* name = X509_get_subject_name(cert);
  int last = -1;
  for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0;) last = i;
  if (last >= 0) {
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
    if (len >= 0) cn.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return cn;
}

/// Whole subject of the verified peer certificate, RFC 2253 form.
std::string peer_subject(TlsStream& stream) {
  X509* cert = SSL_get1_peer_certificate(stream.native_handle());
  if (cert == nullptr) return {};
  std::string out;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
      char* data = nullptr;
      long n = BIO_get_mem_data(bio, &data);
      if (n > 0) out.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(bio);
  }
  X509_free(cert);
  return out;
}

/// Closes the TCP connection with a RST (SO_LINGER 0), without TLS close_notify.
void reset_connection(TlsStream& stream) {
  auto& socket = beast::get_lowest_layer(stream).socket();
  boost::system::error_code ec;
  socket.set_option(tcp::socket::linger(true, 0), ec);
  socket.close(ec);
}

/// Writes the header and half the body of `res`, then resets the connection:
/// an answer cut off in transit.
asio::awaitable<void> write_truncated(TlsStream& stream, http::response<http::string_body>& res) {
  http::response_serializer<http::string_body> sr{res};
  co_await http::async_write_header(stream, sr, use_awaitable);
  const std::string& body = res.body();
  co_await asio::async_write(stream, asio::buffer(body.data(), body.size() / 2), use_awaitable);
  reset_connection(stream);
}

/// A body-less answer that closes the connection (e.g. 413).
asio::awaitable<void> write_simple(TlsStream& stream, http::status status, unsigned version) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "insi-sim");
  res.keep_alive(false);
  res.prepare_payload();
  co_await http::async_write(stream, res, use_awaitable);
}

asio::awaitable<void> session(tcp::socket socket, asio::ssl::context& tls, SimHandler& handler) {
  boost::system::error_code ec;
  const std::string peer = socket.remote_endpoint(ec).address().to_string();
  TlsStream stream(beast::tcp_stream(std::move(socket)), tls);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_after(kIdleTimeout);
  try {
    co_await stream.async_handshake(asio::ssl::stream_base::server, use_awaitable);
  } catch (const boost::system::system_error& e) {
    spdlog::warn("{}: TLS handshake refused: {}", peer, e.code().message());
    co_return;
  }
  const std::string cn = peer_cn(stream);
  const std::string subject = peer_subject(stream);
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    tcp_layer.expires_after(kIdleTimeout);
    boost::system::error_code read_error;
    try {
      co_await http::async_read(stream, buffer, parser, use_awaitable);
    } catch (const boost::system::system_error& e) {
      read_error = e.code();
    }
    if (read_error == http::error::body_limit) {
      spdlog::warn("{}: body over {} bytes: 413", peer, kBodyLimit);
      co_await write_simple(stream, http::status::payload_too_large, parser.get().version());
      break;
    }
    if (read_error) {
      if (read_error != http::error::end_of_stream && read_error != asio::ssl::error::stream_truncated)
        spdlog::warn("{}: read ended: {}", peer, read_error.message());
      break;
    }
    const auto start = std::chrono::steady_clock::now();
    auto& req = parser.get();
    SimRequest rq;
    rq.method = std::string(req.method_string());
    rq.target = std::string(req.target());
    rq.content_type = std::string(req[http::field::content_type]);
    rq.body = std::move(req.body());
    rq.client_cn = cn;
    rq.client_subject = subject;
    rq.first_on_connection = first;
    first = false;
    SimReply reply = handler.handle(rq);
    if (reply.delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor, reply.delay);
      co_await timer.async_wait(use_awaitable);
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start).count();
    spdlog::info("{} {} {} cn={} first={} -> {} {} ({} ms)", peer, rq.method, rq.target, cn,
                 rq.first_on_connection, reply.reset ? 0 : reply.status, reply.summary, ms);
    if (reply.reset) {
      reset_connection(stream);
      co_return;
    }
    if (reply.raw) {
      tcp_layer.expires_after(kIdleTimeout);
      boost::system::error_code ignored;
      co_await asio::async_write(stream, asio::buffer(reply.body),
                                 asio::redirect_error(use_awaitable, ignored));
      break;
    }
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::server, "insi-sim");
    res.set(http::field::content_type, reply.content_type);
    if (!reply.content_encoding.empty())
      res.set(http::field::content_encoding, reply.content_encoding);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(reply.body);
    res.prepare_payload();
    tcp_layer.expires_after(kIdleTimeout);
    if (reply.truncate) {
      co_await write_truncated(stream, res);
      co_return;
    }
    co_await http::async_write(stream, res, use_awaitable);
    if (!res.keep_alive()) break;
  }
  tcp_layer.expires_after(kShutdownTimeout);
  try {
    co_await stream.async_shutdown(use_awaitable);
  } catch (const boost::system::system_error&) {
    // peers often close without close_notify: nothing to do
  }
}

void log_session_end(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::warn("connection aborted: {}", ex.what());
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, asio::ssl::context& tls,
                                  SimHandler& handler) {
  while (acceptor.is_open()) {
    try {
      tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
      asio::co_spawn(acceptor.get_executor(), session(std::move(socket), tls, handler),
                     log_session_end);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) co_return;
      spdlog::warn("accept failed: {}", e.code().message());
    }
  }
}

tcp::endpoint resolve(asio::io_context& io, const ServerOptions& o) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (!ec) return {address, o.port};
  tcp::resolver resolver(io);
  return *resolver.resolve(o.host, std::to_string(o.port)).begin();
}

}  // namespace

SimServer::SimServer(asio::io_context& io, const ServerOptions& options, SimHandler& handler)
    : io_(io), tls_(make_tls(options)), acceptor_(io), handler_(handler) {
  // Refusal at the ClientHello: the client's handshake fails with an alert.
  SSL_CTX_set_client_hello_cb(
      tls_.native_handle(),
      [](SSL*, int* alert, void* arg) {
        if (!*static_cast<const bool*>(arg)) return SSL_CLIENT_HELLO_SUCCESS;
        *alert = SSL_AD_HANDSHAKE_FAILURE;
        return SSL_CLIENT_HELLO_ERROR;
      },
      &refuse_tls_);
  const tcp::endpoint endpoint = resolve(io, options);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

unsigned short SimServer::port() const { return acceptor_.local_endpoint().port(); }

void SimServer::start() { asio::co_spawn(io_, accept_loop(acceptor_, tls_, handler_), log_session_end); }

void SimServer::refuse_tls(bool on) {
  refuse_tls_ = on;
  spdlog::info("TLS handshakes refused: {}", on ? "on" : "off");
}

void SimServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

}  // namespace insgate::insi_sim

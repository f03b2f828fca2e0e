// SPDX-License-Identifier: GPL-3.0-or-later
// One HTTPS POST with a deadline (see https_post.hpp).
#include "https_post.hpp"

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace insgate::dmp_fhir {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

bool parse_https_url(const std::string& text, Url& out) {
  static const std::string scheme = "https://";
  if (text.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = text.substr(scheme.size());
  const auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (out.target.find_first_of(" \r\n#") != std::string::npos) return false;
  if (authority.find('@') != std::string::npos) return false;  // no credentials in URLs
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return false;
    out.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.find(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return false;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) return false;
    const int p = std::stoi(port);
    if (p < 1 || p > 65535) return false;
    out.port = port;
  } else {
    out.port = "443";
  }
  return true;
}

namespace {

/// Why the TLS handshake failed, from OpenSSL's verify result when there is one.
std::string tls_failure(SSL* ssl, const boost::system::error_code& ec) {
  const long v = SSL_get_verify_result(ssl);
  if (v != X509_V_OK)
    return std::string("server certificate not accepted: ") + X509_verify_cert_error_string(v);
  return "TLS handshake failed: " + ec.message();
}

asio::awaitable<void> exchange(asio::ssl::context& ctx, const Url& url, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               std::chrono::milliseconds timeout, PostResult& result) {
  auto ex = co_await asio::this_coro::executor;
  auto use = asio::use_awaitable;
  const char* step = "resolve";
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  try {
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(url.host, url.port, use);

    // Host name (or IP address) checked by OpenSSL during the handshake.
    SSL* ssl = stream.native_handle();
    boost::system::error_code ip_ec;
    asio::ip::make_address(url.host, ip_ec);
    if (!ip_ec) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) != 1)
        throw std::runtime_error("cannot set the expected IP address");
    } else {
      if (SSL_set1_host(ssl, url.host.c_str()) != 1 ||
          SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1)
        throw std::runtime_error("cannot set the expected host name");
    }

    beast::get_lowest_layer(stream).expires_after(timeout);  // covers every step below
    step = "connect";
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, use);
    step = "TLS handshake";
    try {
      co_await stream.async_handshake(asio::ssl::stream_base::client, use);
    } catch (const boost::system::system_error& e) {
      if (e.code() == beast::error::timeout) throw;
      result.failure = tls_failure(ssl, e.code());
      co_return;
    }

    http::request<http::string_body> req{http::verb::post, url.target, 11};
    const bool default_port = url.port == "443";
    const bool v6 = url.host.find(':') != std::string::npos;
    std::string host_header = v6 ? "[" + url.host + "]" : url.host;
    if (!default_port) host_header += ":" + url.port;
    req.set(http::field::host, host_header);
    req.set(http::field::user_agent, "insgate-dmp-fhir/1.0");
    req.set(http::field::content_type, "application/fhir+json");
    req.set(http::field::accept, "application/fhir+json");
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    step = "send";
    co_await http::async_write(stream, req, use);

    step = "read response";
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    co_await http::async_read(stream, buffer, parser, use);
    result.kind = PostResult::Kind::http;
    result.status = static_cast<int>(parser.get().result_int());

    // Best effort close; the answer is already known.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
    try {
      co_await stream.async_shutdown(use);
    } catch (...) {
    }
  } catch (const boost::system::system_error& e) {
    if (result.kind == PostResult::Kind::http) co_return;
    result.failure = std::string(step) + ": " +
                     (e.code() == beast::error::timeout ? std::string("timed out") : e.code().message());
  } catch (const std::exception& e) {
    if (result.kind == PostResult::Kind::http) co_return;
    result.failure = std::string(step) + ": " + e.what();
  }
}

}  // namespace

PostResult https_post(asio::ssl::context& ctx, const Url& url, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::milliseconds timeout) {
  PostResult result;
  asio::io_context ioc;
  bool done = false;
  asio::co_spawn(ioc, exchange(ctx, url, body, headers, timeout, result),
                 [&](std::exception_ptr) { done = true; });
  // Outer cap (name resolution is not covered by the stream deadline).
  ioc.run_for(timeout + std::chrono::seconds(2));
  if (!done) {
    result.kind = PostResult::Kind::transport;
    result.failure = "timed out";
  }
  return result;
}

}  // namespace insgate::dmp_fhir

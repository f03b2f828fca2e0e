// SPDX-License-Identifier: GPL-3.0-or-later
#include "net/local_http_client.hpp"

#include <sys/socket.h>
#include <sys/time.h>

namespace insgate::net {

LocalHttpClient::LocalHttpClient(std::string socket_path, std::chrono::seconds timeout)
    : path_(std::move(socket_path)), timeout_(timeout), socket_(io_) {}

void LocalHttpClient::connect() {
  boost::system::error_code ec;
  socket_.close(ec);
  socket_ = Local::socket(io_);
  socket_.connect(Local::endpoint(path_), ec);
  if (ec) throw LocalClientError("cannot connect to " + path_ + ": " + ec.message());
  timeval tv{static_cast<time_t>(timeout_.count()), 0};
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  buffer_.clear();
}

LocalReply LocalHttpClient::request(http::verb method, const std::string& target,
                                    const std::string& body,
                                    const std::vector<std::pair<std::string, std::string>>& headers) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, "insgatectl/" INSGATE_VERSION);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(true);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!socket_.is_open()) connect();
    boost::system::error_code ec;
    http::write(socket_, req, ec);
    constexpr std::uint64_t kBodyLimit = 16 * 1024 * 1024;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    // Header first: an announced length over the limit is refused before
    // the body is read (or memory reserved for it).
    // A signal caught while waiting interrupts the receive (SO_RCVTIMEO
    // receives are never restarted, signal(7)): wait again, same parser.
    auto interrupted = [&] {
      if (ec != asio::error::interrupted) return false;
      ec.clear();
      return true;
    };
    if (!ec) do http::read_header(socket_, buffer_, parser, ec); while (interrupted());
    if (!ec && parser.content_length() && *parser.content_length() > kBodyLimit) {
      boost::system::error_code ignored;
      socket_.close(ignored);
      throw LocalClientError("answer from " + path_ + " announces a body over 16 MiB");
    }
    if (!ec) do http::read(socket_, buffer_, parser, ec); while (interrupted());
    if (ec) {
      boost::system::error_code ignored;
      socket_.close(ignored);
      // A kept-alive connection closed by the server: retry once, fresh.
      if (attempt == 0 && (ec == http::error::end_of_stream || ec == asio::error::broken_pipe ||
                           ec == asio::error::connection_reset))
        continue;
      if (ec == asio::error::would_block || ec == asio::error::try_again)
        throw LocalClientError("no answer from " + path_ + " within the timeout");
      throw LocalClientError("exchange with " + path_ + " failed: " + ec.message());
    }
    auto& res = parser.get();
    LocalReply reply;
    reply.status = res.result_int();
    reply.content_type = std::string(res[http::field::content_type]);
    reply.request_id = std::string(res["X-Request-Id"]);
    reply.retry_after = std::string(res[http::field::retry_after]);
    reply.body = std::move(res.body());
    if (!res.keep_alive()) {
      boost::system::error_code ignored;
      socket_.close(ignored);
    }
    return reply;
  }
  throw LocalClientError("exchange with " + path_ + " failed");
}

}  // namespace insgate::net

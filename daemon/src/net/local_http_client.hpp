// insgate — a small blocking HTTP/1.1 client over the local API's Unix
// socket, for insgatectl and the tests. One keep-alive connection per
// object; not thread-safe (one object per thread).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/net.hpp"

namespace insgate::net {

struct LocalReply {
  unsigned status = 0;
  std::string content_type;
  std::string request_id;   ///< X-Request-Id
  std::string retry_after;  ///< Retry-After, "" if absent
  std::string body;
};

/// Connection refused, socket missing, or timeout; what() says which.
class LocalClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LocalHttpClient {
 public:
  /// @param timeout applies to each send and each receive
  explicit LocalHttpClient(std::string socket_path,
                           std::chrono::seconds timeout = std::chrono::seconds(60));

  /// Sends one request (Content-Type application/json when body is not
  /// empty), reconnecting if needed. @throw LocalClientError
  LocalReply request(http::verb method, const std::string& target, const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  void connect();

  std::string path_;
  std::chrono::seconds timeout_;
  asio::io_context io_;
  Local::socket socket_;
  beast::flat_buffer buffer_;
};

}  // namespace insgate::net

// insgate dmp-fhir plugin — one synchronous HTTPS POST with an overall
// deadline (Boost.Beast over Asio SSL, OpenSSL verification of the server
// certificate chain and host name / IP address). Thread-safe: each call has
// its own io_context and stream; the shared ssl::context is only read.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace insgate::dmp_fhir {

/// "https://host[:port][/path]" split; host without brackets for IPv6.
struct Url {
  std::string host;
  std::string port = "443";
  std::string target = "/";
};
/// Parses an https URL; false when it is not one.
bool parse_https_url(const std::string& text, Url& out);

struct PostResult {
  enum class Kind { http, transport } kind = Kind::transport;
  int status = 0;       ///< HTTP status when kind == http
  std::string failure;  ///< transport failure text (no identity data)
};

/// POSTs `body`; never throws (std::bad_alloc aside).
PostResult https_post(boost::asio::ssl::context& ctx, const Url& url, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      std::chrono::milliseconds timeout);

}  // namespace insgate::dmp_fhir

// insgate — Asio/Beast in one place: version check and namespace aliases.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <utility>  // Boost 1.74 asio/awaitable.hpp uses std::exchange without it

#include <boost/version.hpp>
#if BOOST_VERSION < 107400
#error "insgate needs Boost >= 1.74 (Debian 12)"
#endif

#include <string_view>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace insgate {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using Local = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

/// Beast 1.74 uses boost::string_view; the rest of the code std::string_view.
inline std::string_view sv(beast::string_view v) { return {v.data(), v.size()}; }
}  // namespace insgate

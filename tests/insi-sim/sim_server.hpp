// insi-sim — HTTPS server with mutual TLS imitating the INSi transport
// (insi-protocol.md §2.1 POST /lps, HTTP 500 on faults; §2.3 client
// certificate). Boost.Asio/Beast, one io_context thread, C++20 coroutines.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "sim_handler.hpp"

namespace insgate::insi_sim {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;  ///< 0 = ephemeral
  std::string cert_file;    ///< server certificate chain (PEM)
  std::string key_file;     ///< its private key (PEM)
  std::string ca_file;      ///< CAs trusted for client certificates (PEM)
};

class SimServer {
 public:
  /// Binds and listens now. @throw on TLS material or bind errors.
  SimServer(boost::asio::io_context& io, const ServerOptions& options, SimHandler& handler);

  /// The port actually listened on.
  unsigned short port() const;

  /// Starts accepting connections (on the io_context thread).
  void start();

  /// Stops accepting; open connections end with the io_context.
  void stop();

  /// While on, every new TLS handshake is refused at the ClientHello with a
  /// handshake_failure alert (an INSi refusing the TLS session); open
  /// connections are not affected. On the io_context thread.
  void refuse_tls(bool on);

 private:
  boost::asio::io_context& io_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  SimHandler& handler_;
  bool refuse_tls_ = false;  ///< read by the ClientHello callback
};

}  // namespace insgate::insi_sim

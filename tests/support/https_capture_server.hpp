// insgate tests — an HTTPS server on 127.0.0.1 (ephemeral port) that
// records every request and answers a fixed status; one connection at a
// time. Stands for a DMP connector in the plugin and end-to-end tests.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace insgate::testing {

namespace capture_detail {
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;

struct Captured {
  std::string method, target, content_type, idempotency_key, request_id, body;
  bool client_certificate = false;
};

/// HTTPS server answering every request with `status`; one connection at a time.
class TestServer {
 public:
  TestServer(const fs::path& pki, int status, const std::string& cert = "server",
             bool require_client_cert = false)
      : status_(status) {
    ctx_.use_certificate_chain_file((pki / (cert + ".pem")).string());
    ctx_.use_private_key_file((pki / (cert + ".key")).string(), ssl::context::pem);
    if (require_client_cert) {
      ctx_.load_verify_file((pki / "ca.pem").string());
      ctx_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket wake(ioc_);
    wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);  // unblocks accept()
    thread_.join();
  }
  unsigned short port() const { return port_; }
  std::vector<Captured> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int failed_handshakes() const { return failed_handshakes_; }

 private:
  void serve() {
    while (!stop_) {
      tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stop_) continue;
      timeval tv{5, 0};
      setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      beast::ssl_stream<tcp::socket> stream(std::move(socket), ctx_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) {
        ++failed_handshakes_;
        continue;
      }
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(stream, buffer, req, ec);
      if (ec) continue;
      Captured c{std::string(req.method_string()), std::string(req.target()),
                 std::string(req[http::field::content_type]), std::string(req["Idempotency-Key"]),
                 std::string(req["X-Request-Id"]), req.body(),
                 SSL_get0_peer_certificate(stream.native_handle()) != nullptr};
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(c));
      }
      http::response<http::string_body> res{static_cast<http::status>(status_), 11};
      res.set(http::field::content_type, "application/fhir+json");
      // A body echoing identity data: must never reach the error text.
      res.body() = R"({"resourceType":"OperationOutcome","issue":[{"diagnostics":"DE LA FONTAINE 292032A004012"}]})";
      res.prepare_payload();
      http::write(stream, res, ec);
      stream.shutdown(ec);
    }
  }

  int status_;
  asio::io_context ioc_;
  ssl::context ctx_{ssl::context::tls_server};
  tcp::acceptor acceptor_{ioc_};
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_handshakes_{0};
  std::mutex mutex_;
  std::vector<Captured> requests_;
  std::thread thread_;
};

}  // namespace capture_detail

using capture_detail::Captured;
using capture_detail::TestServer;

}  // namespace insgate::testing

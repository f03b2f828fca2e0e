// insgate — HTTPS transport to INSi: Asio + OpenSSL, mutual TLS, keep-alive.
//
// Source rule: insi-protocol.md §2.1 (POST, SOAP 1.2 content type, HTTP 500
// for faults) and §2.3 (mutual TLS, host-name verification). This layer knows
// HTTP, not SOAP: it returns the status and body, or a transport error.
// [io-thread] All members run on the io_context that owns the client.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::insi {

/// A complete HTTP response from INSi (any status).
struct HttpReply {
  unsigned status = 0;
  std::string body;
  /// Served from a recorded answer file (insi.rejeu): no message left the
  /// daemon, so it is not an INSi call.
  bool replayed = false;
};

/// The call did not get a complete HTTP response.
struct TransportError {
  /// protocol: INSi answered, but not with a usable HTTP answer (too
  /// large, endless 1xx): reported as unreadable, never retried.
  /// saturated: a local resource ran out before anything left the daemon
  /// (EMFILE, ENFILE, ENOMEM, ENOBUFS while resolving, opening a socket or
  /// connecting; or the pool's waiting queue is full): never INSi's fault,
  /// never retried, never fed to the circuit breaker (issue 19).
  enum class Kind { connect, tls, io, timeout, protocol, saturated };
  /// Where the exchange stopped. connect: name resolution or TCP; tls: the
  /// TLS handshake, or a TLS alert from the server before any answer on a
  /// new connection (TLS 1.3 refuses a client certificate only after the
  /// client's side of the handshake); send: the SOAP message was not
  /// written completely. Up to there no message reached INSi: not a call.
  /// receive: the message was written completely to an established TLS
  /// connection and its answer was lost, truncated, late or unusable: an
  /// INSi call. queued: the call waited for a connection of the pool
  /// (insi.connexions_max reached) until its deadline: not a call.
  enum class Stage { connect, tls, send, receive, queued };
  Kind kind;
  std::string message;  ///< technical, no identity data
  Stage stage = Stage::receive;
  /// A kept-alive connection that INSi (or a proxy) closed or reset as the
  /// message went out, before any byte of an answer: the message is taken
  /// as never received. The fault policy sends it again once, with a new
  /// MessageID, without counting a call or a failure. (A reset after a
  /// complete message on a reused connection cannot be told apart from INSi
  /// dropping a message it received; it is taken as a recycled connection.)
  bool stale_connection = false;

  /// Whether the message reached INSi (stage receive) and so is an INSi
  /// call, unless it is a stale connection's message.
  bool message_sent() const { return stage == Stage::receive && !stale_connection; }
};

using PostResult = std::variant<HttpReply, TransportError>;

/// What the INSi operations need from a transport; the simulator-free unit
/// tests provide their own.
class InsiTransport {
 public:
  virtual ~InsiTransport() = default;
  /// POSTs one SOAP 1.2 envelope. Completes by `deadline` at the latest
  /// (then with Kind::timeout); the connection is then closed, not reused.
  virtual asio::awaitable<PostResult> post(std::string soap_action, std::string body,
                                           Clock::time_point deadline) = 0;
};

/// What the pool of one InsiClient holds now (issue 19).
struct PoolCounts {
  std::size_t open = 0;     ///< connections open or being opened (in use + idle)
  std::size_t idle = 0;     ///< kept alive, waiting for a call
  std::size_t waiting = 0;  ///< calls queued for a connection
};

/// Notified of every completed TLS handshake towards INSi (for
/// insgate_insi_tls_handshakes_total); `resumed`: a TLS session resumed.
using HandshakeHook = std::function<void(bool resumed)>;

/// The real transport: a bounded pool of TLS connections to one INSi
/// endpoint with one client certificate (one per structure, issue 19).
///
/// At most `max_open` connections are open at once (insi.connexions_max).
/// A call takes an idle connection, or opens one below the bound, or waits
/// in a FIFO queue until a connection is handed back or closed; a wait
/// that reaches the call's deadline ends with Kind::timeout, Stage::queued
/// (no message sent). At most max_waiting() calls wait (8 x max_open, at
/// least 64); beyond, Kind::saturated at once. Idle connections are kept (up to the
/// bound) until close_idle_older_than(): a steady load of N callers keeps
/// N connections.
///
/// A connection goes back to the pool only after a complete 200/500 answer
/// with keep-alive and nothing unread behind it; one with unread data when
/// taken from the pool is discarded (never a shifted answer). A reused
/// connection that turns out closed by the server is replaced by a fresh one
/// once (the idle pool is then flushed). Interim 1xx answers are skipped.
/// A compressed answer (Content-Encoding other than identity) is refused as
/// a protocol error: insgate never asks for compression (issue 22).
///
/// TLS session resumption: the session of the last new connection that got
/// an answer (TLS 1.3 tickets arrive after the handshake, with the first
/// answer) is offered on the next new connection; the server resumes it or
/// makes a full handshake (HandshakeHook says which). A server that fails
/// the handshake when offered a session is never offered one again, and the
/// full handshake is made at once within the same call. Sessions are kept
/// per client, so per structure's certificate: a session of structure A is
/// never offered with B's certificate.
class InsiClient : public InsiTransport {
 public:
  static constexpr std::size_t kDefaultMaxOpen = 32;
  /// Waiting calls allowed per allowed connection.
  static constexpr std::size_t kWaitingPerConnection = 8;
  /// Waiting calls allowed whatever the bound (a small pool still absorbs
  /// a burst of a few dozen callers).
  static constexpr std::size_t kMinWaiting = 64;
  static constexpr std::size_t kMaxResponseBytes = 1024 * 1024;
  /// Most bytes buffered while reading an answer beyond what the parser
  /// took (header, one chunk-size line, the trailer section).
  static constexpr std::size_t kMaxBufferedBytes = 64 * 1024;

  InsiClient(asio::any_io_executor ex, std::shared_ptr<ssl::context> tls,
             config::Endpoint endpoint, std::chrono::milliseconds connect_timeout,
             std::size_t max_open = kDefaultMaxOpen, HandshakeHook on_handshake = {});
  ~InsiClient() override;
  InsiClient(const InsiClient&) = delete;
  InsiClient& operator=(const InsiClient&) = delete;

  asio::awaitable<PostResult> post(std::string soap_action, std::string body,
                                   Clock::time_point deadline) override;

  /// Closes idle connections (on shutdown).
  void close_idle();
  /// Closes the connections idle for `idle_for` or longer (a quiet
  /// structure keeps no socket open); returns how many were closed.
  std::size_t close_idle_older_than(Clock::duration idle_for);
  /// Idle connections kept now.
  std::size_t idle_count() const { return idle_.size(); }
  PoolCounts counts() const { return {open_, idle_.size(), waiting_.size()}; }
  std::size_t max_open() const { return max_open_; }
  std::size_t max_waiting() const { return max_waiting_; }

 private:
  using Stream = ssl::stream<beast::tcp_stream>;
  using StreamPtr = std::unique_ptr<Stream>;
  struct Waiter;
  /// A place in the pool: a connection to use, or (null stream) the right
  /// to open one, already counted in open_.
  struct Lease {
    StreamPtr stream;
  };

  asio::awaitable<std::variant<Lease, TransportError>> acquire(Clock::time_point deadline);
  /// Gives back the place of a call: the connection when `reusable`, else
  /// closed; the next waiting call gets it.
  void release(StreamPtr stream, bool reusable);
  /// A new connection; on a handshake failure while a session was
  /// offered, stops offering sessions and tries once more in full.
  asio::awaitable<std::variant<StreamPtr, TransportError>> connect(Clock::time_point deadline);
  asio::awaitable<std::variant<StreamPtr, TransportError>> open_stream(Clock::time_point deadline,
                                                                       bool offer_session);
  /// Keeps a copy of `stream`'s session for the next new connection.
  void remember_session(Stream& stream);
  asio::awaitable<PostResult> exchange(Stream& stream, const http::request<http::string_body>& req,
                                       Clock::time_point deadline, bool reused, bool& reusable,
                                       bool& answered);
  StreamPtr take_idle();
  static void close_stream(Stream& stream);

  asio::any_io_executor ex_;
  std::shared_ptr<ssl::context> tls_;
  config::Endpoint endpoint_;
  std::chrono::milliseconds connect_timeout_;
  std::size_t max_open_;
  std::size_t max_waiting_;
  HandshakeHook on_handshake_;
  struct Idle {
    StreamPtr stream;
    Clock::time_point since;  ///< when it went back to the pool
  };
  std::vector<Idle> idle_;  ///< most recently used last
  std::size_t open_ = 0;    ///< see PoolCounts::open
  std::deque<Waiter*> waiting_;  ///< FIFO; each lives in its waiting call's frame
  struct SessionFree {
    void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
  };
  std::unique_ptr<SSL_SESSION, SessionFree> session_;  ///< offered for resumption
  bool resumption_refused_ = false;  ///< the server failed a resumed handshake
};

}  // namespace insgate::insi

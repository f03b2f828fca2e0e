// insgate — the open connections of the local API, over all its listeners
// (Unix socket, optional TCP), and what the graceful stop does with them.
//
// Source rule: local-api.md (Transport); README "SIGTERM/SIGINT": at stop,
// idle connections are closed, busy ones finish their request, and those
// still waiting at the end of the drain are answered 503 `arret_en_cours`
// (never a bare close). api.connexions_max is counted here, per listener:
// callers on the network (TCP, TLS handshakes included) cannot take the
// local socket's slots.
// [io-thread] Every member runs on the one io_context thread.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <utility>

#include "api/http_exchange.hpp"

namespace insgate::api {

/// One open connection, whatever its stream (see http_session.hpp).
class Connection {
 public:
  virtual ~Connection() = default;
  /// Closes the transport; a pending read or write completes with an error.
  virtual void close() = 0;
  /// Writes `res` synchronously (the io loop is about to stop), bounded by
  /// the transport's own timeouts.
  virtual void write_now(const Response& res) = 0;
};

/// Which listener a connection came through; each has its own
/// api.connexions_max slots.
enum class Listener { unix_socket, tcp };

class SessionRegistry {
 public:
  explicit SessionRegistry(std::size_t max_connections) : max_(max_connections) {}

  void add(Connection* c, Listener l) {
    State st;
    st.listener = l;
    open_.emplace(c, std::move(st));
    ++count_[index(l)];
  }
  void remove(Connection* c) {
    auto it = open_.find(c);
    if (it == open_.end()) return;
    --count_[index(it->second.listener)];
    open_.erase(it);
  }
  /// `c` starts handling request `requete_id` (HTTP `version`).
  void begin_request(Connection* c, const std::string& requete_id, unsigned version);
  void end_request(Connection* c);

  std::size_t size() const { return open_.size(); }
  /// A TLS handshake holds a TCP slot until it ends (then its session, if
  /// any, holds one through add()).
  void handshake_started() { ++handshakes_; }
  void handshake_ended() { --handshakes_; }

  /// No room for another connection on listener `l` (api.connexions_max;
  /// for TCP, TLS handshakes in progress included).
  bool full(Listener l) const {
    return count_[index(l)] + (l == Listener::tcp ? handshakes_ : 0) >= max_;
  }
  /// Requests being handled (waiting on INSi, typically) right now.
  std::size_t busy() const { return in_flight_; }

  /// Refused connections being answered (403/503, at most a second each).
  /// Beyond kMaxRefusals at once, begin_refusal() is false and the listener
  /// closes the connection without an answer: a flood then costs a
  /// descriptor for an instant, not a coroutine and a buffer each.
  static constexpr std::size_t kMaxRefusals = 64;
  bool begin_refusal() {
    if (refusals_ >= kMaxRefusals) return false;
    ++refusals_;
    return true;
  }
  void end_refusal() { --refusals_; }

  /// Stop: no further request on any connection; idle ones are closed now,
  /// busy ones after their answer (Connection: close).
  void stop();
  bool stopping() const { return stopping_; }
  /// At the end of the stop drain: answers every request still in progress
  /// 503 `arret_en_cours` (Connection: close) and logs it first.
  void abort_busy();

 private:
  static std::size_t index(Listener l) { return l == Listener::tcp ? 1 : 0; }
  struct State {
    Listener listener = Listener::unix_socket;
    bool busy = false;       ///< handling a request
    std::string requete_id;  ///< of that request
    unsigned version = 11;   ///< its HTTP version
  };
  std::map<Connection*, State> open_;
  std::size_t max_;
  std::size_t in_flight_ = 0;
  std::size_t handshakes_ = 0;
  std::size_t refusals_ = 0;
  std::size_t count_[2] = {0, 0};  ///< open connections per listener
  bool stopping_ = false;
};

}  // namespace insgate::api

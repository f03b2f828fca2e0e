// insgate — a bounded pool of PostgreSQL connections (libpqxx), for the
// PostgreSQL state store (issue 15).
//
// At most `size` connections, opened on demand; acquire() waits up to
// `wait` for a free one. Each new connection gets the store's prepared
// statements registered once (libpqxx prepares a statement on the server
// the first time it runs on that connection, then reuses it). A connection
// whose lease reports it broken is closed and replaced by the next
// acquire(): the store reconnects by itself after a server restart.
// The connection string is secret (it may hold a password): it is never
// put in a message or a log line.
// Thread safety: [any-thread]; one Lease is used by one thread at a time.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pqxx {
class connection_base;
}

namespace insgate::state::detail {

class PgPool {
 public:
  using Prepare = std::function<void(pqxx::connection_base&)>;
  /// Opens nothing yet. @param prepare called once on each new connection.
  PgPool(std::string conninfo, std::size_t size, std::chrono::milliseconds wait, Prepare prepare);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  /// One connection, given back to the pool when destroyed.
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<pqxx::connection_base> c);
    ~Lease();
    Lease(Lease&&) = delete;
    pqxx::connection_base& conn() { return *conn_; }
    /// The connection failed: close it instead of giving it back.
    void discard() { broken_ = true; }

   private:
    PgPool& pool_;
    std::unique_ptr<pqxx::connection_base> conn_;
    bool broken_ = false;
  };

  /// @throw StateError: every connection busy for `wait`, or cannot connect
  /// (the server's reason, never the connection string).
  std::unique_ptr<Lease> acquire();
  std::size_t size() const { return size_; }

 private:
  void give_back(std::unique_ptr<pqxx::connection_base> c, bool broken);
  std::string conninfo_;
  std::size_t size_;
  std::chrono::milliseconds wait_;
  Prepare prepare_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection_base>> idle_;
  std::size_t open_ = 0;  // idle + leased
};

}  // namespace insgate::state::detail

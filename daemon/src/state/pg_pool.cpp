// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/pg_pool.hpp"

#include <pqxx/connection>
#include <pqxx/except>

#include "state/state_error.hpp"

namespace insgate::state::detail {

PgPool::PgPool(std::string conninfo, std::size_t size, std::chrono::milliseconds wait,
               Prepare prepare)
    : conninfo_(std::move(conninfo)), size_(size == 0 ? 1 : size), wait_(wait),
      prepare_(std::move(prepare)) {}

PgPool::~PgPool() = default;

PgPool::Lease::Lease(PgPool& pool, std::unique_ptr<pqxx::connection_base> c)
    : pool_(pool), conn_(std::move(c)) {}

PgPool::Lease::~Lease() { pool_.give_back(std::move(conn_), broken_); }

std::unique_ptr<PgPool::Lease> PgPool::acquire() {
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, wait_, [this] { return !idle_.empty() || open_ < size_; }))
    throw StateError("state (PostgreSQL): all " + std::to_string(size_) +
                     " connections busy for " + std::to_string(wait_.count()) + " ms");
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return std::make_unique<Lease>(*this, std::move(c));
  }
  ++open_;  // reserved while connecting, outside the lock
  lock.unlock();
  try {
    auto c = std::make_unique<pqxx::connection>(conninfo_);
    prepare_(*c);
    return std::make_unique<Lease>(*this, std::move(c));
  } catch (const std::exception& e) {
    {
      std::lock_guard relock(mutex_);
      --open_;
    }
    cv_.notify_one();
    // libpq's reason names the server and role, never the password.
    throw StateError(std::string("state (PostgreSQL): cannot connect (") + e.what() + ")");
  }
}

void PgPool::give_back(std::unique_ptr<pqxx::connection_base> c, bool broken) {
  {
    std::lock_guard lock(mutex_);
    if (broken || !c || !c->is_open()) {
      --open_;
      c.reset();
    } else {
      idle_.push_back(std::move(c));
    }
  }
  cv_.notify_one();
}

}  // namespace insgate::state::detail

// insgate — running one PostgreSQL transaction of the state store and
// turning libpqxx failures into StateError (internal).
// A server message's first line only: its DETAIL may quote row values
// (a duplicate key's INS), which never go into a message or a log.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <exception>
#include <string>

#include <pqxx/except>
#include <pqxx/transaction>

#include "state/pg_pool.hpp"
#include "state/state_error.hpp"

namespace insgate::state::detail {

/// The first line of `e.what()`, without the trailing newline.
inline std::string pg_reason(const std::exception& e) {
  std::string s = e.what();
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

/// Runs `f(work)` on a pooled connection in one READ COMMITTED transaction
/// (`f` commits; not committed = rolled back). A connection found broken
/// when the transaction begins is replaced (server restarted since it was
/// last used): every idle connection of the pool may be, so up to size() + 1
/// tries. libpqxx failures become StateError naming `what`;
/// any other exception from `f` propagates unchanged.
template <class F>
auto pg_run(PgPool& pool, const char* what, F&& f) {
  for (int attempt = 0;; ++attempt) {
    auto lease = pool.acquire();
    std::unique_ptr<pqxx::work> w;
    try {
      w = std::make_unique<pqxx::work>(lease->conn());
    } catch (const pqxx::broken_connection& e) {
      lease->discard();
      if (static_cast<std::size_t>(attempt) < pool.size()) continue;
      throw StateError(std::string("state (PostgreSQL): ") + what + ": server unreachable (" +
                       pg_reason(e) + ")");
    } catch (const pqxx::failure& e) {
      throw StateError(std::string("state (PostgreSQL): ") + what + ": cannot begin (" +
                       pg_reason(e) + ")");
    }
    try {
      return f(*w);
    } catch (const pqxx::broken_connection& e) {
      lease->discard();
      throw StateError(std::string("state (PostgreSQL): ") + what +
                       ": connection lost, rolled back (" + pg_reason(e) + ")");
    } catch (const pqxx::in_doubt_error& e) {
      lease->discard();
      throw StateError(std::string("state (PostgreSQL): ") + what +
                       ": connection lost during commit, outcome unknown (" + pg_reason(e) + ")");
    } catch (const pqxx::failure& e) {
      throw StateError(std::string("state (PostgreSQL): ") + what + " failed, rolled back (" +
                       pg_reason(e) + ")");
    }
  }
}

}  // namespace insgate::state::detail

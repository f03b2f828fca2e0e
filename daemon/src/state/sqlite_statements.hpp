// insgate — prepared SQLite statements kept for the life of the connection.
//
// Preparing (parsing) a statement costs more than running it for the small
// statements of the state store; each SQL text is prepared once and reused.
// get() hands out a statement reset, bindings cleared; release() resets
// every statement handed out since the last release() (a half-stepped
// SELECT would otherwise keep a read transaction open) and is called at
// the end of each transaction, committed or not.
// Source rule: issue 7 (state writes off the request path's critical cost).
// Thread safety: [any-thread] none of its own; the store's mutex serialises it.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace insgate::state::detail {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db) : db_(db) {}

  /// @throw SQLite::Exception if `sql` does not prepare.
  SQLite::Statement& get(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end())
      it = cache_.emplace(sql, std::make_unique<SQLite::Statement>(db_, sql)).first;
    SQLite::Statement& q = *it->second;
    q.reset();
    q.clearBindings();
    used_.push_back(&q);
    return q;
  }

  /// Resets what get() handed out; never throws.
  void release() noexcept {
    for (auto* q : used_) {
      try {
        q->reset();
      } catch (...) {  // reset reports the last step's error again: already handled
      }
    }
    used_.clear();
  }

 private:
  SQLite::Database& db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;
  std::vector<SQLite::Statement*> used_;
};

}  // namespace insgate::state::detail

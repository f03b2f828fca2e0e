// insgate — the in-memory tier of the result cache: the most recently used
// entries, so a cache hit is answered without leaving the event loop.
//
// It mirrors the SQLite cache table, never replaces it: ResultCache writes
// through it (store) and fills it on reads (lookup). Least recently used
// entries are evicted beyond `capacity`; 0 turns the tier off.
// Written by hand (a list + a hash map): no Debian-packaged LRU container.
// Thread safety: [any-thread] one mutex.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "insi/insi_messages.hpp"
#include "state/records.hpp"

namespace insgate::state {

/// One cached answer, as stored: the parsed RESULTAT and its validity.
struct MemoryEntry {
  insi::Resultat resultat;
  TimePoint stored_at;
  TimePoint expires_at;
};

class CacheMemory {
 public:
  explicit CacheMemory(std::size_t capacity) : capacity_(capacity) {}

  /// The entry of `key` (expired or not), marked most recently used.
  std::optional<MemoryEntry> get(const std::string& key);
  /// Inserts or replaces; evicts the least recently used beyond capacity.
  void put(const std::string& key, MemoryEntry e);
  /// Drops entries whose expires_at is before `t`. @return how many.
  std::size_t purge(TimePoint t);
  void erase(const std::string& key);
  /// Drops every entry whose answer's INSACTIF is `matricule` + `oid`.
  /// @return how many.
  std::size_t drop_ins(const std::string& matricule, const std::string& oid);
  std::size_t size() const;

 private:
  using Lru = std::list<std::string>;  // front = most recent
  struct Slot {
    MemoryEntry entry;
    Lru::iterator pos;
  };
  /// Drops the entries `drop` selects. @return how many.
  template <typename Pred>
  std::size_t erase_if(Pred drop);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  Lru lru_;
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace insgate::state

// insgate — the in-memory tier of the result cache: the most recently used
// entries, so a cache hit is answered without leaving the event loop.
//
// It mirrors the SQLite cache table, never replaces it: ResultCache writes
// through it (store) and fills it on reads (lookup). Least recently used
// entries are evicted beyond `capacity`; 0 turns the tier off.
// Entries are also indexed by their INSACTIF, so a superseded INS is
// dropped without a scan (on the event loop, see ResultCache).
// Written by hand (a list + hash maps): no Debian-packaged LRU container.
// Source rule: issue 7 (cache hits answered without the disk); what is
// cached is ResultCache's policy (cache.hpp, issue 5).
// Thread safety: [any-thread] one mutex.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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
  /// INSACTIF (matricule, OID) of the entry of `key`, without copying it or
  /// touching its recency; nullopt when absent or without individu.
  std::optional<std::pair<std::string, std::string>> active_ins(const std::string& key) const;
  /// Inserts or replaces; evicts the least recently used beyond capacity.
  void put(const std::string& key, MemoryEntry e);
  /// Drops entries whose expires_at is before `t`. @return how many.
  std::size_t purge(TimePoint t);
  void erase(const std::string& key);
  /// Drops every entry whose answer's INSACTIF is `matricule` + `oid`
  /// (through an index: no scan). @return how many.
  std::size_t drop_ins(const std::string& matricule, const std::string& oid);
  std::size_t size() const;

 private:
  using Lru = std::list<std::string>;  // front = most recent
  struct Slot {
    MemoryEntry entry;
    Lru::iterator pos;
  };
  using Slots = std::unordered_map<std::string, Slot>;
  /// Removes an entry from the LRU list, the INS index and the slots.
  void unlink(Slots::iterator it);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  Lru lru_;
  Slots slots_;
  std::unordered_multimap<std::string, std::string> by_ins_;  ///< INSACTIF → keys
};

}  // namespace insgate::state

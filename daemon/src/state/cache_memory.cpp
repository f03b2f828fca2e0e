// insgate — in-memory tier of the result cache.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/cache_memory.hpp"

namespace insgate::state {
namespace {

/// Index key of an entry's INSACTIF ("" when the answer has no individu).
std::string ins_id(const std::string& matricule, const std::string& oid) {
  return matricule + '\x1f' + oid;
}
std::string ins_id_of(const MemoryEntry& e) {
  const auto& ind = e.resultat.individu;
  return ind ? ins_id(ind->ins_actif.matricule, ind->ins_actif.oid) : std::string();
}

}  // namespace

void CacheMemory::unlink(Slots::iterator it) {
  auto [first, last] = by_ins_.equal_range(ins_id_of(it->second.entry));
  for (auto i = first; i != last; ++i)
    if (i->second == it->first) {
      by_ins_.erase(i);
      break;
    }
  lru_.erase(it->second.pos);
  slots_.erase(it);
}

std::optional<MemoryEntry> CacheMemory::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second.pos);
  return it->second.entry;
}

std::optional<std::pair<std::string, std::string>> CacheMemory::active_ins(
    const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  if (it == slots_.end() || !it->second.entry.resultat.individu) return std::nullopt;
  const auto& a = it->second.entry.resultat.individu->ins_actif;
  return std::pair{a.matricule, a.oid};
}

void CacheMemory::put(const std::string& key, MemoryEntry e) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(key); it != slots_.end()) unlink(it);
  lru_.push_front(key);
  by_ins_.emplace(ins_id_of(e), key);
  slots_.emplace(key, Slot{std::move(e), lru_.begin()});
  while (slots_.size() > capacity_) unlink(slots_.find(lru_.back()));
}

std::size_t CacheMemory::purge(TimePoint t) {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto it = slots_.begin(); it != slots_.end();) {
    auto next = std::next(it);
    if (it->second.entry.expires_at < t) {
      unlink(it);
      ++n;
    }
    it = next;
  }
  return n;
}

void CacheMemory::erase(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(key); it != slots_.end()) unlink(it);
}

std::size_t CacheMemory::drop_ins(const std::string& matricule, const std::string& oid) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> keys;
  auto [first, last] = by_ins_.equal_range(ins_id(matricule, oid));
  for (auto i = first; i != last; ++i) keys.push_back(i->second);
  for (const auto& k : keys) unlink(slots_.find(k));
  return keys.size();
}

std::size_t CacheMemory::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace insgate::state

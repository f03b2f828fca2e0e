// insgate — in-memory tier of the result cache.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/cache_memory.hpp"

namespace insgate::state {

std::optional<MemoryEntry> CacheMemory::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(key);
  if (it == slots_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second.pos);
  return it->second.entry;
}

void CacheMemory::put(const std::string& key, MemoryEntry e) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(key); it != slots_.end()) {
    it->second.entry = std::move(e);
    lru_.splice(lru_.begin(), lru_, it->second.pos);
    return;
  }
  lru_.push_front(key);
  slots_.emplace(key, Slot{std::move(e), lru_.begin()});
  while (slots_.size() > capacity_) {
    slots_.erase(lru_.back());
    lru_.pop_back();
  }
}

template <typename Pred>
std::size_t CacheMemory::erase_if(Pred drop) {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (auto it = slots_.begin(); it != slots_.end();) {
    if (drop(it->second.entry)) {
      lru_.erase(it->second.pos);
      it = slots_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::size_t CacheMemory::purge(TimePoint t) {
  return erase_if([t](const MemoryEntry& e) { return e.expires_at < t; });
}

void CacheMemory::erase(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(key); it != slots_.end()) {
    lru_.erase(it->second.pos);
    slots_.erase(it);
  }
}

std::size_t CacheMemory::drop_ins(const std::string& matricule, const std::string& oid) {
  return erase_if([&](const MemoryEntry& e) {
    const auto& ind = e.resultat.individu;
    return ind && ind->ins_actif.matricule == matricule && ind->ins_actif.oid == oid;
  });
}

std::size_t CacheMemory::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace insgate::state

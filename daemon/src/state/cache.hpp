// insgate — cache of INSi answers (récupération by traits or by carte Vitale).
//
// Policy: only CR 00 answers with one INDIVIDU whose INSACTIF has a key and
// that the caller found free of anomalies are stored; CR 01/02, faults and
// answers with anomalies never are. Key: hex SHA-256 of the normalised traits
// or of the card data — raw traits are never a key. Entries live `ttl`
// seconds; a lookup after that is a miss (the row stays until purge, so a
// later answer with another INS is still recognised as a replacement). A
// "bypass" request (`"cache": "bypass"`) skips lookup() and calls INSi; its
// answer is stored again with store(), note_bypass() counts it.
// Source rule: issue 5 "Cache of INSi answers"; ins-identity-rules.md §0
// rule 6 (INSi authoritative), §1.5 (answers with anomalies not cached).
// Thread safety: [any-thread] (store serialises; the bypass counter is atomic).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "insi/insi_messages.hpp"
#include "state/cache_memory.hpp"
#include "state/identities.hpp"
#include "state/state_store.hpp"

namespace insgate::insi {
struct TraitsRecherche;  // insi/recherche.hpp
}

namespace insgate::state {

struct CachePolicy {
  std::chrono::seconds ttl{std::chrono::hours{24}};  ///< 0 disables storing
  /// Entries also kept in memory (cache_memory.hpp); 0: SQLite only.
  std::size_t memory_entries = 10000;
};

struct CacheLookup {
  bool hit = false;
  std::optional<insi::Resultat> resultat;  ///< set on a hit
  TimePoint stored_at;                     ///< hit only: when INSi answered
};

/// Why store() did not store.
enum class NotCached { none, cr_not_00, no_individu, anomalies, missing_key, ttl_zero };

struct StoreOutcome {
  bool stored = false;
  NotCached reason = NotCached::none;
  bool ins_replaced = false;  ///< the key's previous answer had another INS
};

class ResultCache {
 public:
  using Now = std::function<TimePoint()>;

  /// @param identities receives INS replacements detected on a key.
  /// @param now clock (tests inject one).
  ResultCache(StateStore& store, Identities& identities, CachePolicy policy,
              Now now = [] { return Clock::now(); });

  /// Key of a récupération by traits, given already normalised
  /// (identity/normalise.hpp): nom, prénoms joined by one space, sexe,
  /// date, lieu (empty when absent), unit-separated.
  static std::string key_for(const insi::TraitsRecherche& t);
  /// Key of a récupération by carte Vitale: beneficiary NIR (+ key), opening
  /// right NIR (+ key), birth name, birth date, birth rank. Couverture is left out.
  static std::string key_for(const insi::RechercheVitale& v);
  /// The key of `key` in the structure `finess` ("FINESS:key"): A's answer
  /// is never found under B's key (issue 12).
  static std::string key_in(const std::string& finess, const std::string& key) {
    return finess + ":" + key;
  }

  /// Hit when an entry exists and now < expires_at. Asks the memory tier
  /// first, then SQLite (and keeps what it read in memory). @throw StateError.
  CacheLookup lookup(const std::string& key);
  /// The memory tier's answer only, never touching the disk: a hit, a known
  /// expired entry (hit = false), or nullopt when memory does not know the
  /// key and lookup() must ask SQLite. Cheap enough for the event loop.
  std::optional<CacheLookup> lookup_in_memory(const std::string& key);

  /// @brief Stores `r` under `key` if the policy allows (see file comment).
  /// In the same transaction: when the key's previous entry (even expired)
  /// had another INS, Identities::replace_ins_in moves the identity to the
  /// new INS, keeps the old one as history and queues `ins_remplacee`.
  /// @param anomalies true when the caller's checks (matricule, OID, traits)
  /// flagged anything. Entries of other keys that still point at a
  /// superseded INS (the key's previous INS, or one listed in INSHISTO) are
  /// deleted in the same transaction, from SQLite and from memory: a
  /// replaced INS is never served from the cache again.
  /// Committed with Durability::relaxed (the answer can be
  /// asked of INSi again; a queued replacement event is synced), then kept
  /// in memory. @throw StateError.
  /// `finess`: the structure the answer was asked for (the entry records it,
  /// and an INS replacement applies to that structure's identity).
  StoreOutcome store(const std::string& key, const insi::Resultat& r, bool anomalies,
                     const std::string& finess = {});

  /// @brief Called with a fresh INSi answer for `key` before it is stored
  /// (on the event loop, while store() runs later on the state thread):
  /// forgets, in memory only, the entry of `key` and every entry whose INS
  /// the fresh answer supersedes (the key's previous INS when it differs, the
  /// INS listed in INSHISTO). Until store() commits, lookups of those keys go
  /// to the state thread, which runs them after the store: never a stale INS.
  void forget_superseded(const std::string& key, const insi::Resultat& fresh);

  /// Deletes entries expired for more than `grace`. @return how many.
  std::size_t purge_expired(std::chrono::seconds grace);

  void note_bypass() { bypasses_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t bypasses() const { return bypasses_.load(std::memory_order_relaxed); }

 private:
  StateStore& store_;
  Identities& identities_;
  CachePolicy policy_;
  Now now_;
  CacheMemory memory_;
  std::atomic<std::uint64_t> bypasses_{0};
};

}  // namespace insgate::state

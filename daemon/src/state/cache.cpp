// insgate — cache of INSi answers: keys, policy, replacement detection.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/cache.hpp"

#include "insi/recherche.hpp"
#include "state/hashing.hpp"
#include "state/resultat_json.hpp"

namespace insgate::state {
namespace {

constexpr char kSep = '\x1f';  // unit separator: cannot occur in normalised traits

std::string nir(const std::optional<insi::NirCarte>& n) {
  return n ? n->matricule + n->cle.value_or("") : std::string();
}

}  // namespace

namespace {

/// The INS a fresh answer `r` supersedes: `previous` (the key's former
/// INS) when it differs from r's INSACTIF, and r's INSHISTO entries.
std::vector<identity::Ins> superseded(const identity::Ins* previous, const insi::Resultat& r) {
  std::vector<identity::Ins> out;
  const auto& a = r.individu->ins_actif;
  auto is_current = [&](const identity::Ins& i) {
    return i.matricule == a.matricule && i.oid == a.oid;
  };
  if (previous && !is_current(*previous)) out.push_back(*previous);
  for (const auto& h : r.individu->ins_histo)
    if (h.cle && !is_current({h.matricule, *h.cle, h.oid}))
      out.push_back({h.matricule, *h.cle, h.oid});
  return out;
}

}  // namespace

ResultCache::ResultCache(StateStore& store, Identities& identities, CachePolicy policy, Now now)
    : store_(store),
      identities_(identities),
      policy_(policy),
      now_(std::move(now)),
      memory_(policy.memory_entries) {}

std::string ResultCache::key_for(const insi::TraitsRecherche& t) {
  std::string joined;
  for (const auto& p : t.prenoms) joined += (joined.empty() ? "" : " ") + p;
  const std::string& prenoms = joined;
  std::string k = "traits";
  for (const std::string* f : {&t.nom_naissance, &prenoms, &t.sexe, &t.date_naissance})
    k += kSep + *f;
  k += kSep + t.lieu_naissance.value_or("");
  return sha256_hex(k);
}

std::string ResultCache::key_for(const insi::RechercheVitale& v) {
  std::string k = "vitale";
  k += kSep + nir(v.nir_individu);
  k += kSep + nir(v.nir_ouvrant_droit);
  k += kSep + v.nom_naissance.value_or("");
  k += kSep + v.date_naissance;
  k += kSep + v.rang_naissance;
  return sha256_hex(k);
}

std::optional<CacheLookup> ResultCache::lookup_in_memory(const std::string& key) {
  auto m = memory_.get(key);
  if (!m) return std::nullopt;
  CacheLookup out;
  if (now_() >= m->expires_at) return out;
  out.hit = true;
  out.resultat = std::move(m->resultat);
  out.stored_at = m->stored_at;
  return out;
}

CacheLookup ResultCache::lookup(const std::string& key) {
  if (auto known = lookup_in_memory(key)) return *known;
  std::optional<CacheEntry> e;
  store_.transact([&](StateTx& tx) { e = tx.cache_get(key); });
  CacheLookup out;
  if (!e) return out;
  auto r = resultat_from_json(e->resultat_json);
  memory_.put(key, {r, e->stored_at, e->expires_at});
  if (now_() >= e->expires_at) return out;
  out.hit = true;
  out.resultat = std::move(r);
  out.stored_at = e->stored_at;
  return out;
}

StoreOutcome ResultCache::store(const std::string& key, const insi::Resultat& r,
                                bool anomalies, const std::string& finess) {
  StoreOutcome out;
  if (r.code_cr != "00") out.reason = NotCached::cr_not_00;
  else if (!r.individu) out.reason = NotCached::no_individu;
  else if (anomalies) out.reason = NotCached::anomalies;
  else if (!r.individu->ins_actif.cle) out.reason = NotCached::missing_key;
  else if (policy_.ttl.count() <= 0) out.reason = NotCached::ttl_zero;
  if (out.reason != NotCached::none) return out;

  const auto& a = r.individu->ins_actif;
  const identity::Ins ins{a.matricule, *a.cle, a.oid};
  const TimePoint now = now_();
  std::vector<std::string> dropped;
  store_.transact_for(finess, [&](StateTx& tx) {
    dropped.clear();
    auto previous = tx.cache_get(key);
    tx.cache_put({key, to_json(r), ins, now, now + policy_.ttl});
    if (previous) out.ins_replaced = identities_.replace_ins_in(tx, previous->ins, ins, now);
    for (const auto& old : superseded(previous ? &previous->ins : nullptr, r)) {
      auto keys = tx.cache_drop_ins(old);
      dropped.insert(dropped.end(), keys.begin(), keys.end());
    }
  }, Durability::relaxed);
  for (const auto& k : dropped) memory_.erase(k);  // after the commit only
  memory_.put(key, {r, now, now + policy_.ttl});
  out.stored = true;
  return out;
}

void ResultCache::forget_superseded(const std::string& key, const insi::Resultat& fresh) {
  if (auto previous = memory_.active_ins(key)) {
    const auto& [matricule, oid] = *previous;
    if (!fresh.individu || fresh.individu->ins_actif.matricule != matricule ||
        fresh.individu->ins_actif.oid != oid)
      memory_.drop_ins(matricule, oid);
  }
  if (fresh.individu)
    for (const auto& h : fresh.individu->ins_histo) memory_.drop_ins(h.matricule, h.oid);
  memory_.erase(key);
}

std::size_t ResultCache::purge_expired(std::chrono::seconds grace) {
  std::size_t n = 0;
  const TimePoint before = now_() - grace;
  store_.transact([&](StateTx& tx) { n = tx.cache_purge(before); });
  memory_.purge(before);
  return n;
}

}  // namespace insgate::state

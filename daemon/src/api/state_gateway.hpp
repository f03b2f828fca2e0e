// insgate — what the API routes need from the durable state (issue #5), run
// off the event loop: every call that reaches SQLite is posted to a
// one-thread pool (in order) — awaited, except record() — so the io thread
// never blocks on the disk. Two things stay on the event loop because they do no I/O: cache
// hits from the memory tier, and counting a cache hit (buffered counters).
//
// Cache policy (state/cache.hpp): only CR 00 answers without anomalies are
// stored, keyed on a hash of the normalised traits or card data; a CR 00
// without anomalies also records the identity as récupérée (RNIV attribute
// I). Activity counters (Ségur, ins-identity-rules.md §6) count every
// INSi-backed request per FINESS and month, operators and persons as keyed
// hashes only.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "insi/recherche.hpp"
#include "metrics/metrics.hpp"
#include "net/net.hpp"
#include "state/activity.hpp"
#include "state/cache.hpp"
#include "state/identities.hpp"
#include "state/state_store.hpp"

namespace insgate::api {

/// One INSi-backed request, for the cache, the identities and the counters.
struct RequestRecord {
  std::string finess;  ///< the structure the request was made for
  state::InsiOperation operation = state::InsiOperation::recuperation;
  std::string cache_key;          ///< "" when the request has no cache key
  const insi::RechercheOutcome* outcome = nullptr;  ///< nullptr for a cache hit
  bool anomalies = false;         ///< INSi's answer had anomalies (never cached/recorded)
  bool from_cache = false;
  std::string operateur;          ///< raw; hashed by the activity counter
  std::optional<std::string> identifiant_local;
};

/// The state store as /v1/health shows it (issue 15).
struct StoreHealth {
  std::string backend = "sqlite";  ///< "sqlite" | "postgresql"
  bool available = true;
};

class StateGateway {
 public:
  StateGateway(asio::thread_pool& pool, state::StateStore& store, state::ResultCache& cache,
               state::Identities& identities, state::ActivityCounter& activity,
               std::function<void()> on_event_queued);

  asio::awaitable<state::CacheLookup> lookup(std::string key);
  void note_bypass() { cache_.note_bypass(); }

  /// After a request: caches and records a clean CR 00, counts the activity.
  /// Returns at once: a cache hit is only counted (buffered); an INSi answer
  /// is written by the pool, after any state work queued before it and
  /// before any queued after it. Storage errors are logged, never turned
  /// into a failed answer: INSi did answer, and the caller gets that answer.
  /// The trade-off: a crash in the instant between the answer and the write
  /// loses the bookkeeping of that answer (asking INSi again restores it).
  void record(RequestRecord r);

  /// Qualifies `ins` for the structure `finess` (identities are per structure).
  asio::awaitable<state::QualifyOutcome> qualify(std::string finess, identity::Ins ins,
                                                 state::PieceIdentite piece,
                                                 std::string identifiant_local,
                                                 std::string operateur);

  asio::awaitable<std::vector<state::OutboxRow>> outbox_list(state::OutboxState s,
                                                             std::size_t limit);
  asio::awaitable<bool> outbox_retry(std::int64_t id);
  asio::awaitable<std::size_t> outbox_purge(std::chrono::hours older_than);
  /// Activity of every FINESS for `mois` ("AAAA-MM").
  asio::awaitable<std::vector<state::ActivityMonth>> activity_month(std::string mois);
  /// Identities of the active file per RNIV status (see StateStore).
  asio::awaitable<std::map<std::string, std::int64_t>> identity_counts(std::chrono::hours window);
  /// The qualified-identity rate of `finess` for `mois`
  /// (state/qualification_rate.hpp): taken now for the running month, the
  /// stored snapshot otherwise, nullopt when none exists.
  asio::awaitable<std::optional<state::QualificationSnapshot>> qualification_for_month(
      std::string finess, std::string mois, std::chrono::hours window);
  /// Takes the running month's snapshot of the rate (the periodic refresh).
  asio::awaitable<state::QualificationSnapshot> take_qualification_snapshot(
      std::string finess, std::chrono::hours window);
  /// Pending outbox events per plugin (nullopt: waiting for a plugin).
  asio::awaitable<std::vector<state::OutboxBacklog>> outbox_backlog();
  /// A shared store (PostgreSQL) is checked by `check` (a round trip, run
  /// on the pool); without one the embedded store counts as available.
  void set_store_check(std::string backend, std::function<bool()> check);
  /// Runs the check; its result also sets insgate_state_store_up (metrics).
  asio::awaitable<StoreHealth> store_health();
  /// Where the state-store gauge and error counter go (nullptr: nowhere).
  /// Set once before serving.
  void set_metrics(metrics::Metrics* m) { metrics_ = m; }

 private:
  template <typename F>
  auto offload(F f) -> asio::awaitable<decltype(f())>;
  state::ActivityEvent activity_event(const RequestRecord& r, const std::string& personne) const;

  asio::thread_pool& pool_;
  state::StateStore& store_;
  state::ResultCache& cache_;
  state::Identities& identities_;
  state::ActivityCounter& activity_;
  std::function<void()> on_event_queued_;
  std::string store_backend_ = "sqlite";
  std::function<bool()> store_check_;
  metrics::Metrics* metrics_ = nullptr;
};

}  // namespace insgate::api

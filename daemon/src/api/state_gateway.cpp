// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/state_gateway.hpp"

#include "state/state_error.hpp"

#include <spdlog/spdlog.h>

#include <memory>

#include "state/qualification_rate.hpp"

namespace insgate::api {

// Lambdas are named locals, never temporaries inside a co_await expression:
// g++ 12 destroys such temporaries twice (double free seen here).
template <typename F>
auto StateGateway::offload(F f) -> asio::awaitable<decltype(f())> {
  using R = decltype(f());
  auto task = [f = std::move(f)]() mutable -> asio::awaitable<R> { co_return f(); };
  auto op = asio::co_spawn(pool_.get_executor(), std::move(task), asio::use_awaitable);
  co_return co_await std::move(op);
}

StateGateway::StateGateway(asio::thread_pool& pool, state::StateStore& store,
                           state::ResultCache& cache, state::Identities& identities,
                           state::ActivityCounter& activity,
                           std::function<void()> on_event_queued)
    : pool_(pool),
      store_(store),
      cache_(cache),
      identities_(identities),
      activity_(activity),
      on_event_queued_(std::move(on_event_queued)) {}

asio::awaitable<state::CacheLookup> StateGateway::lookup(std::string key) {
  // Most hits are answered by the memory tier, here on the event loop.
  if (auto known = cache_.lookup_in_memory(key)) co_return std::move(*known);
  auto work = [this, key = std::move(key)]() -> state::CacheLookup {
    try {
      return cache_.lookup(key);
    } catch (const state::StateError& e) {
      // The store is unreachable (issue 15): a miss, INSi answers instead.
      spdlog::warn("[STATE_READ] cache unavailable, asking INSi: {}", e.what());
      if (metrics_) metrics_->state_store_error(metrics::StateErrorSource::cache);
      return {};
    }
  };
  co_return co_await offload(std::move(work));
}

namespace {

state::RequestOutcome request_outcome(const insi::RechercheOutcome* o) {
  if (o == nullptr) return state::RequestOutcome::cr00;  // a cache hit is a CR 00
  if (o->kind != insi::RechercheOutcome::Kind::resultat) return state::RequestOutcome::erreur;
  if (o->resultat.code_cr == "00") return state::RequestOutcome::cr00;
  if (o->resultat.code_cr == "01") return state::RequestOutcome::cr01;
  if (o->resultat.code_cr == "02") return state::RequestOutcome::cr02;
  return state::RequestOutcome::erreur;
}

}  // namespace

state::ActivityEvent StateGateway::activity_event(const RequestRecord& r,
                                                  const std::string& personne) const {
  state::ActivityEvent e;
  e.finess = r.finess;
  e.when = state::Clock::now();
  e.operation = r.operation;
  if (r.outcome) {
    // Counted under the operation INSi received (a vérification by
    // comparison sends récupérations), as in the regional usage file.
    (insi::is_recuperation_action(r.outcome->action) ? e.appels_recuperation
                                                     : e.appels_verification) = r.outcome->appels;
  }
  e.from_cache = r.from_cache;
  e.outcome = request_outcome(r.outcome);
  e.operateur = r.operateur;
  e.personne = personne;
  return e;
}

void StateGateway::record(RequestRecord r) {
  if (r.outcome == nullptr) {
    // A cache hit writes nothing but its counters, which are buffered
    // (ActivityCounter::add): no need to leave the event loop.
    try {
      activity_.add(activity_event(r, r.cache_key));
    } catch (const std::exception& e) {
      spdlog::error("[STATE_WRITE] could not count a request: {}", e.what());
    }
    return;
  }
  // Not awaited: the caller answers at once. The write keeps its own copy
  // of the outcome, and the one-thread pool runs state work in order, so
  // any later request (a qualification, the same recherche) sees it.
  if (!r.cache_key.empty() && r.outcome->kind == insi::RechercheOutcome::Kind::resultat)
    cache_.forget_superseded(r.cache_key, r.outcome->resultat);
  auto owned = std::make_shared<const insi::RechercheOutcome>(*r.outcome);
  r.outcome = owned.get();
  auto work = [this, r, owned]() {
    try {
      const auto* o = r.outcome;
      bool clean_00 = o && o->kind == insi::RechercheOutcome::Kind::resultat &&
                      o->resultat.code_cr == "00" && o->resultat.individu && !r.anomalies;
      std::string personne = r.cache_key;
      if (clean_00) {
        if (auto match = state::InsiMatch::from(*o->resultat.individu, r.identifiant_local)) {
          if (!r.cache_key.empty()) match->cache_key = r.cache_key;
          auto now = state::Clock::now();
          auto identities = identities_.in(r.finess);  // this structure's identities
          auto rec = r.operation == state::InsiOperation::verification
                         ? identities.record_insi_verification(*match, now)
                         : identities.record_insi_retrieval(*match, now);
          if (rec.ins_replaced && on_event_queued_) on_event_queued_();
          personne = match->ins.matricule + match->ins.cle;
        }
        if (!r.cache_key.empty() && r.operation == state::InsiOperation::recuperation) {
          auto stored = cache_.store(r.cache_key, o->resultat, r.anomalies, r.finess);
          if (stored.ins_replaced && on_event_queued_) on_event_queued_();
        }
      }
      activity_.add(activity_event(r, personne));
    } catch (const std::exception& e) {
      spdlog::error("[STATE_WRITE] could not record a request: {}", e.what());
    }
  };
  asio::post(pool_, std::move(work));
}

asio::awaitable<state::QualifyOutcome> StateGateway::qualify(std::string finess,
                                                             identity::Ins ins,
                                                             state::PieceIdentite piece,
                                                             std::string identifiant_local,
                                                             std::string operateur) {
  auto work = [&, this] {
    return identities_.in(finess).qualify(ins, piece, identifiant_local,
                                          activity_.operator_hash(operateur), state::Clock::now());
  };
  auto out = co_await offload(std::move(work));
  if (out.event_queued && on_event_queued_) on_event_queued_();
  co_return out;
}

asio::awaitable<std::vector<state::OutboxRow>> StateGateway::outbox_list(state::OutboxState s,
                                                                         std::size_t limit) {
  auto work = [this, s, limit] { return store_.list(s, limit); };
  co_return co_await offload(std::move(work));
}

asio::awaitable<bool> StateGateway::outbox_retry(std::int64_t id) {
  auto work = [this, id] { return store_.retry_dead(id); };
  bool done = co_await offload(std::move(work));
  if (done && on_event_queued_) on_event_queued_();
  co_return done;
}

asio::awaitable<std::size_t> StateGateway::outbox_purge(std::chrono::hours older_than) {
  auto work = [this, older_than] {
    return store_.purge_delivered(state::Clock::now() - older_than);
  };
  co_return co_await offload(std::move(work));
}

asio::awaitable<std::map<std::string, std::int64_t>> StateGateway::identity_counts(
    std::chrono::hours window) {
  auto work = [this, window] { return store_.identity_counts(state::Clock::now() - window); };
  co_return co_await offload(std::move(work));
}

asio::awaitable<std::vector<state::ActivityMonth>> StateGateway::activity_month(std::string mois) {
  auto work = [this, mois = std::move(mois)] {
    activity_.flush();  // what was counted so far is part of the answer
    return store_.activity_month(mois);
  };
  co_return co_await offload(std::move(work));
}

asio::awaitable<std::optional<state::QualificationSnapshot>>
StateGateway::qualification_for_month(std::string finess, std::string mois,
                                      std::chrono::hours window) {
  auto work = [this, finess = std::move(finess), mois = std::move(mois), window] {
    return state::qualification_for_month(store_, finess, mois, state::Clock::now(), window);
  };
  co_return co_await offload(std::move(work));
}

asio::awaitable<state::QualificationSnapshot> StateGateway::take_qualification_snapshot(
    std::string finess, std::chrono::hours window) {
  auto work = [this, finess = std::move(finess), window] {
    return state::take_qualification_snapshot(store_, finess, state::Clock::now(), window);
  };
  co_return co_await offload(std::move(work));
}

asio::awaitable<std::vector<state::OutboxBacklog>> StateGateway::outbox_backlog() {
  auto work = [this] { return store_.pending_backlog(); };
  co_return co_await offload(std::move(work));
}

void StateGateway::set_store_check(std::string backend, std::function<bool()> check) {
  store_backend_ = std::move(backend);
  store_check_ = std::move(check);
}

asio::awaitable<StoreHealth> StateGateway::store_health() {
  if (!store_check_) co_return StoreHealth{store_backend_, true};
  auto work = [this] { return StoreHealth{store_backend_, store_check_()}; };
  const StoreHealth h = co_await offload(std::move(work));
  if (metrics_) metrics_->set_state_store_up(h.available);
  co_return h;
}

}  // namespace insgate::api

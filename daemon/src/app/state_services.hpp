// insgate — the durable side of the daemon (issue #5), built in the right
// order and torn down in the reverse one: SQLite store, identities, cache,
// activity counters, plugins and their outbox workers, and the thread pool
// the API uses to reach the store off the event loop.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "api/state_gateway.hpp"
#include "app/outbox_worker.hpp"
#include "config/config.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "state/pg_store.hpp"
#include "state/sqlite_store.hpp"

namespace insgate::app {

class StateServices {
 public:
  /// Opens the store (migrations), locks the state directory (a second
  /// daemon on it would deliver the same outbox events twice), loads and
  /// creates the plugins, starts one outbox worker per plugin.
  /// @throw state::StateError, plugin_host::PluginError
  StateServices(const config::Config& cfg, metrics::Metrics* metrics);
  /// Writes the buffered activity counters, stops the workers (a deliver()
  /// in progress ends first), destroys the plugin instances, closes the store.
  ~StateServices();

  api::StateGateway& gateway() { return *gateway_; }

 private:
  void wake_workers();
  /// One daemon per state directory: an exclusive flock on
  /// `<etat>/insgated.lock`, held until exit. @throw state::StateError
  void lock_state_directory(const config::StateConfig& cfg);
  int lock_fd_ = -1;
  /// Writes the buffered activity counters every kActivityFlush, on the pool.
  void schedule_activity_flush();
  static constexpr std::chrono::seconds kActivityFlush{1};

  /// SqliteStore, or PgStore when etat.postgresql is configured.
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<state::Identities> identities_;
  std::unique_ptr<state::ResultCache> cache_;
  std::unique_ptr<state::ActivityCounter> activity_;
  std::vector<plugin_host::PluginInstance> plugins_;
  std::vector<std::unique_ptr<OutboxWorker>> workers_;
  asio::thread_pool pool_{1};
  asio::steady_timer flush_timer_{pool_};
  std::atomic<bool> stopping_{false};
  std::unique_ptr<api::StateGateway> gateway_;
};

/// The installation secret keying operator/person hashes: read from
/// `hmac_key_file` when configured, else from `<state dir>/activite.key`,
/// created once (random, mode 0600). Never logged. @throw state::StateError
std::string load_or_create_hmac_key(const config::StateConfig& cfg);

/// Fleet mode (etat.postgresql): `hmac_key_file` when configured, else the
/// key stored in the database, created by the first instance (random), so
/// every instance hashes an operator or a person alike. @throw state::StateError
std::string shared_hmac_key(const config::StateConfig& cfg, state::PgStore& store);

}  // namespace insgate::app

// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/state_services.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "state/state_error.hpp"

namespace insgate::app {
namespace {

std::string read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw state::StateError(path + ": cannot read the activity hash key");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.size() < 16) throw state::StateError(path + ": the activity hash key is too short");
  return key;
}

}  // namespace

std::string random_key() {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw state::StateError("cannot draw a random key");
  static const char* hex = "0123456789abcdef";
  std::string key;
  for (unsigned char b : raw) {
    key.push_back(hex[b >> 4]);
    key.push_back(hex[b & 15]);
  }
  return key;
}

std::string shared_hmac_key(const config::StateConfig& cfg, state::PgStore& store) {
  if (!cfg.hmac_key_file.empty()) return read_secret(cfg.hmac_key_file);
  return store.activity_key(random_key());
}

std::string load_or_create_hmac_key(const config::StateConfig& cfg) {
  if (!cfg.hmac_key_file.empty()) return read_secret(cfg.hmac_key_file);
  std::filesystem::path path = std::filesystem::path(cfg.directory) / "activite.key";
  if (std::filesystem::exists(path)) return read_secret(path.string());
  const std::string key = random_key();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw state::StateError(path.string() + ": cannot create the activity hash key");
  bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw state::StateError(path.string() + ": cannot write the activity hash key");
  return key;
}

void StateServices::lock_state_directory(const config::StateConfig& cfg) {
  const auto path = std::filesystem::path(cfg.directory) / "insgated.lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd_ < 0) throw state::StateError(path.string() + ": cannot open the lock file");
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw state::StateError(cfg.directory + ": state directory in use by another insgated "
                            "(each daemon needs its own etat.repertoire)");
  }
}

StateServices::StateServices(const config::Config& cfg, metrics::Metrics* metrics) {
  std::string hmac_key;
  if (cfg.state.postgresql) {
    // Fleet mode: several daemons share the database (no directory lock).
    state::PgOptions options;
    options.conninfo = state::read_pg_conninfo(cfg.state.postgresql->conninfo_file);
    options.connections = static_cast<std::size_t>(cfg.state.postgresql->connections);
    auto pg = std::make_unique<state::PgStore>(options);
    hmac_key = shared_hmac_key(cfg.state, *pg);
    spdlog::info("[APP_STATE] state store PostgreSQL, schema {}, {} connection(s), instance {}",
                 state::kPgSchemaVersion, options.connections, pg->instance_id());
    store_ = std::move(pg);
  } else {
    // A file written before the structures (schema < 5) served one
    // structure: its rows go to the configuration's first structure.
    state::SqliteOptions options{cfg.state.directory, {}};
    options.legacy_finess = cfg.structures.front().finess;
    auto sqlite = std::make_unique<state::SqliteStore>(options);
    spdlog::info("[APP_STATE] state store {}", sqlite->path().string());
    store_ = std::move(sqlite);
    lock_state_directory(cfg.state);  // the store created the directory (0700)
    hmac_key = load_or_create_hmac_key(cfg.state);
  }
  state::IdentityPolicy policy;
  policy.oids = identity::OidPolicy::for_environment(
      identity::parse_environment(cfg.insi.environment).value_or(identity::Environment::production));
  for (const auto& p : cfg.plugins) policy.plugins.emplace_back(p.name, p.structures);
  identities_ = std::make_unique<state::Identities>(*store_, policy);
  cache_ = std::make_unique<state::ResultCache>(*store_, *identities_,
                                                state::CachePolicy{cfg.state.cache_ttl});
  activity_ = std::make_unique<state::ActivityCounter>(*store_, hmac_key);
  for (const auto& p : cfg.plugins) {
    auto lib = plugin_host::LoadedPlugin::load(p.path);
    plugins_.push_back(lib.create(p.config.dump()));
    spdlog::info("[APP_PLUGIN] plugin {} loaded from {}", p.name, p.path);
  }
  if (std::size_t n = store_->route_unrouted(policy.plugins); n > 0)
    spdlog::info("[APP_OUTBOX] {} event(s) queued while no plugin was configured handed to the "
                 "plugins",
                 n);
  for (std::size_t i = 0; i < plugins_.size(); ++i)
    workers_.push_back(std::make_unique<OutboxWorker>(*store_, cfg.plugins[i].name, plugins_[i],
                                                      cfg.state.outbox_max_attempts,
                                                      cfg.state.outbox_backoff,
                                                      cfg.state.outbox_lease, metrics));
  gateway_ = std::make_unique<api::StateGateway>(pool_, *store_, *cache_, *identities_,
                                                 *activity_, [this] { wake_workers(); });
  if (auto* pg = dynamic_cast<state::PgStore*>(store_.get()))
    gateway_->set_store_check("postgresql", [pg] { return pg->reachable(); });
  gateway_->set_metrics(metrics);
  schedule_activity_flush();
  spdlog::info("[APP_STATE] cache TTL {} s", cfg.state.cache_ttl.count());
}

void StateServices::schedule_activity_flush() {
  flush_timer_.expires_after(kActivityFlush);
  flush_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;  // cancelled: stopping
    try {
      activity_->flush();
    } catch (const std::exception& e) {
      spdlog::error("[STATE_WRITE] activity counters not written yet: {}", e.what());
    }
    schedule_activity_flush();
  });
}

StateServices::~StateServices() {
  stopping_ = true;
  asio::post(pool_, [this] { flush_timer_.cancel(); });
  pool_.join();  // the state writes still queued (StateGateway::record) run first
  gateway_.reset();
  try {
    activity_->flush();
  } catch (const std::exception& e) {
    spdlog::error("[STATE_WRITE] activity counters lost at stop: {}", e.what());
  }
  workers_.clear();   // joins the delivery threads
  plugins_.clear();   // destroy() on the main thread, before dlclose
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the state directory
}

void StateServices::wake_workers() {
  for (auto& w : workers_) w->wake();
}

}  // namespace insgate::app

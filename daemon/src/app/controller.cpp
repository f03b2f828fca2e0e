// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/controller.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <malloc.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <optional>

#include "api/api_server.hpp"
#include "api/listener_tls.hpp"
#include "api/router.hpp"
#include "app/event_loop.hpp"
#include "app/fd_budget.hpp"
#include "app/insi_stack.hpp"
#include "app/state_services.hpp"
#include "insi/ca_expiry.hpp"
#include "insi/tls_setup.hpp"
#include "insi/xml_signature.hpp"
#include "metrics/metrics.hpp"
#include "metrics/metrics_server.hpp"
#include "plugin_host/plugin_loader.hpp"

namespace insgate::app {

namespace {

/// One structure's TLS context: its certificate checked like start-up does.
/// @throw insi::TlsSetupError naming the structure when there are several.
insi::ClientTls structure_tls(const config::Config& cfg, const config::Structure& s,
                              const insi::TrustStore& trust) {
  try {
    return insi::make_client_tls(cfg.insi, s.certificate, trust);
  } catch (const insi::TlsSetupError& e) {
    if (cfg.structures.size() == 1) throw;
    throw insi::TlsSetupError(s.key + " (FINESS " + s.finess + "): " + e.what());
  }
}

}  // namespace

void check(const config::Config& cfg) {
  (void)ensure_fd_limit(cfg, false);  // what run() would raise, or refuse
  const auto trust = insi::make_trust_store(cfg.insi);
  for (const auto& s : cfg.structures) {
    auto tls = structure_tls(cfg, s, trust);
    if (cfg.insi.signature_xml)
      (void)insi::XmlSigner::from_tls_context(tls.context->native_handle());
  }
  if (cfg.api.tcp.tls) (void)api::make_listener_tls(cfg.api.tcp.tls_files);
  // dlopen + ABI checks, without create(): a plugin's start-up side effects
  // do not belong in a configuration check.
  for (const auto& p : cfg.plugins) (void)plugin_host::LoadedPlugin::load(p.path);
  // Readable and not empty; its content (a password, maybe) is never shown.
  if (cfg.state.postgresql) (void)state::read_pg_conninfo(cfg.state.postgresql->conninfo_file);
}

namespace {

constexpr std::chrono::seconds kDrain{5};
constexpr std::chrono::seconds kStoreHealthEvery{5};

/// One structure at run time: its own TLS context (certificate), pool of
/// connections to INSi (InsiStack) and call context (its emetteur).
/// @throw insi::TlsSetupError, std::runtime_error (replay files)
api::StructurePtr make_structure(asio::any_io_executor ex, const config::Config& cfg,
                                 const config::Structure& s, const insi::TrustStore& trust,
                                 metrics::Metrics* metrics) {
  auto tls = structure_tls(cfg, s, trust);
  auto rt = std::make_shared<api::StructureRuntime>();
  rt->cfg = s;
  rt->call_context = cfg.call_context;
  rt->call_context.emetteur = s.emetteur;
  if (cfg.insi.signature_xml) {  // the envelopes get the signer through the call context
    rt->call_context.signer = insi::XmlSigner::from_tls_context(tls.context->native_handle());
    spdlog::info("[APP_XML_SIGNATURE] requests of FINESS {} are signed with WS-Security ({})",
                 s.finess, insi::to_string(rt->call_context.signer->algorithm()));
  }
  insi::HandshakeHook on_handshake;
  if (metrics) on_handshake = [metrics](bool resumed) { metrics->insi_tls_handshake(resumed); };
  auto stack = std::make_shared<InsiStack>(ex, tls.context, cfg.insi, std::move(on_handshake));
  if (stack->rejeu_size() > 0)
    spdlog::warn("[APP_REJEU] {} recorded answer(s) replace INSi for the listed persons "
                 "(integration environment only)",
                 stack->rejeu_size());
  spdlog::info("[APP_CERTIFICATE] FINESS {}: client certificate CN={} expires in {} day(s)",
               s.finess, tls.certificate.subject_cn, tls.certificate.days_left);
  rt->transport = std::move(stack);
  rt->certificate = tls.certificate;
  rt->certificate_breaker = std::make_shared<insi::CircuitBreaker>(
      cfg.insi.resilience.circuit_failures, cfg.insi.resilience.circuit_cooldown);
  return rt;
}

/// Builds the reloadable part: configuration + every structure's INSi
/// transport. All or nothing: one bad certificate refuses the whole setup.
/// @throw insi::TlsSetupError, std::runtime_error (replay files)
std::shared_ptr<const api::InsiSetup> make_setup(asio::any_io_executor ex,
                                                 std::shared_ptr<const config::Config> cfg,
                                                 metrics::Metrics* metrics) {
  auto setup = std::make_shared<api::InsiSetup>();
  const auto trust = insi::make_trust_store(cfg->insi);  // insi.ca read once for all
  for (const auto& s : cfg->structures)
    setup->structures.add(make_structure(ex, *cfg, s, trust, metrics));
  setup->cfg = std::move(cfg);
  return setup;
}

/// The client certificate that expires first (the insi_client expiry gauge).
std::chrono::system_clock::time_point earliest_client_expiry(const api::InsiSetup& setup) {
  auto t = std::chrono::system_clock::time_point::max();
  for (const auto& s : setup.structures.all()) t = std::min(t, s->certificate.not_after);
  return t;
}

/// The certificates' expiry gauges for `setup`: the earliest client
/// certificate, each structure's, and epoch (unknown) for the structures of
/// `previous` that `setup` no longer serves, so their alert stops.
void publish_certificate_expiries(metrics::Metrics& m, const api::InsiSetup& setup,
                                  const api::InsiSetup* previous) {
  m.set_certificate_expiry(metrics::CertificateUsage::insi_client, earliest_client_expiry(setup));
  if (previous)
    for (const auto& s : previous->structures.all())
      if (!setup.structures.find(s->cfg.finess))
        m.set_client_certificate_expiry(s->cfg.finess, {});
  for (const auto& s : setup.structures.all())
    m.set_client_certificate_expiry(s->cfg.finess, s->certificate.not_after);
  if (auto ca = insi::earliest_ca_expiry(setup.cfg->insi.ca_files))
    m.set_certificate_expiry(metrics::CertificateUsage::insi_ca, *ca);
}

/// Closes the idle INSi connections of every structure of `setup`.
void close_idle(const api::InsiSetup& setup) {
  for (const auto& s : setup.structures.all())
    if (auto* stack = dynamic_cast<InsiStack*>(s->transport.get())) stack->close_idle();
}

/// Settings a reload cannot change while running; they need a restart. One
/// line per section, naming the keys that differ (their current names).
void warn_restart_only_changes(const config::Config& now, const config::Config& next) {
  auto warn = [](const char* section, const std::string& keys = {}) {
    spdlog::warn("[APP_RELOAD] {} changed: restart the service to apply it{}", section,
                 keys.empty() ? std::string() : " (" + keys + ")");
  };
  const auto& a = now.api;
  const auto& b = next.api;
  std::string api_keys;
  auto differs = [&api_keys](bool changed, const char* key) {
    if (changed) api_keys += (api_keys.empty() ? "" : ", ") + std::string(key);
  };
  differs(a.socket_path != b.socket_path, "api.socket");
  differs(a.socket_mode != b.socket_mode, "api.mode_socket");
  differs(a.header_timeout != b.header_timeout, "api.delai_entete_ms");
  differs(a.idle_timeout != b.idle_timeout, "api.delai_inactivite_ms");
  differs(a.max_connections != b.max_connections, "api.connexions_max");
  differs(a.allowed_uids != b.allowed_uids, "api.utilisateurs_autorises");
  differs(a.allowed_gids != b.allowed_gids, "api.groupes_autorises");
  if (!api_keys.empty()) warn("api", api_keys);
  if (a.tcp != b.tcp) warn("api.tcp");
  if (now.state.directory != next.state.directory) warn("etat");
  auto same_plugin = [](const plugin_host::PluginConfig& x, const plugin_host::PluginConfig& y) {
    return x.name == y.name && x.path == y.path && x.config == y.config &&
           x.structures == y.structures;
  };
  if (!std::equal(now.plugins.begin(), now.plugins.end(), next.plugins.begin(),
                  next.plugins.end(), same_plugin))
    warn("plugins");
  if (now.metrics.listen != next.metrics.listen) warn("metriques");
  // The metrics' finess label set is fixed at start (a closed set): a
  // structure added by a reload is served at once but its metrics are
  // counted under finess="autre" until a restart. Its monthly report is not
  // affected (the state store keeps its FINESS).
  std::string added;
  for (const auto& s : next.structures) {
    const bool known = std::any_of(now.structures.begin(), now.structures.end(),
                                   [&](const auto& o) { return o.finess == s.finess; });
    if (!known) added += (added.empty() ? "" : ", ") + s.finess;
  }
  if (!added.empty())
    spdlog::warn("[APP_RELOAD] structure(s) {} added: served now; their Prometheus series count "
                 "under finess=\"autre\" until the service is restarted (the monthly report "
                 "is not affected)",
                 added);

}

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1000ULL;
}

}  // namespace

int run(const config::Config& first) {
  // Everything the io_context's handlers refer to is declared before it, so
  // that it is destroyed (with any coroutine frame still pending) first.
  std::optional<metrics::Metrics> metrics;
  std::optional<metrics::MetricsServer> metrics_server;
  std::optional<StateServices> services;
  std::optional<insi::CircuitBreaker> breaker;
  std::shared_ptr<const api::InsiSetup> setup;
  std::optional<api::Router> router;
  std::optional<api::ApiServer> server;
  asio::io_context io(1);

  const auto cfg = std::make_shared<const config::Config>(first);
  const auto nofile = ensure_fd_limit(*cfg, true);
  spdlog::info("[APP_LIMITS] {} file descriptors allowed, {} needed at most", nofile,
               fd_budget(*cfg).needed());
  metrics::MetricsOptions mopt;
  for (const auto& s : cfg->structures) mopt.finess.push_back(s.finess);
  for (const auto& p : cfg->plugins) mopt.plugins.push_back(p.name);
  mopt.version = INSGATE_VERSION;
  mopt.routes = api::route_labels();
  mopt.state_store = cfg->state.postgresql ? "postgresql" : "sqlite";
  metrics.emplace(mopt);
  setup = make_setup(io.get_executor(), cfg, &*metrics);
  publish_certificate_expiries(*metrics, *setup, nullptr);
  if (!cfg->metrics.listen.empty()) {
    metrics_server.emplace(metrics::MetricsServerOptions{cfg->metrics.listen, cfg->metrics.path},
                           metrics->registry());
    spdlog::info("[APP_METRICS] Prometheus metrics on {}:{}{}",
                 cfg->metrics.listen.substr(0, cfg->metrics.listen.rfind(':')),
                 metrics_server->port(), cfg->metrics.path);
  }
  services.emplace(*cfg, &*metrics);
  breaker.emplace(cfg->insi.resilience.circuit_failures, cfg->insi.resilience.circuit_cooldown);
  router.emplace(setup, *breaker, services->gateway(), *metrics);
  server.emplace(io, cfg->api, *router, &*metrics);
  server->start();

  // SIGHUP: re-read configuration and certificates as a transaction; a bad
  // new configuration keeps the current one. In-flight requests finish with
  // the setup they started with.
  auto reload = [&] {
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
               static_cast<unsigned long long>(monotonic_usec()));
    try {
      auto next_cfg = std::make_shared<const config::Config>(config::load(cfg->source_path));
      (void)ensure_fd_limit(*next_cfg, true);  // more structures or connections must still fit
      auto next = make_setup(io.get_executor(), next_cfg, &*metrics);
      for (const auto& a : config::advisories(*next_cfg)) spdlog::warn("[APP_CONFIG] {}", a);
      warn_restart_only_changes(*cfg, *next_cfg);  // against what is actually running
      spdlog::set_level(spdlog::level::from_str(next_cfg->log_level));
      publish_certificate_expiries(*metrics, *next, setup.get());
      setup = next;
      router->reconfigure(next);
      spdlog::info("[APP_RELOAD] configuration and certificates reloaded");
    } catch (const std::exception& e) {
      spdlog::error("[APP_RELOAD] new configuration refused, keeping the current one: {}",
                    e.what());
    }
    sd_notify(0, "READY=1");
  };

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  asio::steady_timer drain(io);
  asio::steady_timer watchdog(io);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          reload();
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("[APP_STOP] signal {} received, stopping", sig);
        sd_notify(0, "STOPPING=1");
        server->stop();
        close_idle(*setup);
        watchdog.cancel();
        signals.cancel();
        // Requests still waiting on INSi get up to kDrain to finish, then
        // the loop ends.
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
              auto until = Clock::now() + kDrain;
              while (server->busy() > 0 && Clock::now() < until) {
                drain.expires_after(std::chrono::milliseconds(20));
                co_await drain.async_wait(asio::use_awaitable);
              }
              server->abort_busy();
              io.stop();
            },
            asio::detached);
      };
  signals.async_wait(on_signal);

  spdlog::info("[APP_READY] insgated {} listening on {}{} (INSi {} environment)", INSGATE_VERSION,
               cfg->api.socket_path,
               cfg->api.tcp.enabled() ? " and " + cfg->api.tcp.listen : std::string(),
               cfg->insi.environment);
  sd_notify(0, "READY=1");
  // systemd watchdog: pinged from the io thread, so a stuck event loop is
  // detected (WatchdogSec= in the unit).
  std::uint64_t watchdog_usec = 0;
  std::function<void()> ping;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
    auto period = std::chrono::microseconds(watchdog_usec / 2);
    ping = [&watchdog, &ping, period] {
      sd_notify(0, "WATCHDOG=1");
      watchdog.expires_after(period);
      watchdog.async_wait([&ping](const boost::system::error_code& e) {
        if (!e) ping();
      });
    };
    ping();
  }
  // Kept-alive INSi connections idle for insi.delais.inactivite_ms are
  // closed, structure by structure (500 quiet structures keep no sockets).
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer tick(co_await asio::this_coro::executor);
        boost::system::error_code ec;
        while (!server->stopping()) {
          const auto idle = setup->cfg->insi.deadlines.idle;
          std::size_t closed = 0;
          insi::PoolCounts sum;
          for (const auto& s : setup->structures.all())
            if (auto* stack = dynamic_cast<InsiStack*>(s->transport.get())) {
              closed += stack->close_idle_older_than(idle);
              const auto c = stack->pool_counts();
              sum.open += c.open;
              sum.idle += c.idle;
              sum.waiting += c.waiting;
            }
          metrics->set_insi_connections(sum.open, sum.idle, sum.waiting);
          // Memory of closed TLS connections goes back to the system (glibc
          // keeps freed heap otherwise: 500 structures' connections, issue 12).
          if (closed > 0) ::malloc_trim(0);
          tick.expires_after(std::clamp<Clock::duration>(idle / 4, std::chrono::milliseconds(100),
                                                         std::chrono::seconds(5)));
          co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      },
      asio::detached);
  // Identity gauges (insgate_identities, qualified-identity rate): now, then
  // every minute, off the request path.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer tick(co_await asio::this_coro::executor);
        boost::system::error_code ec;
        while (!server->stopping()) {
          try {
            co_await router->refresh_identity_gauges();
          } catch (const std::exception& e) {
            spdlog::warn("[APP_GAUGES] identity gauges not refreshed: {}", e.what());
          }
          tick.expires_after(std::chrono::seconds(60));
          co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      },
      asio::detached);
  // The state store's health (insgate_state_store_up): every 5 s.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer tick(co_await asio::this_coro::executor);
        boost::system::error_code ec;
        while (!server->stopping()) {
          co_await services->gateway().store_health();
          tick.expires_after(kStoreHealthEvery);
          co_await tick.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      },
      asio::detached);
  run_event_loop(io);
  return 0;
}

}  // namespace insgate::app

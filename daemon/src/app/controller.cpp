// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/controller.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <csignal>
#include <optional>

#include "api/router.hpp"
#include "api/unix_server.hpp"
#include "app/state_services.hpp"
#include "metrics/metrics.hpp"
#include "metrics/metrics_server.hpp"
#include "insi/insi_client.hpp"
#include "insi/rejeu_transport.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "insi/tls_setup.hpp"

namespace insgate::app {

void check(const config::Config& cfg) {
  (void)insi::make_client_tls(cfg.insi);
  // dlopen + ABI checks, without create(): a plugin's start-up side effects
  // do not belong in a configuration check.
  for (const auto& p : cfg.plugins) (void)plugin_host::LoadedPlugin::load(p.path);
}

namespace {
constexpr std::chrono::seconds kDrain{5};
}

int run(const config::Config& cfg) {
  // Everything the io_context's handlers refer to is declared before it, so
  // that it is destroyed (with any coroutine frame still pending) first.
  std::optional<metrics::Metrics> metrics;
  std::optional<metrics::MetricsServer> metrics_server;
  std::optional<StateServices> services;
  std::optional<insi::InsiClient> client;
  std::optional<insi::RejeuTransport> rejeu;
  std::optional<insi::CircuitBreaker> breaker;
  std::optional<api::Router> router;
  std::optional<api::UnixServer> server;
  asio::io_context io(1);
  auto tls = insi::make_client_tls(cfg.insi);
  metrics::MetricsOptions mopt;
  mopt.finess = {cfg.structure.finess};
  for (const auto& p : cfg.plugins) mopt.plugins.push_back(p.name);
  mopt.version = INSGATE_VERSION;
  metrics.emplace(mopt);
  metrics->set_certificate_expiry(metrics::CertificateUsage::insi_client,
                                  tls.certificate.not_after);
  if (!cfg.metrics.listen.empty()) {
    metrics_server.emplace(metrics::MetricsServerOptions{cfg.metrics.listen, cfg.metrics.path},
                           metrics->registry());
    spdlog::info("[APP_METRICS] Prometheus metrics on {}:{}{}", cfg.metrics.listen.substr(0, cfg.metrics.listen.rfind(':')),
                 metrics_server->port(), cfg.metrics.path);
  }
  services.emplace(cfg, &*metrics);
  spdlog::info("[APP_CERTIFICATE] client certificate CN={} expires in {} day(s)",
               tls.certificate.subject_cn, tls.certificate.days_left);
  client.emplace(io.get_executor(), tls.context, cfg.insi.endpoint, cfg.insi.deadlines.connect);
  breaker.emplace(cfg.insi.resilience.circuit_failures, cfg.insi.resilience.circuit_cooldown);
  insi::InsiTransport* transport = &*client;
  if (!cfg.insi.rejeu.empty()) {
    rejeu.emplace(*client, cfg.insi.rejeu);
    transport = &*rejeu;
    spdlog::warn("[APP_REJEU] {} recorded answer(s) replace INSi for the listed persons "
                 "(integration environment only)",
                 rejeu->size());
  }
  router.emplace(*transport, *breaker, services->gateway(), *metrics, cfg, tls.certificate);
  server.emplace(io, cfg.api, *router, &*metrics);
  server->start();

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  asio::steady_timer drain(io);
  asio::steady_timer watchdog(io);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
          spdlog::warn("[APP_RELOAD] SIGHUP received: reload is not supported yet, restart "
                       "the service to apply a new configuration");
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("[APP_STOP] signal {} received, stopping", sig);
        sd_notify(0, "STOPPING=1");
        server->stop();
        client->close_idle();
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
              io.stop();
            },
            asio::detached);
      };
  signals.async_wait(on_signal);

  spdlog::info("[APP_READY] insgated {} listening on {} (INSi {} environment)", INSGATE_VERSION,
               cfg.api.socket_path, cfg.insi.environment);
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
  // The drain timer is the only work left once everything else has stopped:
  // run until it fires or nothing remains.
  io.run();
  return 0;
}

}  // namespace insgate::app

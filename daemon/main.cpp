// insgated — entry point: options, then the controller; exceptions become
// exit codes (1 configuration/start-up error, 2 usage error).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "api/listen_error.hpp"
#include "app/controller.hpp"
#include "config/config.hpp"
#include "insi/tls_setup.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "metrics/metrics.hpp"
#include "state/state_error.hpp"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  po::options_description opts("insgated — local gateway to INSi\nOptions");
  opts.add_options()("help,h", "show this help")("version", "print the version")(
      "config,c", po::value<std::string>()->default_value("/etc/insgate/insgate.yaml"),
      "configuration file (YAML)")(
      "check-config", po::value<std::string>()->value_name("FILE"),
      "check FILE (configuration, certificate, key, CA files) and exit");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "insgated: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "insgated " << INSGATE_VERSION << "\n";
    return 0;
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("insgated"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  bool check_only = vm.count("check-config") > 0;
  std::string path = check_only ? vm["check-config"].as<std::string>()
                                : vm["config"].as<std::string>();
  try {
    auto cfg = insgate::config::load(path);
    spdlog::set_level(spdlog::level::from_str(cfg.log_level));
    const auto advice = insgate::config::advisories(cfg);
    if (check_only) {
      insgate::app::check(cfg);
      for (const auto& a : advice) std::cout << path << ": warning: " << a << "\n";
      std::cout << path << ": configuration OK\n";
      return 0;
    }
    for (const auto& a : advice) spdlog::warn("[APP_CONFIG] {}", a);
    const int rc = insgate::app::run(cfg);  // every service is down once it returns
    spdlog::info("[APP_STOP] insgated stopped");
    return rc;
  } catch (const insgate::config::ConfigError& e) {
    std::cerr << "insgated: invalid configuration: " << e.what() << "\n";
  } catch (const insgate::insi::TlsSetupError& e) {
    std::cerr << "insgated: certificate problem: " << e.what() << "\n";
  } catch (const insgate::metrics::MetricsError& e) {
    std::cerr << "insgated: metrics listener problem: " << e.what() << "\n";
  } catch (const insgate::state::StateError& e) {
    std::cerr << "insgated: state store problem: " << e.what() << "\n";
  } catch (const insgate::plugin_host::PluginError& e) {
    std::cerr << "insgated: plugin problem: " << e.what() << "\n";
  } catch (const insgate::api::ListenError& e) {
    std::cerr << "insgated: cannot listen: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "insgated: start-up failed: " << e.what() << "\n";
  }
  return 1;
}

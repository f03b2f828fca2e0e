// insi-sim — command line of the INSi simulator: a mutual-TLS HTTPS server
// answering the traits search of INSi from a YAML dataset, for the insgate
// tests (insi-protocol.md §2, §4, §7, §9). SIGUSR1 makes it refuse every
// new TLS handshake (an INSi refusing the TLS session), SIGUSR2 stops that.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <stdexcept>

#include "dataset.hpp"
#include "sim_handler.hpp"
#include "sim_server.hpp"

namespace po = boost::program_options;
using namespace insgate::insi_sim;

namespace {

/// "HOST:PORT" or "[IPv6]:PORT".
void parse_listen(const std::string& listen, ServerOptions& o) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen must be HOST:PORT");
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  o.host = host;
  o.port = static_cast<unsigned short>(std::stoul(listen.substr(colon + 1)));
}

/// Writes the port atomically (tmp + rename): tests wait for this file.
void write_port_file(const std::string& path, unsigned short port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen, port_file, dataset_file, journal_file, recorded_dir;
  ServerOptions options;
  po::options_description desc("insi-sim: INSi simulator (mutual TLS) for insgate tests");
  desc.add_options()
      ("help,h", "show this help")
      ("listen", po::value(&listen)->default_value("127.0.0.1:0"), "HOST:PORT (port 0 = ephemeral)")
      ("port-file", po::value(&port_file), "write the listening port to FILE (tmp + rename)")
      ("cert", po::value(&options.cert_file)->required(), "server certificate (PEM)")
      ("key", po::value(&options.key_file)->required(), "server private key (PEM)")
      ("ca", po::value(&options.ca_file)->required(), "CAs trusted for client certificates (PEM)")
      ("dataset", po::value(&dataset_file)->required(), "dataset YAML (e.g. tests/insi-sim/dataset.yaml)")
      ("journal", po::value(&journal_file), "append one JSON line per POST to FILE")
      ("recorded-dir", po::value(&recorded_dir), "base directory of relative replay paths");
  try {
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc << '\n';
      return 0;
    }
    po::notify(vm);
    parse_listen(listen, options);
  } catch (const std::exception& e) {
    std::cerr << "insi-sim: " << e.what() << "\n" << desc << '\n';
    return 2;
  }

  spdlog::set_default_logger(spdlog::stderr_logger_mt("insi-sim"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e insi-sim %l: %v");
  try {
    const Dataset dataset = Dataset::load(dataset_file, recorded_dir);
    SimHandler handler(dataset, journal_file);
    boost::asio::io_context io(1);
    SimServer server(io, options, handler);
    // SIGUSR1 / SIGUSR2: refuse new TLS handshakes from now on / stop refusing.
    boost::asio::signal_set tls_switch(io, SIGUSR1, SIGUSR2);
    std::function<void(const boost::system::error_code&, int)> on_switch =
        [&](const boost::system::error_code& ec, int sig) {
          if (ec) return;
          server.refuse_tls(sig == SIGUSR1);
          tls_switch.async_wait(on_switch);
        };
    tls_switch.async_wait(on_switch);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("signal {}: stopping", sig);
      server.stop();
      tls_switch.cancel();
      io.stop();
    });
    server.start();
    if (!port_file.empty()) write_port_file(port_file, server.port());
    spdlog::info("listening on {}:{} ({} dataset entries)", options.host, server.port(), dataset.size());
    io.run();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}

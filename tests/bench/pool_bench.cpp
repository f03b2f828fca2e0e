// SPDX-License-Identifier: GPL-3.0-or-later
#include "pool_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "load_phases.hpp"

namespace insgate::bench {

namespace {

using namespace insgate::testing;

constexpr int kPoolBound = 128;
constexpr double kInsiDelaySeconds = 0.2;

/// insgate_insi_tls_handshakes_total, both label values summed.
double handshakes(int port) {
  asio::io_context io;
  beast::tcp_stream s(io);
  s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  double total = 0;
  for (const char* resumed : {"non", "oui"})
    total += std::max(0.0, metric_sample(res.body(), "insgate_insi_tls_handshakes_total",
                                         {std::string("resumed=\"") + resumed + "\""}));
  return total;
}

}  // namespace

nlohmann::json run_pool(const Workspace& ws, int sim_port, bool quick, std::ostream& md) {
  DaemonOptions opt;
  opt.port = sim_port;
  opt.insi_extra = "  connexions_max: " + std::to_string(kPoolBound) + "\n";
  opt.api_extra = "  connexions_max: 2000\n";
  const auto d = start_notified(ws, "pool", write_daemon_config(ws, "pool", opt));
  const int port = metrics_port(read_file(ws.path("pool.log")));
  const std::string req =
      raw_post("/v1/ins/recherche", recherche_body("ATTENTE", {"PAUL"}, "M", "1990-01-01").dump());

  nlohmann::json out = nlohmann::json::array();
  md << "\n## INSi connection pool (issue 19)\n\n"
     << "insgated with `insi.connexions_max: " << kPoolBound
     << "`, cache off, insi-sim answering after 200 ms; each step after a warm-up round of its own "
        "callers (not measured). Handshakes: `insgate_insi_tls_handshakes_total` over the measured "
        "calls. Ideal throughput: min(callers, pool) / 0.2 s.\n\n"
     << "| callers | requests | errors | req/s | ideal req/s | p50 ms | p99 ms | handshakes | per 1,000 calls |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  double per_1000_at_128 = -1, ratio_at_256 = -1;
  std::uint64_t errors_at_256 = 0;
  for (int callers : {1, 8, 32, 128, 256}) {
    // About 4 s per step (2 s quick) at the ideal rate, at least 20 calls.
    const double ideal = std::min(callers, kPoolBound) / kInsiDelaySeconds;
    const auto total = static_cast<std::uint64_t>(std::max(20.0, ideal * (quick ? 2 : 4)));
    (void)run_unix("pool_warmup", "warm-up", d.socket, callers, static_cast<std::uint64_t>(callers), {req}, 0);
    const double before = handshakes(port);
    auto p = run_unix("pool_c" + std::to_string(callers), "pool", d.socket, callers, total, {req}, 0);
    const double made = handshakes(port) - before;
    const double per_1000 = p.requests ? 1000.0 * made / static_cast<double>(p.requests) : 0;
    if (callers == 128) per_1000_at_128 = per_1000;
    if (callers == 256) {
      ratio_at_256 = p.rps() / ideal;
      errors_at_256 = p.errors;
    }
    char row[256];
    std::snprintf(row, sizeof row, "| %d | %llu | %llu | %.0f | %.0f | %.1f | %.1f | %.0f | %.1f |\n", callers,
                  static_cast<unsigned long long>(p.requests), static_cast<unsigned long long>(p.errors),
                  p.rps(), ideal, p.h.percentile(0.5) / 1e6, p.h.percentile(0.99) / 1e6, made, per_1000);
    md << row;
    out.push_back({{"callers", callers}, {"requests", p.requests}, {"errors", p.errors},
                   {"rps", p.rps()}, {"ideal_rps", ideal}, {"p50_ms", p.h.percentile(0.5) / 1e6},
                   {"p99_ms", p.h.percentile(0.99) / 1e6}, {"handshakes", made},
                   {"handshakes_per_1000", per_1000}});
  }
  auto verdict = [](bool ok) { return ok ? "met" : "**missed**"; };
  char line[256];
  md << "\n| measure | value | target | |\n|---|---:|---|---|\n";
  std::snprintf(line, sizeof line, "| handshakes per 1,000 calls, 128 callers | %.1f | < 5 | %s |\n",
                per_1000_at_128, verdict(per_1000_at_128 >= 0 && per_1000_at_128 < 5));
  md << line;
  std::snprintf(line, sizeof line, "| throughput ÷ ideal, 256 callers (pool %d), errors %llu | %.0f %% | ≥ 90 %%, no error | %s |\n",
                kPoolBound, static_cast<unsigned long long>(errors_at_256), 100 * ratio_at_256,
                verdict(ratio_at_256 >= 0.9 && errors_at_256 == 0));
  md << line;
  d.process->stop();
  return out;
}

}  // namespace insgate::bench

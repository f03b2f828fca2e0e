// insgate load benchmark (issue 7), all measured in one run on one machine:
//   1. cache hits through insgated (cache: {duree_s: 3600}, one person primed);
//   2. the ceiling: bench_ceiling_server answering a body of the same size;
//   3. recherches forwarded to insi-sim through insgated (cache off);
//   4. the same SOAP call made directly to insi-sim over kept-alive mTLS;
// plus RSS with 1,000 idle keep-alive connections and the time from process
// start to READY=1 (NOTIFY_SOCKET); then the scale scenario of issue 12
// (scale_bench.hpp: N structures against one) and the INSi connection pool
// of issue 19 under 1 to 256 callers (pool_bench.hpp). Prints a Markdown report,
// writes JSON.
//
// Usage: bench_load [--json FILE] [--micro-json FILE] [--markdown FILE] [--quick]
//                   [--structures N (500)] [--scale-only] [--pool-only]
// SPDX-License-Identifier: GPL-3.0-or-later
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "e2e_env.hpp"
#include "histogram.hpp"
#include "load_phases.hpp"
#include "pool_bench.hpp"
#include "scale_bench.hpp"
#include "insi/soap_codec.hpp"
#include "net/net.hpp"
#include "process.hpp"

using namespace insgate;
using namespace insgate::testing;
using namespace insgate::bench;
namespace {

/// The e2e configuration, tuned for measuring: journal.niveau info (the
/// production default), room for 2,000 connections.
std::string bench_config(const Workspace& ws, const std::string& name, const DaemonOptions& opt) {
  std::string cfg = write_daemon_config(ws, name, opt);
  std::string text = read_file(cfg);
  const std::string anchor = "  mode_socket: \"0600\"\n";
  text.insert(text.find(anchor) + anchor.size(), "  connexions_max: 2000\n");
  const std::string debug = "journal: {niveau: debug}";
  text.replace(text.find(debug), debug.size(), "journal: {niveau: info}");
  std::ofstream(cfg, std::ios::trunc) << text;
  return cfg;
}

NotifiedDaemon start_daemon(const Workspace& ws, const std::string& name, const DaemonOptions& opt) {
  return start_notified(ws, name, bench_config(ws, name, opt));
}

std::string machine() {
  utsname u{};
  ::uname(&u);
  std::string cpu = "?";
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  long mem_kib = 0;
  std::ifstream mi("/proc/meminfo");
  for (std::string line; std::getline(mi, line);)
    if (line.rfind("MemTotal:", 0) == 0) mem_kib = std::strtol(line.c_str() + 9, nullptr, 10);
  std::ostringstream o;
  o << cpu << ", " << std::thread::hardware_concurrency() << " CPUs visible, "
    << mem_kib / 1024 / 1024 << " GiB RAM, " << u.sysname << " " << u.release;
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_out = "bench-results.json", micro_json, md_out;
  bool quick = false, scale_only = false, pool_only = false;
  int structures = 500;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json" && i + 1 < argc) json_out = argv[++i];
    else if (a == "--structures" && i + 1 < argc) structures = std::max(1, std::atoi(argv[++i]));
    else if (a == "--scale-only") scale_only = true;
    else if (a == "--pool-only") pool_only = true;
    else if (a == "--micro-json" && i + 1 < argc) micro_json = argv[++i];
    else if (a == "--markdown" && i + 1 < argc) md_out = argv[++i];
    else if (a == "--quick") quick = true;
    else {
      std::cerr << "usage: bench_load [--json FILE] [--micro-json FILE] [--markdown FILE] [--quick]"
                   " [--structures N] [--scale-only] [--pool-only]\n";
      return 2;
    }
  }
  // 1,000 idle connections need more than the usual 1,024 descriptors (the
  // daemon inherits this limit, as systemd's LimitNOFILE would give it).
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 65536);
  ::setrlimit(RLIMIT_NOFILE, &rl);

  const std::uint64_t kFast = quick ? 5'000 : 40'000;   // cache hit / ceiling
  const std::uint64_t kSlow = quick ? 1'000 : 6'000;    // through INSi
  const int kConns = 16;

  Workspace ws;
  Simulator sim(ws, "sim");
  const std::string body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14").dump();
  const std::string req = raw_post("/v1/ins/recherche", body);
  std::vector<Phase> phases;
  nlohmann::json out;
  out["machine"] = machine();
  if (scale_only || pool_only) {
    std::ostringstream md;
    if (scale_only) out["scale"] = run_scale(ws, sim.port(), structures, quick, md);
    else out["pool"] = run_pool(ws, sim.port(), quick, md);
    std::cout << "# insgate benchmark report (" << (scale_only ? "scale" : "pool") << " only)\n\nMachine: "
              << out["machine"].get<std::string>() << "\n" << md.str();
    std::ofstream(json_out) << out.dump(2) << "\n";
    if (!md_out.empty()) std::ofstream(md_out) << "Machine: " << out["machine"].get<std::string>() << "\n" << md.str();
    return 0;
  }

  // READY=1: five cold starts, median reported.
  std::vector<double> ready;
  for (int i = 0; i < 5; ++i) {
    DaemonOptions o;
    o.port = sim.port();
    auto d = start_daemon(ws, "ready" + std::to_string(i), o);
    ready.push_back(d.ready_ms);
    d.process->stop();
  }
  std::sort(ready.begin(), ready.end());

  // (1) cache hits.
  DaemonOptions cached;
  cached.port = sim.port();
  cached.cache_ttl_s = 3600;
  auto dc = start_daemon(ws, "cached", cached);
  net::LocalHttpClient prime(dc.socket);
  auto primed = prime.request(http::verb::post, "/v1/ins/recherche", body);
  auto primed_json = nlohmann::json::parse(primed.body);
  if (primed.status != 200 || primed_json["cr"] != "00") {
    std::cerr << "priming failed: " << primed.status << " " << primed.body << "\n";
    return 1;
  }
  auto hit = prime.request(http::verb::post, "/v1/ins/recherche", body);
  if (nlohmann::json::parse(hit.body)["source"] != "cache") std::cerr << "warning: second answer not from cache\n";
  const std::size_t answer_bytes = hit.body.size();
  phases.push_back(run_unix("cache_hit", "1. cache hit through insgated", dc.socket, kConns, kFast, {req}));

  // (2) the ceiling, same body size, same socket kind.
  std::string ceiling_sock = ws.path("ceiling.sock");
  ChildProcess ceiling({std::string(INSGATE_BIN_DIR) + "/bench_ceiling_server", ceiling_sock,
                        std::to_string(answer_bytes)},
                       ws.path("ceiling.log"));
  wait_until([&] { return ::access(ceiling_sock.c_str(), F_OK) == 0; });
  phases.push_back(run_unix("ceiling", "2. ceiling (minimal Beast server)", ceiling_sock, kConns, kFast, {req}));
  ceiling.stop();

  // Idle keep-alive connections on the cache daemon: RSS before/after, peak.
  long rss_before = proc_status_kib(dc.process->pid(), "VmRSS:");
  std::vector<std::unique_ptr<net::LocalHttpClient>> idle;
  int idle_ok = 0;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<net::LocalHttpClient>(dc.socket, std::chrono::seconds(10)));
    try {
      if (idle.back()->request(http::verb::get, "/v1/health").status == 200) ++idle_ok;
    } catch (const std::exception&) {
    }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long rss_idle = proc_status_kib(dc.process->pid(), "VmRSS:");
  long hwm = proc_status_kib(dc.process->pid(), "VmHWM:");
  idle.clear();
  dc.process->stop();

  // (3) forwarded through insgated, cache off; (4) direct mTLS to insi-sim.
  DaemonOptions fwd;
  fwd.port = sim.port();
  auto df = start_daemon(ws, "forward", fwd);
  insi::CallContext ctx;
  ctx.emetteur = "010000001";
  ctx.lps = {"IDAM-TEST", "insgate", "0.1.0", "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"};
  insi::RechercheTraits call{"ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", std::nullopt};
  insi::EnvelopeIds ids{"0b1c2d3e-4f50-4617-8899-aabbccddeeff", "1b1c2d3e-4f50-4617-8899-aabbccddeeff",
                        "2b1c2d3e-4f50-4617-8899-aabbccddeeff", "2024-05-02T09:15:03.120Z"};
  std::string envelope = insi::build_recherche_traits(ctx, call, ids);
  std::string soap = "POST /lps HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/soap+xml;charset=utf-8;action=\"" +
                     std::string(insi::kActionRechercheTraits) + "\"\r\nContent-Length: " +
                     std::to_string(envelope.size()) + "\r\n\r\n" + envelope;
  for (int c : {1, 8}) {
    std::string sfx = " (" + std::to_string(c) + " conn)";
    phases.push_back(run_unix("forward_c" + std::to_string(c), "3. forwarded via insgated" + sfx, df.socket, c,
                              c == 1 ? kSlow / 2 : kSlow, {req}));
    phases.push_back(run_tls("direct_c" + std::to_string(c), "4. direct mTLS to insi-sim" + sfx, ws,
                             sim.port(), c, c == 1 ? kSlow / 2 : kSlow, soap));
  }
  df.process->stop();

  // ---- report ----
  auto get = [&](const std::string& k) -> const Phase& {
    for (const auto& p : phases) if (p.key == k) return p;
    throw std::runtime_error("no phase " + k);
  };
  std::ostringstream md;
  md << "## Load (Unix socket / mTLS, keep-alive, one client thread)\n\n"
     << "| scenario | conns | requests | errors | req/s | p50 µs | p99 µs | p99.9 µs | max µs |\n"
     << "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& p : phases) {
    char rps[32];
    std::snprintf(rps, sizeof rps, "%.0f", p.rps());
    md << "| " << p.name << " | " << p.conns << " | " << p.requests << " | " << p.errors << " | " << rps
       << " | " << fmt_us(p.h.percentile(0.5)) << " | " << fmt_us(p.h.percentile(0.99)) << " | "
       << fmt_us(p.h.percentile(0.999)) << " | " << fmt_us(p.h.max()) << " |\n";
    out["phases"][p.key] = {{"name", p.name}, {"conns", p.conns}, {"requests", p.requests},
                            {"errors", p.errors}, {"seconds", p.seconds}, {"rps", p.rps()},
                            {"p50_us", p.h.percentile(0.5) / 1000.0}, {"p99_us", p.h.percentile(0.99) / 1000.0},
                            {"p999_us", p.h.percentile(0.999) / 1000.0}, {"max_us", p.h.max() / 1000.0},
                            {"mean_us", p.h.mean() / 1000.0}};
  }
  double ratio = get("cache_hit").rps() / get("ceiling").rps();
  double added_p50_us = (static_cast<double>(get("forward_c1").h.percentile(0.5)) -
                         static_cast<double>(get("direct_c1").h.percentile(0.5))) / 1000.0;
  double added_p99_us = (static_cast<double>(get("forward_c1").h.percentile(0.99)) -
                         static_cast<double>(get("direct_c1").h.percentile(0.99))) / 1000.0;
  double added_p50_c8_us = (static_cast<double>(get("forward_c8").h.percentile(0.5)) -
                            static_cast<double>(get("direct_c8").h.percentile(0.5))) / 1000.0;
  double ready_median = ready[ready.size() / 2];
  auto verdict = [](bool ok) { return ok ? "met" : "**missed**"; };
  char line[512];
  md << "\n## Against the targets of issue 7\n\n| measure | value | target | |\n|---|---:|---|---|\n";
  std::snprintf(line, sizeof line, "| cache-hit throughput ÷ ceiling (1÷2) | %.1f %% | ≥ 60 %% | %s |\n",
                100 * ratio, verdict(ratio >= 0.6));
  md << line;
  std::snprintf(line, sizeof line,
                "| added latency per forwarded call, p50 (3−4, 1 conn) | %.0f µs | < 300 µs | %s |\n",
                added_p50_us, verdict(added_p50_us < 300));
  md << line;
  std::snprintf(line, sizeof line, "| added latency, p99 (3−4, 1 conn) | %.0f µs | — | |\n", added_p99_us);
  md << line;
  std::snprintf(line, sizeof line, "| added latency, p50 (3−4, 8 conns) | %.0f µs | — | |\n", added_p50_c8_us);
  md << line;
  const double fwd_8_over_1 = get("forward_c8").rps() / get("forward_c1").rps();
  std::snprintf(line, sizeof line,
                "| forwarded throughput, 8 conns ÷ 1 conn (3, issue 19) | %.2f× | ≥ 1.5× | %s |\n",
                fwd_8_over_1, verdict(fwd_8_over_1 >= 1.5));
  md << line;
  std::snprintf(line, sizeof line,
                "| RSS with 1,000 idle keep-alive connections (%d answered) | %.1f MiB (before %.1f MiB, peak VmHWM %.1f MiB) | < 40 MB | %s |\n",
                idle_ok, rss_idle / 1024.0, rss_before / 1024.0, hwm / 1024.0, verdict(rss_idle * 1024.0 < 40e6));
  md << line;
  std::snprintf(line, sizeof line, "| process start → READY=1 (median of 5; min %.0f, max %.0f) | %.0f ms | < 150 ms | %s |\n",
                ready.front(), ready.back(), ready_median, verdict(ready_median < 150));
  md << line;
  md << "\nAnswer body size (cache hit and ceiling): " << answer_bytes << " bytes.\n";
  out["scale"] = run_scale(ws, sim.port(), structures, quick, md);
  out["pool"] = run_pool(ws, sim.port(), quick, md);
  out["targets"] = {{"cache_over_ceiling", ratio}, {"added_p50_us", added_p50_us},
                    {"added_p99_us", added_p99_us}, {"added_p50_c8_us", added_p50_c8_us}, {"forward_8_over_1", fwd_8_over_1},
                    {"idle_1000_rss_kib", rss_idle}, {"idle_before_rss_kib", rss_before},
                    {"idle_peak_hwm_kib", hwm}, {"idle_answered", idle_ok},
                    {"ready_ms", ready}, {"ready_median_ms", ready_median},
                    {"answer_bytes", answer_bytes}};

  if (!micro_json.empty()) {
    std::ifstream in(micro_json);
    auto mj = nlohmann::json::parse(in, nullptr, false);
    if (!mj.is_discarded()) {
      md << "\n## Micro-benchmarks (Google Benchmark, per operation)\n\n| benchmark | ns/op | CPU ns/op | bytes |\n|---|---:|---:|---:|\n";
      for (const auto& b : mj["benchmarks"]) {
        char row[256];
        std::snprintf(row, sizeof row, "| %s | %.0f | %.0f | %s |\n", b["name"].get<std::string>().c_str(),
                      b.value("real_time", 0.0), b.value("cpu_time", 0.0),
                      b.contains("bytes") ? std::to_string(b["bytes"].get<double>()).substr(0, std::to_string(b["bytes"].get<double>()).find('.')).c_str() : "");
        md << row;
      }
      out["micro"] = mj["benchmarks"];
    }
  }
  std::cout << "# insgate benchmark report\n\nMachine: " << out["machine"].get<std::string>() << "\n\n" << md.str();
  std::ofstream(json_out) << out.dump(2) << "\n";
  if (!md_out.empty())
    std::ofstream(md_out) << "Machine: " << out["machine"].get<std::string>() << "\n\n" << md.str();
  std::cerr << "bench_load: JSON written to " << json_out << "\n";
  return 0;
}

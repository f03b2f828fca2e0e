// SPDX-License-Identifier: GPL-3.0-or-later
#include "scale_bench.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "load_phases.hpp"

namespace insgate::bench {

namespace {

using namespace insgate::testing;

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("scale PKI: " + what); }

struct StructureFiles {
  std::string finess, cert, key;
};

FILE* open_for_write(const std::string& path, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail("cannot create " + path);
  FILE* f = ::fdopen(fd, "w");
  if (!f) fail("fdopen " + path);
  return f;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (!ext || !X509_add_ext(cert, ext, -1)) fail("extension " + std::string(value));
  X509_EXTENSION_free(ext);
}

/// `n` structures, FINESS 75xxxxxxx, each with its own EC P-256 key (mode
/// 0600) and a certificate "O=Structure i, OU=<FINESS>, CN=INSI-AUTO"
/// (clientAuth, 90 days) signed by the test CA, as tests/pki/make-test-pki
/// makes structure-a/b/c; with the OpenSSL library rather than 3 × n
/// openssl processes (about a second instead of tens of seconds).
std::vector<StructureFiles> make_structures(const Workspace& ws, int n) {
  const std::string dir = ws.path("scale-pki");
  std::filesystem::create_directories(dir);
  X509Ptr ca;
  PkeyPtr ca_key;
  {
    FILE* f = std::fopen(ws.pki("ca.pem").c_str(), "r");
    if (!f) fail("no " + ws.pki("ca.pem"));
    ca.reset(PEM_read_X509(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    f = std::fopen(ws.pki("ca.key").c_str(), "r");
    if (!f) fail("no " + ws.pki("ca.key"));
    ca_key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
    std::fclose(f);
    if (!ca || !ca_key) fail("cannot read the test CA");
  }
  std::vector<StructureFiles> out;
  for (int i = 0; i < n; ++i) {
    char finess[16];
    std::snprintf(finess, sizeof finess, "75%07d", i + 1);
    StructureFiles s{finess, dir + "/" + finess + ".pem", dir + "/" + finess + ".key"};
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    X509Ptr cert(X509_new());
    if (!key || !cert) fail("keygen");
    X509_set_version(cert.get(), X509_VERSION_3);
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(BN_new());
    BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
    BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 90L * 24 * 3600);
    X509_NAME* name = X509_get_subject_name(cert.get());
    const std::string o = "Structure " + std::to_string(i + 1);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("FR"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(finess), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("INSI-AUTO"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get()));
    X509_set_pubkey(cert.get(), key.get());
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca.get(), cert.get(), nullptr, nullptr, 0);
    add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature,keyAgreement");
    add_ext(cert.get(), &ctx, NID_ext_key_usage, "clientAuth");
    add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
    add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid");
    if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) fail("sign");
    FILE* kf = open_for_write(s.key, 0600);
    const bool key_ok = PEM_write_PrivateKey(kf, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
    std::fclose(kf);
    FILE* cf = open_for_write(s.cert, 0644);
    const bool cert_ok = PEM_write_X509(cf, cert.get()) == 1;
    std::fclose(cf);
    if (!key_ok || !cert_ok) fail("write " + s.cert);
    out.push_back(std::move(s));
  }
  return out;
}

/// Kept-alive INSi connections idle this long are closed (default 30 s;
/// shorter here so that the bench can see the sockets and memory go).
constexpr std::chrono::milliseconds kIdle{3000};

/// A configuration with `structures` (the bench settings of load_bench.cpp:
/// journal at info, room for 2,000 connections, cache on).
std::string scale_config(const Workspace& ws, const std::string& name, int sim_port,
                         const std::vector<StructureFiles>& structures) {
  const std::string path = ws.path(name + ".yaml");
  std::ofstream y(path);
  y << "api:\n  socket: " << ws.path(name + ".sock") << "\n  mode_socket: \"0600\"\n"
    << "  connexions_max: 2000\n"
    << "insi:\n  url: https://localhost:" << sim_port << "/lps\n"
    << "  environnement: test\n  ca: pki/ca.pem\n"
    << "  delais: {connexion_ms: 2000, appel_ms: 5000, requete_ms: 15000, inactivite_ms: "
    << kIdle.count() << "}\n"
    << "structures:\n";
  int i = 0;
  for (const auto& s : structures)
    y << "  - {finess: \"" << s.finess << "\", nom: \"Structure " << ++i
      << "\", categorie: \"500 - EHPAD\", certificat: {certificat: " << s.cert << ", cle: " << s.key
      << "}}\n";
  y << "lps: {idam: \"IDAM-TEST\", instance: \"6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"}\n"
    << "journal: {niveau: info}\n"
    << "etat: {repertoire: " << ws.path(name + ".etat") << "}\n"
    << "cache: {duree_s: 3600}\n"
    << "metriques: {ecoute: \"127.0.0.1:0\"}\n";
  return path;
}

/// Open sockets of `pid` (/proc/PID/fd entries that are sockets).
int socket_count(pid_t pid) {
  int n = 0;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink(e.path(), ec);
    if (!ec && target.string().rfind("socket:", 0) == 0) ++n;
  }
  return n;
}

/// New TLS connections insi-sim accepted so far (journal lines of the
/// first request on a connection).
int handshakes(const Workspace& ws) {
  int n = 0;
  std::ifstream in(ws.path("sim.journal"));
  for (std::string line; std::getline(in, line);)
    if (line.find("\"handshake\":true") != std::string::npos) ++n;
  return n;
}

struct Figures {
  int structures = 0;
  int handshakes_forward1 = 0, handshakes_forward8 = 0;  ///< INSi TLS handshakes during the phase
  std::vector<double> ready_ms;
  long rss_start_kib = 0, rss_traffic_kib = 0, hwm_kib = 0, rss_idle_kib = 0;
  int sockets_after = 0, sockets_idle = 0;
  double prime_s = 0;
  Phase cache, forward1, forward8;
  double ready_median() const { return ready_ms[ready_ms.size() / 2]; }
};

std::string recherche_for(const std::string& finess, bool bypass) {
  auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
  body["finess"] = finess;
  if (bypass) body["cache"] = "bypass";
  return raw_post("/v1/ins/recherche", body.dump());
}

Figures measure(const Workspace& ws, int sim_port, const std::vector<StructureFiles>& structures,
                bool quick) {
  Figures f;
  f.structures = static_cast<int>(structures.size());
  const std::string tag = "scale" + std::to_string(structures.size());
  for (int i = 0; i < 3; ++i) {
    const std::string name = tag + "-ready" + std::to_string(i);
    auto d = start_notified(ws, name, scale_config(ws, name, sim_port, structures));
    f.ready_ms.push_back(d.ready_ms);
    d.process->stop();
  }
  std::sort(f.ready_ms.begin(), f.ready_ms.end());

  auto d = start_notified(ws, tag, scale_config(ws, tag, sim_port, structures));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  f.rss_start_kib = proc_status_kib(d.process->pid(), "VmRSS:");

  // One INSi call per structure fills its cache entry (and opens its first
  // kept-alive connection to INSi, over its own certificate).
  std::vector<std::string> hits, forwards;
  const auto t0 = SteadyClock::now();
  net::LocalHttpClient prime(d.socket, std::chrono::seconds(30));
  for (const auto& s : structures) {
    auto body = recherche_body("ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14");
    body["finess"] = s.finess;
    auto r = prime.request(http::verb::post, "/v1/ins/recherche", body.dump());
    if (r.status != 200) throw std::runtime_error("priming " + s.finess + ": " + r.body);
    hits.push_back(recherche_for(s.finess, false));
    forwards.push_back(recherche_for(s.finess, true));
  }
  f.prime_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();

  const std::uint64_t fast = quick ? 5'000 : 40'000, slow = quick ? 1'000 : 6'000;
  const std::string n = std::to_string(structures.size());
  f.cache = run_unix("cache", "cache hit, " + n + " structure(s)", d.socket, 16, fast, hits);
  // Forwarded (cache: bypass): after a warm-up of one pass over every
  // FINESS, so that what is measured is the steady state.
  const std::uint64_t warm = std::max<std::uint64_t>(200, structures.size());
  int h0 = handshakes(ws);
  f.forward1 = run_unix("forward1", "forwarded, " + n + " structure(s), 1 conn", d.socket, 1, slow / 2,
                        forwards, warm);
  int h1 = handshakes(ws);
  f.forward8 = run_unix("forward8", "forwarded, " + n + " structure(s), 8 conns", d.socket, 8, slow,
                        forwards, warm);
  f.handshakes_forward1 = h1 - h0;
  f.handshakes_forward8 = handshakes(ws) - h1;
  f.rss_traffic_kib = proc_status_kib(d.process->pid(), "VmRSS:");
  f.hwm_kib = proc_status_kib(d.process->pid(), "VmHWM:");
  f.sockets_after = socket_count(d.process->pid());
  // Once the INSi connections have been idle for kIdle, and swept.
  std::this_thread::sleep_for(kIdle + std::chrono::milliseconds(1500));
  f.rss_idle_kib = proc_status_kib(d.process->pid(), "VmRSS:");
  f.sockets_idle = socket_count(d.process->pid());
  d.process->stop();
  return f;
}

nlohmann::json phase_json(const Phase& p) {
  return {{"requests", p.requests}, {"errors", p.errors}, {"rps", p.rps()},
          {"p50_us", p.h.percentile(0.5) / 1000.0}, {"p99_us", p.h.percentile(0.99) / 1000.0},
          {"max_us", p.h.max() / 1000.0}};
}

}  // namespace

nlohmann::json run_scale(const Workspace& ws, int sim_port, int structures, bool quick,
                         std::ostream& md) {
  const auto t0 = SteadyClock::now();
  const auto all = make_structures(ws, structures);
  const double pki_s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  const Figures one = measure(ws, sim_port, {all.front()}, quick);
  const Figures many = measure(ws, sim_port, all, quick);

  char line[512];
  auto verdict = [](bool ok) { return ok ? "met" : "**missed**"; };
  md << "\n## Scale: " << structures << " structures (issue 12)\n\n"
     << "| measure | 1 structure | " << structures << " structures | " << structures
     << " ÷ 1 | target | |\n|---|---:|---:|---:|---|---|\n";
  std::snprintf(line, sizeof line,
                "| process start → READY=1, ms (median of 3) | %.0f | %.0f | | < 1000 ms | %s |\n",
                one.ready_median(), many.ready_median(), verdict(many.ready_median() < 1000));
  md << line;
  std::snprintf(line, sizeof line, "| RSS after start, MiB | %.1f | %.1f | | < 80 MB | %s |\n",
                one.rss_start_kib / 1024.0, many.rss_start_kib / 1024.0,
                verdict(many.rss_start_kib * 1024.0 < 80e6));
  md << line;
  std::snprintf(line, sizeof line,
                "| RSS after the traffic, MiB (peak VmHWM) | %.1f (%.1f) | %.1f (%.1f) | | < 80 MB | %s |\n",
                one.rss_traffic_kib / 1024.0, one.hwm_kib / 1024.0, many.rss_traffic_kib / 1024.0,
                many.hwm_kib / 1024.0, verdict(many.hwm_kib * 1024.0 < 80e6));
  md << line;
  std::snprintf(line, sizeof line, "| open sockets after the traffic | %d | %d | | — | |\n",
                one.sockets_after, many.sockets_after);
  md << line;
  std::snprintf(line, sizeof line,
                "| RSS, MiB, and open sockets once the INSi connections idle %lld ms are closed | %.1f, %d | %.1f, %d | | — | |\n",
                static_cast<long long>(kIdle.count()), one.rss_idle_kib / 1024.0, one.sockets_idle,
                many.rss_idle_kib / 1024.0, many.sockets_idle);
  md << line;
  std::snprintf(line, sizeof line,
                "| priming: one recherche per structure (new TLS session each), s | %.2f | %.2f | | — | |\n",
                one.prime_s, many.prime_s);
  md << line;
  auto row = [&](const char* what, const Phase& a, const Phase& b) {
    const double r = a.rps() > 0 ? b.rps() / a.rps() : 0;
    std::snprintf(line, sizeof line, "| %s, req/s (errors) | %.0f (%llu) | %.0f (%llu) | %.2f | ≥ 0.90 | %s |\n",
                  what, a.rps(), static_cast<unsigned long long>(a.errors), b.rps(),
                  static_cast<unsigned long long>(b.errors), r, verdict(r >= 0.9 && b.errors == 0));
    md << line;
    for (double q : {0.5, 0.99}) {
      const double la = static_cast<double>(a.h.percentile(q)), lb = static_cast<double>(b.h.percentile(q));
      std::snprintf(line, sizeof line, "| %s, p%g µs | %s | %s | %.2f | ≤ 1.10 | %s |\n", what, q * 100,
                    fmt_us(a.h.percentile(q)).c_str(), fmt_us(b.h.percentile(q)).c_str(), lb / la,
                    verdict(lb <= 1.1 * la));
      md << line;
    }
  };
  row("cache hit, 16 conns", one.cache, many.cache);
  row("forwarded, 1 conn", one.forward1, many.forward1);
  row("forwarded, 8 conns", one.forward8, many.forward8);
  std::snprintf(line, sizeof line,
                "| TLS handshakes insi-sim saw during the forwarded phases (1 conn; 8 conns, warm-up included) | %d; %d | %d; %d | | — | |\n",
                one.handshakes_forward1, one.handshakes_forward8, many.handshakes_forward1,
                many.handshakes_forward8);
  md << line;
  std::snprintf(line, sizeof line,
                "\n%d EC P-256 keys and certificates generated and signed by the test CA in %.2f s. "
                "Requests rotate over every configured FINESS (%d); forwarded ones carry "
                "`cache: bypass` and are measured after one warm-up pass over every FINESS.\n",
                structures, pki_s, structures);
  md << line;

  auto figures = [&](const Figures& f) {
    return nlohmann::json{{"structures", f.structures}, {"ready_ms", f.ready_ms},
                          {"rss_start_kib", f.rss_start_kib}, {"rss_traffic_kib", f.rss_traffic_kib},
                          {"hwm_kib", f.hwm_kib}, {"sockets_after", f.sockets_after},
                          {"rss_idle_kib", f.rss_idle_kib}, {"sockets_idle", f.sockets_idle},
                          {"prime_s", f.prime_s},
                          {"handshakes_forward_c1", f.handshakes_forward1},
                          {"handshakes_forward_c8", f.handshakes_forward8}, {"cache", phase_json(f.cache)},
                          {"forward_c1", phase_json(f.forward1)}, {"forward_c8", phase_json(f.forward8)}};
  };
  return {{"pki_s", pki_s}, {"one", figures(one)}, {"many", figures(many)}};
}

}  // namespace insgate::bench

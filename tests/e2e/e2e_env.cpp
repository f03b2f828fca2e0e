// SPDX-License-Identifier: GPL-3.0-or-later
#include "e2e_env.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace insgate::testing {

namespace fs = std::filesystem;

Workspace::Workspace() {
  char tmpl[] = "/tmp/insgate-e2e.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  std::string script = std::string(INSGATE_SOURCE_DIR) + "/tests/pki/make-test-pki";
  if (run_command({script, dir_ + "/pki"}, dir_ + "/pki.log") != 0)
    throw std::runtime_error("make-test-pki failed: " + read_file(dir_ + "/pki.log"));
}

Workspace::~Workspace() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Simulator::Simulator(const Workspace& ws, const std::string& name, const std::string& server,
                     int port) {
  std::string port_file = ws.path(name + ".port");
  journal_path_ = ws.path(name + ".journal");
  log_path_ = ws.path(name + ".log");
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{std::string(INSGATE_BIN_DIR) + "/insi-sim", "--listen",
                               "127.0.0.1:" + std::to_string(port), "--port-file", port_file, "--cert",
                               ws.pki(server + ".pem"), "--key", ws.pki(server + ".key"), "--ca",
                               ws.pki("ca.pem"), "--dataset",
                               std::string(INSGATE_SOURCE_DIR) + "/tests/insi-sim/dataset.yaml",
                               "--journal", journal_path_},
      ws.path(name + ".log"));
  if (!wait_until([&] { return !read_file(port_file).empty(); }))
    throw std::runtime_error("insi-sim did not start: " + read_file(ws.path(name + ".log")));
  port_ = std::stoi(read_file(port_file));
}

std::string Simulator::log() const { return read_file(log_path_); }

void Simulator::refuse_tls(bool on) {
  const std::string line = std::string("TLS handshakes refused: ") + (on ? "on" : "off");
  auto count = [&] {
    std::string text = log();
    std::size_t n = 0;
    for (auto at = text.find(line); at != std::string::npos; at = text.find(line, at + 1)) ++n;
    return n;
  };
  const std::size_t before = count();
  signal(on ? SIGUSR1 : SIGUSR2);
  if (!wait_until([&] { return count() > before; }))
    throw std::runtime_error("insi-sim did not switch TLS refusal " + std::string(on ? "on" : "off"));
}

std::vector<nlohmann::json> Simulator::journal() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_file(journal_path_));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string write_daemon_config(const Workspace& ws, const std::string& name,
                                const DaemonOptions& opt) {
  std::string socket = ws.path(name + ".sock");
  std::string cfg = ws.path(name + ".yaml");
  std::ofstream(cfg) << "api:\n  socket: " << socket << "\n  mode_socket: \"" << opt.socket_mode
                     << "\"\n"
                     << opt.api_extra
                     << "insi:\n  url: https://localhost:" << opt.port << "/lps\n"
                     << "  environnement: test\n"
                     << "  certificat:\n    certificat: pki/" << opt.client << ".pem\n    cle: pki/"
                     << opt.client << ".key\n"
                     << "  ca: pki/ca.pem\n"
                     << "  delais: {connexion_ms: 2000, appel_ms: " << opt.call_ms
                     << ", requete_ms: " << opt.request_ms
                     << (opt.idle_ms > 0 ? ", inactivite_ms: " + std::to_string(opt.idle_ms) : "")
                     << "}\n"
                     << "  reprises: {max: " << opt.retries << ", attente_ms: " << opt.backoff_ms
                     << "}\n"
                     << "  circuit: {echecs: " << opt.circuit_failures
                     << ", pause_ms: " << opt.circuit_cooldown_ms << "}\n"
                     << opt.insi_extra
                     << "structure: {finess: \"010000001\", nom: \"EHPAD de test\"}\n"
                     << "lps: {idam: \"" << opt.idam
                     << "\", instance: \"6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b\"}\n"
                     << "journal: {niveau: debug}\n"
                     << "etat: {repertoire: " << ws.path(name + ".etat") << "}\n"
                     << "cache: {duree_s: " << opt.cache_ttl_s << "}\n"
                     << "metriques: {ecoute: \"127.0.0.1:0\"}\n"
                     << opt.top_extra;
  return cfg;
}


Daemon::Daemon(const Workspace& ws, const std::string& name, const DaemonOptions& opt,
               const std::string& config) {
  socket_ = ws.path(name + ".sock");
  log_ = ws.path(name + ".log");
  std::string cfg = config.empty() ? write_daemon_config(ws, name, opt) : config;
  std::vector<std::string> argv = opt.launcher;
  for (std::string a : {std::string(INSGATE_BIN_DIR) + "/insgated", std::string("--config"), cfg})
    argv.push_back(std::move(a));
  process_ = std::make_unique<ChildProcess>(argv, log_);
  bool up = wait_until([&] {
    try {
      net::LocalHttpClient c(socket_, std::chrono::seconds(2));
      auto status = c.request(http::verb::get, "/v1/health").status;
      return status == 200 || status == 403;  // 403: up, but this caller is not allowed
    } catch (const std::exception&) {
      return false;
    }
  });
  if (!up) throw std::runtime_error("insgated did not start: " + read_file(log_));
}

nlohmann::json recherche_body(const std::string& nom, const std::vector<std::string>& prenoms,
                              const std::string& sexe, const std::string& date) {
  return {{"operateur", "u-test"},
          {"traits",
           {{"nom_naissance", nom}, {"prenoms", prenoms}, {"sexe", sexe}, {"date_naissance", date}}}};
}

Answer post_recherche(net::LocalHttpClient& client, const nlohmann::json& body,
                      const std::string& request_id) {
  return post_json(client, "/v1/ins/recherche", body, request_id);
}

Answer post_json(net::LocalHttpClient& client, const std::string& path,
                 const nlohmann::json& body, const std::string& request_id) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!request_id.empty()) headers.emplace_back("X-Request-Id", request_id);
  Answer a;
  a.raw = client.request(http::verb::post, path, body.dump(), headers);
  a.status = a.raw.status;
  a.body = nlohmann::json::parse(a.raw.body, nullptr, false);
  record_answer("post", path, a.raw);
  return a;
}

Answer get_json(net::LocalHttpClient& client, const std::string& path) {
  Answer a;
  a.raw = client.request(http::verb::get, path);
  a.status = a.raw.status;
  a.body = nlohmann::json::parse(a.raw.body, nullptr, false);
  record_answer("get", path, a.raw);
  return a;
}

void record_answer(const std::string& method, const std::string& path,
                   const net::LocalReply& reply) {
  const char* file = std::getenv("INSGATE_E2E_ANSWERS");
  if (file == nullptr || *file == '\0') return;
  const std::string line = nlohmann::json({{"method", method},
                                           {"path", path},
                                           {"status", reply.status},
                                           {"content_type", reply.content_type},
                                           {"body", reply.body}})
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                           "\n";
  // One write() per line on an O_APPEND file: lines of tests running in
  // parallel do not interleave.
  int fd = ::open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t written = ::write(fd, line.data(), line.size());
  (void)written;
  ::close(fd);
}

nlohmann::json ecetinsi_qualification_body(const std::string& finess,
                                           const std::string& identifiant_local,
                                           const std::string& operateur) {
  nlohmann::json body = {
      {"operateur", operateur},
      {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"}}},
      {"piece_identite", {{"type", "CNI"}, {"verifiee_le", "2026-01-15"}}},
      {"identifiant_local", identifiant_local}};
  if (!finess.empty()) body["finess"] = finess;
  return body;
}

CurlAnswer curl(const Workspace& ws, int port, const std::string& path, const std::string& body,
                const std::vector<std::string>& tls, const std::string& request_id,
                const std::vector<std::string>& extra) {
  static std::atomic<int> n{0};
  const std::string tag = ws.path("curl" + std::to_string(++n));
  std::vector<std::string> argv{"/usr/bin/curl", "-sS", "--max-time", "30", "-o", tag + ".body", "-D",
                                tag + ".headers"};
  if (!body.empty()) {
    std::ofstream(tag + ".json") << body;
    for (std::string a : {"-H", "Content-Type: application/json", "--data-binary"}) argv.push_back(a);
    argv.push_back("@" + tag + ".json");
  }
  if (!request_id.empty()) {
    argv.push_back("-H");
    argv.push_back("X-Request-Id: " + request_id);
  }
  argv.insert(argv.end(), tls.begin(), tls.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back((tls.empty() ? "http://127.0.0.1:" : "https://127.0.0.1:") + std::to_string(port) +
                 path);
  CurlAnswer a;
  a.exit_code = run_command(argv, tag + ".log");
  a.log = read_file(tag + ".log");
  a.headers = read_file(tag + ".headers");
  // The last status line (after a possible 100 Continue).
  std::istringstream in(a.headers);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("HTTP/", 0) == 0) a.status = static_cast<unsigned>(std::stoul(line.substr(9, 3)));
  a.raw = read_file(tag + ".body");
  a.body = nlohmann::json::parse(a.raw, nullptr, false);
  return a;
}

std::vector<std::string> curl_tls_args(const Workspace& ws, const std::string& client) {
  std::vector<std::string> a{"--cacert", ws.pki("ca.pem")};
  if (!client.empty()) a.insert(a.end(), {"--cert", ws.pki(client + ".pem"), "--key", ws.pki(client + ".key")});
  return a;
}

std::string journal_client_ou(const nlohmann::json& entry) {
  const std::string s = entry.value("client_subject", "");
  const auto at = s.find("OU=");
  if (at == std::string::npos) return {};
  const auto end = s.find(',', at);
  return s.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

int metrics_port(const std::string& log) {
  const std::string marker = "[APP_METRICS] Prometheus metrics on 127.0.0.1:";
  const auto at = log.rfind(marker);
  if (at == std::string::npos) throw std::runtime_error("no Prometheus listener in the daemon's log");
  return std::stoi(log.substr(at + marker.size()));
}

std::string scrape_metrics(const Workspace& ws, const Daemon& d) {
  int port = 0;
  try {
    port = metrics_port(d.log());
  } catch (const std::runtime_error& e) {
    ADD_FAILURE() << e.what();
    return "";
  }
  static int scrapes = 0;  // one file per scrape: run_command appends to its output file
  const std::string out = ws.path("metrics-" + std::to_string(++scrapes) + ".txt");
  EXPECT_EQ(run_command({"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(port) + "/metrics"},
                        out),
            0);
  return read_file(out);
}

double metric_sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

double metric_sample(const std::string& text, const std::string& family,
                     const std::vector<std::string>& labels) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(family + "{", 0) != 0) continue;
    bool all = true;
    for (const auto& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void SimAndDaemonTest::SetUp() {
  sim = std::make_unique<Simulator>(ws, "sim");
  DaemonOptions opt;
  opt.port = sim->port();
  configure(opt);
  daemon = std::make_unique<Daemon>(ws, "insgated", opt);
  client = std::make_unique<net::LocalHttpClient>(daemon->socket(), std::chrono::seconds(30));
}

std::string this_month() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m", &tm);
  return buf;
}

}  // namespace insgate::testing

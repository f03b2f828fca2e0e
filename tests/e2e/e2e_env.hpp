// insgate end-to-end tests — a throw-away PKI, insi-sim and insgated as real
// processes, talking mutual TLS and HTTP over a Unix socket.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/local_http_client.hpp"
#include "process.hpp"

namespace insgate::testing {

/// A temp directory removed on destruction, with a test PKI in pki/.
class Workspace {
 public:
  Workspace();
  ~Workspace();
  const std::string& dir() const { return dir_; }
  std::string pki(const std::string& file) const { return dir_ + "/pki/" + file; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

/// insi-sim started with the default dataset; `server` selects the server
/// certificate (server / server-otherhost).
class Simulator {
 public:
  /// `port` 0 picks a free one.
  Simulator(const Workspace& ws, const std::string& name, const std::string& server = "server",
            int port = 0);
  int port() const { return port_; }
  /// Journal lines (one JSON object per POST received) so far.
  std::vector<nlohmann::json> journal() const;
  void stop() { process_->stop(); }
  /// Sends `sig` without waiting (e.g. SIGSTOP / SIGCONT: an INSi that hangs).
  void signal(int sig) { ::kill(process_->pid(), sig); }
  /// Refuses every new TLS handshake (SIGUSR1) or stops refusing (SIGUSR2);
  /// returns once the simulator says so in its log.
  void refuse_tls(bool on);
  /// The simulator's stderr so far.
  std::string log() const;

 private:
  std::string journal_path_;
  std::string log_path_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

struct DaemonOptions {
  int port = 0;                      ///< simulator port
  std::string client = "client";     ///< client certificate base name in pki/
  std::string idam = "IDAM-TEST";
  int call_ms = 5000;
  int request_ms = 15000;
  int idle_ms = 0;         ///< insi.delais.inactivite_ms; 0: the default
  int retries = 2;
  int backoff_ms = 50;
  int circuit_failures = 5;
  int circuit_cooldown_ms = 30000;
  int cache_ttl_s = 0;     ///< 0: every request reaches insi-sim
  std::string insi_extra;  ///< more YAML lines inside `insi:` (2-space indented)
  std::string top_extra;   ///< more top-level YAML lines
  std::string api_extra;   ///< more lines of the api: section (two-space indented)
  std::string socket_mode = "0600";
  /// argv put before insgated's, e.g. {"/usr/bin/env", "FAKETIME=..."}: an
  /// exec-ing launcher, so that signals reach the daemon itself.
  std::vector<std::string> launcher;
};

/// Writes the insgated configuration for `opt` into the workspace; returns
/// its path. The socket is ws.path(name + ".sock").
std::string write_daemon_config(const Workspace& ws, const std::string& name,
                                const DaemonOptions& opt);

/// insgated with a generated configuration.
class Daemon {
 public:
  /// `config`: a configuration file already written (its socket must be
  /// ws.path(name + ".sock")); empty: write_daemon_config(ws, name, opt).
  Daemon(const Workspace& ws, const std::string& name, const DaemonOptions& opt,
         const std::string& config = "");
  const std::string& socket() const { return socket_; }
  std::string log() const { return read_file(log_); }
  /// Sends `sig` (e.g. 9 for kill -9) and reaps the process.
  void stop(int sig) { process_->stop(sig); }
  /// Sends `sig` without waiting (e.g. SIGHUP).
  void signal(int sig) { ::kill(process_->pid(), sig); }
  /// Whether the process is still running (reaps it once it has exited).
  bool running() { return process_->running(); }
  pid_t pid() const { return process_->pid(); }

 private:
  std::string socket_;
  std::string log_;
  std::unique_ptr<ChildProcess> process_;
};

/// A POST /v1/ins/recherche body.
nlohmann::json recherche_body(const std::string& nom, const std::vector<std::string>& prenoms,
                              const std::string& sexe, const std::string& date);

/// Sends a recherche and returns status + parsed JSON body.
struct Answer {
  unsigned status = 0;
  nlohmann::json body;
  net::LocalReply raw;
};
/// POSTs `body` to `path` of the local API; the answer body parsed (a
/// discarded json when it is not JSON).
Answer post_json(net::LocalHttpClient& client, const std::string& path,
                 const nlohmann::json& body, const std::string& request_id = "");
/// GETs `path` (with its query string); the answer body parsed.
Answer get_json(net::LocalHttpClient& client, const std::string& path);

/// Appends one answer of the daemon (method, path, status, content type,
/// body) as a JSON line to the file named by INSGATE_E2E_ANSWERS, when set:
/// tests/e2e/openapi_validate.py then checks every recorded answer against
/// proto/openapi.yaml (ctest fixture e2e_answers). post_json and get_json
/// call it.
void record_answer(const std::string& method, const std::string& path,
                   const net::LocalReply& reply);

/// A person of insi-sim's dataset (tests/insi-sim/dataset.yaml) that INSi
/// finds (CR 00), with the matricule and key it returns.
struct DatasetPerson {
  const char* nom;
  const char* prenom;
  const char* sexe;
  const char* date;  ///< AAAA-MM-JJ
  const char* matricule;
  const char* cle;
};

/// The dataset's CR 00 persons.
inline constexpr DatasetPerson kCr00Persons[] = {
    {"ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", "1090763220834", "89"},
    {"ADRTROIS", "TOUSSAINT", "M", "1960-01-01", "160012B020777", "13"},
    {"ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "297022A020778", "78"},
    {"TCHITCHI", "CATARINA", "F", "1936-06-21", "2360663220836", "56"},
    {"CORSE", "ANTHONY", "M", "1980-03-02", "180032B020401", "23"},
    {"ADRUN", "ZOE", "F", "1975-12-31", "2751263220749", "74"},
    {"NESSI", "MICHELANGELO", "M", "2010-08-07", "1100863220830", "60"},
};

/// A POST /v1/ins/qualification body for the dataset's ECETINSI
/// (1090763220834 89, a CNI checked on 2026-01-15) at `finess` ("" for
/// none: a single structure).
nlohmann::json ecetinsi_qualification_body(const std::string& finess,
                                           const std::string& identifiant_local = "IPP-000123",
                                           const std::string& operateur = "u-test");

/// post_json to /v1/ins/recherche.
Answer post_recherche(net::LocalHttpClient& client, const nlohmann::json& body,
                      const std::string& request_id = "");

/// A free loopback TCP port with nothing listening on it.
int unused_port();

/// The port of the daemon's Prometheus listener, from the last
/// "[APP_METRICS] Prometheus metrics on 127.0.0.1:PORT" line of `log` (a
/// log is appended across restarts); throws std::runtime_error when absent.
int metrics_port(const std::string& log);

/// GET /metrics of the running daemon `d` (curl into a new file of `ws`);
/// the exposition text. A failed scrape is a test failure and gives "".
std::string scrape_metrics(const Workspace& ws, const Daemon& d);

/// The value of the sample whose line starts with `series` (name and labels
/// exactly as prometheus-cpp writes them); -1 when absent.
double metric_sample(const std::string& text, const std::string& series);

/// The value of the first sample of `family` whose labels contain every
/// string of `labels` (e.g. "operation=\"verification\""); -1 when absent.
double metric_sample(const std::string& text, const std::string& family,
                     const std::vector<std::string>& labels);

/// What curl got from the TCP listener: its exit code (0: an HTTP answer
/// was read), the status of the last HTTP response, its headers and body.
struct CurlAnswer {
  int exit_code = -1;
  unsigned status = 0;
  std::string headers;
  std::string raw;   ///< the body as received
  nlohmann::json body;  ///< the body parsed (discarded when not JSON)
  std::string log;   ///< curl's stderr (-sS: errors only)
};

/// One curl call to 127.0.0.1:`port`; `body` empty: GET, else POST of a JSON
/// body. `tls`: its arguments (curl_tls_args), the URL scheme is then
/// https. `extra`: more curl arguments. Files go to `ws`.
CurlAnswer curl(const Workspace& ws, int port, const std::string& path, const std::string& body,
                const std::vector<std::string>& tls = {}, const std::string& request_id = "",
                const std::vector<std::string>& extra = {});

/// --cacert (the test CA) and, unless `client` is empty, --cert/--key of the
/// test PKI's `client`.pem/.key.
std::vector<std::string> curl_tls_args(const Workspace& ws, const std::string& client);

/// The OU of an insi-sim journal entry's client certificate subject
/// (RFC 2253 "client_subject"; the test PKI puts the FINESS there); "" if none.
std::string journal_client_ou(const nlohmann::json& entry);

/// Fixture: insi-sim with its dataset, insgated in front of it (default
/// DaemonOptions, which a test class may change in configure()), and a
/// client on the daemon's socket.
class SimAndDaemonTest : public ::testing::Test {
 protected:
  /// Called before the daemon starts; opt.port is the simulator's.
  virtual void configure(DaemonOptions& opt) {}
  void SetUp() override;

  Workspace ws;
  std::unique_ptr<Simulator> sim;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<net::LocalHttpClient> client;
};

/// The current month in local time, "AAAA-MM": the `mois` of the monthly
/// report (GET /v1/stats/mensuel?mois=) that counts what a test does now.
std::string this_month();

}  // namespace insgate::testing

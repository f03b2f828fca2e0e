// SPDX-License-Identifier: GPL-3.0-or-later
#include "pg_cluster.hpp"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "process.hpp"

namespace insgate::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRole = "insgate";

std::string find_bin_dir() {
  const fs::path base = "/usr/lib/postgresql";
  std::error_code ec;
  std::string best;
  for (const auto& e : fs::directory_iterator(base, ec)) {
    if (fs::exists(e.path() / "bin" / "initdb") && e.path().string() > best)
      best = e.path().string();
  }
  if (best.empty())
    throw std::runtime_error("PostgreSQL server binaries not found under /usr/lib/postgresql "
                             "(scripts/install-deps installs the Debian postgresql package)");
  return best + "/bin";
}

}  // namespace

PgCluster::PgCluster() : bin_(find_bin_dir()) {
  try {
    create_and_start();
  } catch (...) {
    // The reason is in the exception (logs read already): leave nothing behind.
    if (!data_.empty()) stop_server();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    throw;
  }
}

void PgCluster::create_and_start() {
  std::string tmpl = (fs::temp_directory_path() / "insgate-pg-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for the test cluster");
  dir_ = tmpl;
  data_ = dir_ + "/data";
  log_ = dir_ + "/server.log";
  if (::geteuid() == 0) {
    struct passwd* pw = ::getpwnam("postgres");
    if (!pw)
      throw std::runtime_error("running as root and no `postgres` user to run the test "
                               "cluster as (install the Debian postgresql package)");
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
      throw std::runtime_error("cannot give " + dir_ + " to the postgres user");
    as_postgres_ = true;
  }
  std::vector<std::string> initdb{bin_ + "/initdb", "-D", data_, "-U", kRole, "-A", "trust",
                                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"};
  if (as_postgres_) initdb.insert(initdb.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  const std::string initdb_log = dir_ + "/initdb.log";
  if (int rc = run_command(initdb, initdb_log); rc != 0)
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + ") in " + dir_ + ": " +
                             read_file(initdb_log));
  start_server();
}

void PgCluster::start_server() {
  // Options: no TCP, the socket in our directory, no durability (tests).
  std::vector<std::string> cmd{bin_ + "/pg_ctl", "-D", data_, "-l", log_, "-w", "-t", "60",
                               "-o",
                               "-c listen_addresses='' -k " + dir_ +
                                   " -c fsync=off -c synchronous_commit=off "
                                   "-c full_page_writes=off -c max_connections=100",
                               "start"};
  if (as_postgres_) cmd.insert(cmd.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  const std::string out = dir_ + "/pg_ctl.log";
  if (int rc = run_command(cmd, out); rc != 0)
    throw std::runtime_error("pg_ctl start failed (exit " + std::to_string(rc) + "): " +
                             read_file(out) + "\nserver log " + log_ + ":\n" + read_file(log_));
}

void PgCluster::stop_server() {
  std::vector<std::string> cmd{bin_ + "/pg_ctl", "-D", data_, "-w", "-m", "fast", "stop"};
  if (as_postgres_) cmd.insert(cmd.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  run_command(cmd, dir_ + "/pg_ctl.log");
}

PgCluster::~PgCluster() {
  stop_server();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PgCluster::conninfo(const std::string& dbname) const {
  return "host=" + dir_ + " dbname=" + dbname + " user=" + kRole;
}

std::string PgCluster::fresh_database() {
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++next_db_);
  std::vector<std::string> cmd{bin_ + "/createdb", "-h", dir_, "-U", kRole, name};
  const std::string out = dir_ + "/createdb.log";
  if (int rc = run_command(cmd, out); rc != 0)
    throw std::runtime_error("createdb failed (exit " + std::to_string(rc) + "): " +
                             read_file(out) + "\nserver log:\n" + read_file(log_));
  return conninfo(name);
}

PgCluster& shared_pg_cluster() {
  static std::string failure;
  static std::unique_ptr<PgCluster> cluster = [] {
    try {
      return std::make_unique<PgCluster>();
    } catch (const std::exception& e) {
      failure = e.what();
      return std::unique_ptr<PgCluster>();
    }
  }();
  if (!cluster) throw std::runtime_error("test PostgreSQL cluster did not start: " + failure);
  return *cluster;
}

}  // namespace insgate::testing

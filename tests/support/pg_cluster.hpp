// insgate tests — a private PostgreSQL cluster for the tests of the
// PostgreSQL state store (issue 15): initdb + pg_ctl from the Debian
// `postgresql` package (/usr/lib/postgresql/<major>/bin) in a temporary
// directory, listening on a Unix socket in that directory only
// (listen_addresses ''), trust authentication for its one role.
// PostgreSQL refuses to run as root: when the tests run as root (CI), the
// directory is given to the `postgres` user the package creates and the
// server runs as that user (runuser). The cluster is stopped and its
// directory removed when the object is destroyed.
// A cluster that cannot start is an error whose message holds the server
// log: the tests using it fail with that reason, they never skip.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace insgate::testing {

class PgCluster {
 public:
  /// Starts a cluster. @throw std::runtime_error with the reason (command,
  /// exit code, server log) when it cannot.
  PgCluster();
  /// pg_ctl stop (fast), then removes the directory.
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  /// libpq connection string to database `dbname` (default: postgres).
  std::string conninfo(const std::string& dbname = "postgres") const;
  /// Creates an empty database with a fresh name; @return its conninfo.
  /// @throw std::runtime_error
  std::string fresh_database();
  /// The socket directory (host= in conninfo).
  const std::string& socket_dir() const { return dir_; }
  /// Stops / starts the server again (same data), for outage tests.
  void stop_server();
  void start_server();

 private:
  void create_and_start();
  std::string dir_;   // owned by the server's user; socket and log inside
  std::string data_;  // dir_/data
  std::string log_;   // dir_/server.log
  std::string bin_;   // /usr/lib/postgresql/<major>/bin
  bool as_postgres_ = false;
  int next_db_ = 0;
};

/// One cluster per test binary, started on first use; a failed start is
/// remembered and reported by every later call. @throw std::runtime_error
PgCluster& shared_pg_cluster();

}  // namespace insgate::testing

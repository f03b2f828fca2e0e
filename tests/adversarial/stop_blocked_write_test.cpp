// Adversarial: SIGTERM while a caller that never reads its answers has a
// request waiting on INSi. Regression test for a bug the attack session
// found (fixed: write_now switches the socket to non-blocking first).
//
// At the end of the stop drain, SessionRegistry::abort_busy() answers each
// request still waiting with Connection::write_now(), a *synchronous*
// http::write. Beast stream timeouts (expires_after) only bound asynchronous
// operations, so this write has no deadline: when the caller's connection
// is full (it pipelined requests and read none of the answers), the io
// thread blocks in write(2) and the daemon never exits (until the caller
// goes away, or systemd's SIGKILL after TimeoutStopSec), and every request
// after it in the registry gets no 503 either. Expected: the process exits
// within the 5 s drain plus a few seconds whatever the callers do.
//
// The callers pipeline k GET /v1/health (k = 100..259: one of them fills the
// daemon's socket send buffer exactly with its last answer, whatever
// net.core.wmem_default is within ~130..340 KiB) followed by a recherche
// that waits on INSi (insi-sim stopped with SIGSTOP, long retry backoffs).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adversarial_env.hpp"

namespace insgate::testing::adv {
namespace {

TEST(StopBlockedWrite, sigterm_exits_even_when_a_caller_with_a_waiting_request_reads_nothing) {
  Workspace ws;
  Simulator sim(ws, "sim");
  DaemonOptions opt;
  opt.port = sim.port();
  opt.call_ms = 20000;
  opt.request_ms = 30000;
  // INSi stopped: each call fails at connect_ms (2 s); long backoffs and no
  // circuit keep the recherches waiting (busy) well past the 5 s drain.
  opt.retries = 2;
  opt.backoff_ms = 5000;
  opt.circuit_failures = 1000;  // the maximum
  AdvDaemon d(ws, "stopw", opt, "  connexions_max: 400\n");
  ASSERT_EQ(health_status(d.socket()), 200);
  sim.signal(SIGSTOP);  // INSi hangs: the recherches stay busy

  const std::string health = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string waiting = post("/v1/ins/recherche", valid_recherche_body());
  std::vector<std::unique_ptr<RawConn>> callers;
  for (int k = 100; k < 260; ++k) {
    callers.push_back(std::make_unique<RawConn>(d.socket()));
    std::string pipeline;
    for (int i = 0; i < k; ++i) pipeline += health;
    ASSERT_TRUE(callers.back()->send(pipeline + waiting));  // fits the caller's send buffer
  }
  std::this_thread::sleep_for(2500ms);  // answers written until each connection is full

  auto signalled = std::chrono::steady_clock::now();
  ::kill(d.pid(), SIGTERM);
  bool exited = wait_until([&] { return !d.running(); }, 12s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - signalled);
  sim.signal(SIGCONT);
  EXPECT_TRUE(exited) << "insgated still running " << took.count()
                      << " ms after SIGTERM (5 s drain): blocked writing a 503 to a caller "
                         "that reads nothing\n"
                      << d.log().substr(d.log().rfind("[APP_STOP]") == std::string::npos
                                            ? 0
                                            : d.log().rfind("[APP_STOP]"),
                                        600);
  callers.clear();  // lets a blocked daemon go
}

}  // namespace
}  // namespace insgate::testing::adv

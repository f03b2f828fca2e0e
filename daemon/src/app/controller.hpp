// insgate — launch steps of insgated (Kea's DControllerBase in spirit):
// load the configuration, build the INSi client, listen, notify systemd,
// run the event loop, stop cleanly on SIGTERM/SIGINT.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

#include "config/config.hpp"

namespace insgate::app {

/// Runs the daemon until a stop signal. Returns the process exit code.
/// @throw config::ConfigError, insi::TlsSetupError, api::ListenError at start-up.
int run(const config::Config& cfg);

/// Checks everything start-up would check without listening (configuration,
/// certificate, key, CA files). @throw as run().
void check(const config::Config& cfg);

}  // namespace insgate::app

// insgate — the daemon's event loop, with allocation failures contained.
//
// Asio lets an exception thrown by a completion handler leave
// io_context::run(); the handler (and the operation or coroutine it
// belonged to) is destroyed on the way out, and run() may be called again
// (Asio documentation, "Exceptions thrown from handlers"). Issue 22: a
// std::bad_alloc raised while parsing one connection's request inside a
// Beast handler escaped run() and ended the daemon for every caller.
// [main-thread] Called once, by the controller.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>

#include "net/net.hpp"

namespace insgate::app {

/// Runs `io` until it stops or runs out of work. A std::bad_alloc thrown by a
/// handler drops that handler only (its connection is closed with it) and is
/// logged; run() is then resumed. Any other exception still propagates.
/// @return how many allocation failures were contained.
std::size_t run_event_loop(asio::io_context& io);

}  // namespace insgate::app

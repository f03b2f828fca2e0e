// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/event_loop.hpp"

#include <spdlog/spdlog.h>

#include <new>

namespace insgate::app {

std::size_t run_event_loop(asio::io_context& io) {
  std::size_t contained = 0;
  for (;;) {
    try {
      io.run();
      return contained;
    } catch (const std::bad_alloc&) {
      ++contained;
      try {
        spdlog::error("[APP_MEMORY] allocation failure in an event handler: the connection or "
                      "task it served is dropped, the daemon goes on");
      } catch (...) {  // no memory even to log: go on all the same
      }
    }
  }
}

}  // namespace insgate::app

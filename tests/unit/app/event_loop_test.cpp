// Unit tests of app/event_loop.hpp: an allocation failure inside an Asio
// handler drops that handler (and the coroutine waiting on it, whose
// connection closes), never the loop (issue 22).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/event_loop.hpp"

#include <gtest/gtest.h>

#include <new>

namespace insgate::app {
namespace {

TEST(EventLoop, a_handler_throwing_bad_alloc_is_dropped_and_the_loop_goes_on) {
  asio::io_context io;
  bool later_ran = false;
  asio::post(io, [] { throw std::bad_alloc(); });
  asio::post(io, [&] { later_ran = true; });
  EXPECT_EQ(run_event_loop(io), 1u);
  EXPECT_TRUE(later_ran);
}

TEST(EventLoop, other_exceptions_still_end_the_loop) {
  asio::io_context io;
  asio::post(io, [] { throw std::runtime_error("bug"); });
  EXPECT_THROW(run_event_loop(io), std::runtime_error);
}

/// A composed operation standing for Beast's read: its intermediate step
/// (where Beast parses and allocates) runs inside a handler, not inside the
/// coroutine that awaits it, and throws.
template <class Token>
auto async_parse_that_runs_out_of_memory(Local::socket& socket, char& byte, Token&& token) {
  return asio::async_compose<Token, void(boost::system::error_code)>(
      [&socket, &byte, started = false](auto& self, boost::system::error_code = {},
                                        std::size_t = 0) mutable {
        if (!started) {
          started = true;
          socket.async_read_some(asio::buffer(&byte, 1), std::move(self));
          return;
        }
        throw std::bad_alloc();  // e.g. a header field that cannot be stored
      },
      token, socket);
}

TEST(EventLoop, the_coroutine_waiting_on_the_failed_handler_is_unwound_and_its_socket_closed) {
  asio::io_context io;
  Local::socket server(io), client(io), other_server(io), other_client(io);
  asio::local::connect_pair(server, client);
  asio::local::connect_pair(other_server, other_client);
  bool unwound = false;
  bool other_served = false;
  struct Guard {
    Local::socket& socket;
    bool& unwound;
    ~Guard() {
      boost::system::error_code ignored;
      socket.close(ignored);
      unwound = true;
    }
  };
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Guard guard{server, unwound};
        char byte = 0;
        co_await async_parse_that_runs_out_of_memory(server, byte, asio::use_awaitable);
        ADD_FAILURE() << "not reached";
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        char byte = 0;
        co_await other_server.async_read_some(asio::buffer(&byte, 1), asio::use_awaitable);
        other_served = byte == 'y';
      },
      asio::detached);
  asio::write(client, asio::buffer("x", 1));
  asio::write(other_client, asio::buffer("y", 1));
  EXPECT_EQ(run_event_loop(io), 1u);
  EXPECT_TRUE(unwound) << "the coroutine frame is destroyed: its RAII closes the connection";
  EXPECT_TRUE(other_served) << "the other connection is served";
  char byte = 0;
  boost::system::error_code ec;
  client.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof) << "the caller sees its connection closed";
}

}  // namespace
}  // namespace insgate::app

// Unit tests of api/request_reader.hpp: the bounds Beast 1.74's parser lacks
// (chunk-size lines, chunk extensions, trailer section, the header as a
// whole) and the deadlines of a chunk-size line (issue 22).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/request_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>

namespace insgate::api {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kBodyLimit = 64 * 1024;

const std::string kChunkedHead =
    "POST /v1/ins/recherche HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

void append(beast::flat_buffer& b, std::string_view bytes) {
  auto room = b.prepare(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  b.commit(bytes.size());
}

/// Feeds `bytes` in pieces of `piece` bytes, as reads would bring them;
/// the first error, or success once everything is fed.
boost::system::error_code feed_all(BoundedRequestParser& p, beast::flat_buffer& b,
                                   std::string_view bytes, std::size_t piece = 1000) {
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    append(b, bytes.substr(at, piece));
    if (auto ec = p.feed(b)) return ec;
    if (p.header_done()) {
      p.start_body();  // as serve_one does after its header checks
      if (auto ec = p.feed(b)) return ec;
    }
    EXPECT_LE(b.size(), kMaxBufferedBytes);
  }
  return {};
}

TEST(RequestReader, reads_a_chunked_body_with_extensions_and_trailers) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  auto ec = feed_all(p, b,
                     kChunkedHead + "5;nom=valeur\r\nhello\r\n6\r\n world\r\n0;fin\r\nX-Fin: 1\r\n\r\n",
                     7);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.parser().get().body(), "hello world");
  EXPECT_EQ(p.parser().get()["X-Fin"], "1") << "trailer fields are kept";
}

TEST(RequestReader, header_is_read_up_to_its_end_only) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  append(b, "POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody");
  ASSERT_FALSE(p.feed(b));
  EXPECT_TRUE(p.header_done());
  EXPECT_FALSE(p.done());
  EXPECT_EQ(b.size(), 4u) << "the body waits for start_body (100-continue, 501 checks)";
  p.start_body();
  ASSERT_FALSE(p.feed(b));
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.parser().get().body(), "body");
}

TEST(RequestReader, an_endless_chunk_extension_is_refused_past_4_KiB) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  ASSERT_FALSE(feed_all(p, b, kChunkedHead + "1;" + std::string(kMaxChunkLineBytes - 10, 'a')));
  EXPECT_GT(p.held(b), 4000u) << "an unfinished line under the bound is held";
  auto ec = feed_all(p, b, std::string(100, 'a'));
  EXPECT_EQ(ec, http::error::bad_chunk_extension);
  EXPECT_LE(b.size(), kMaxChunkLineBytes + 1000);
}

TEST(RequestReader, an_oversized_chunk_size_line_is_refused) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  // Leading zeros only, no extension, never ending.
  EXPECT_EQ(feed_all(p, b, kChunkedHead + std::string(kMaxChunkLineBytes + 10, '0')),
            http::error::bad_chunk_extension);
}

TEST(RequestReader, chunk_extensions_under_the_bound_pass) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  std::string ext = ";e=" + std::string(kMaxChunkLineBytes - 20, 'a');
  auto ec = feed_all(p, b, kChunkedHead + "3" + ext + "\r\nabc\r\n0" + ext + "\r\n\r\n", 512);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.parser().get().body(), "abc");
}

TEST(RequestReader, a_trailer_section_over_8_KiB_is_refused_as_431) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  std::string trailers;
  for (int i = 0; trailers.size() < kMaxTrailerBytes + 100; ++i)
    trailers += "X-T" + std::to_string(i) + ": " + std::string(50, 'v') + "\r\n";
  EXPECT_EQ(feed_all(p, b, kChunkedHead + "2\r\nab\r\n0\r\n" + trailers),
            http::error::header_limit);
  EXPECT_LE(b.size(), kMaxTrailerBytes + 1000);
}

// The same bounds when a line arrives whole in one read: Beast consumes it
// at once, nothing is held back, and only its on_chunk_header callback sees it.
TEST(RequestReader, a_whole_chunk_extension_over_4_KiB_in_one_read_is_refused) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  const std::string body = "2;e=" + std::string(kMaxChunkLineBytes, 'e') + "\r\nab\r\n0\r\n\r\n";
  EXPECT_EQ(feed_all(p, b, kChunkedHead + body, 64 * 1024), http::error::bad_chunk_extension);
}

TEST(RequestReader, a_whole_chunk_size_line_of_leading_zeros_in_one_read_is_refused) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  const std::string body = std::string(kMaxChunkLineBytes, '0') + "2\r\nab\r\n0\r\n\r\n";
  EXPECT_EQ(feed_all(p, b, kChunkedHead + body, 64 * 1024), http::error::bad_chunk_extension);
}

TEST(RequestReader, a_whole_last_chunk_line_over_4_KiB_in_one_read_is_refused) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  const std::string body = "2\r\nab\r\n0;e=" + std::string(kMaxChunkLineBytes, 'e') + "\r\n\r\n";
  EXPECT_EQ(feed_all(p, b, kChunkedHead + body, 64 * 1024), http::error::bad_chunk_extension);
}

TEST(RequestReader, a_whole_trailer_section_over_8_KiB_in_one_read_is_refused_as_431) {
  std::string trailers;
  for (int i = 0; trailers.size() < kMaxTrailerBytes + 100; ++i)
    trailers += "X-T" + std::to_string(i) + ": " + std::string(50, 'v') + "\r\n";
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  EXPECT_EQ(feed_all(p, b, kChunkedHead + "2\r\nab\r\n0\r\n" + trailers + "\r\n", 64 * 1024),
            http::error::header_limit);
  // Just under the bound, in one read too: read in full.
  std::string under;
  for (int i = 0; under.size() < kMaxTrailerBytes - 200; ++i)
    under += "X-T" + std::to_string(i) + ": " + std::string(50, 'v') + "\r\n";
  BoundedRequestParser q(kBodyLimit);
  beast::flat_buffer c;
  auto ec = feed_all(q, c, kChunkedHead + "2\r\nab\r\n0\r\n" + under + "\r\n", 64 * 1024);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_TRUE(q.done());
  EXPECT_EQ(q.parser().get().body(), "ab");
}

TEST(RequestReader, the_header_as_a_whole_is_bounded_even_when_fields_arrive_one_by_one) {
  // Beast 1.74 checks header_limit against the bytes it has not consumed
  // yet: fields parsed in earlier reads escaped it.
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  std::string head = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; head.size() < kMaxHeaderBytes + 200; ++i)
    head += "X-F" + std::to_string(i) + ": " + std::string(90, 'v') + "\r\n";
  EXPECT_EQ(feed_all(p, b, head, 150), http::error::header_limit);
}

TEST(RequestReader, one_oversized_header_field_is_refused) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  EXPECT_EQ(feed_all(p, b, "GET / HTTP/1.1\r\nX: " + std::string(kMaxHeaderBytes, 'v')),
            http::error::header_limit);
}

TEST(RequestReader, a_header_under_the_bound_passes) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  std::string head = "GET /v1/health HTTP/1.1\r\nHost: x\r\n";
  while (head.size() < kMaxHeaderBytes - 200) head += "X-F: " + std::string(90, 'v') + "\r\n";
  ASSERT_FALSE(feed_all(p, b, head + "\r\n", 150));
  EXPECT_TRUE(p.done());
}

TEST(RequestReader, bodies_over_the_limit_are_refused_chunked_or_not) {
  {
    BoundedRequestParser p(kBodyLimit);
    beast::flat_buffer b;
    EXPECT_EQ(feed_all(p, b, "POST / HTTP/1.1\r\nContent-Length: 65537\r\n\r\n"),
              http::error::body_limit);
  }
  {
    BoundedRequestParser p(kBodyLimit);
    beast::flat_buffer b;
    std::string body;
    for (int i = 0; i < 20; ++i) body += "1000\r\n" + std::string(0x1000, 'x') + "\r\n";
    EXPECT_EQ(feed_all(p, b, kChunkedHead + body, 4096), http::error::body_limit);
  }
}

TEST(RequestReader, chunk_data_is_never_held) {
  BoundedRequestParser p(kBodyLimit);
  beast::flat_buffer b;
  ASSERT_FALSE(feed_all(p, b, kChunkedHead + "8000\r\n" + std::string(20000, 'x')));
  EXPECT_EQ(p.held(b), 0u);
  EXPECT_EQ(p.parser().get().body().size(), 20000u);
}

TEST(RequestReader, read_room_keeps_the_buffer_within_64_KiB) {
  beast::flat_buffer b;
  EXPECT_GT(BoundedRequestParser::read_room(b), 0u);
  append(b, std::string(kMaxBufferedBytes - 100, 'x'));
  EXPECT_EQ(BoundedRequestParser::read_room(b), 100u);
  append(b, std::string(100, 'x'));
  EXPECT_EQ(BoundedRequestParser::read_room(b), 0u);
}

TEST(RequestReader, held_chunk_line_tells_the_trailer_section_apart) {
  EXPECT_FALSE(held_chunk_line("1;aaa").complete);
  EXPECT_EQ(held_chunk_line("1;aaa").length, 5u);
  EXPECT_FALSE(held_chunk_line("\r\n10\r\n").last);
  EXPECT_TRUE(held_chunk_line("\r\n0\r\nX-T: 1\r\n").last);
  EXPECT_TRUE(held_chunk_line("000;ext=1\r\n").last);
  EXPECT_EQ(held_chunk_line("\r\n000;ext=1\r\nX").length, 11u);
  EXPECT_FALSE(held_chunk_line(";\r\n").last);
}

// ---- The coroutines, on a Unix socket pair ----

using Stream = beast::basic_stream<Local, asio::any_io_executor, beast::unlimited_rate_policy>;

Local::socket connected(asio::io_context& io, Local::socket& client) {
  Local::socket s(io);
  asio::local::connect_pair(s, client);
  return s;
}

struct Pair {
  asio::io_context io;
  Local::socket client{io};
  Stream server{connected(io, client)};
};

/// Runs read_header then read_body on the server side while `client_script`
/// writes on the client side (in its own thread); the result and how long
/// the reading took.
struct Outcome {
  boost::system::error_code ec;
  std::chrono::milliseconds took{};
  std::string body;
};
template <class Script>
Outcome read_while(Pair& pair, std::chrono::milliseconds line_timeout,
                   std::chrono::milliseconds body_timeout, Script client_script) {
  Outcome out;
  BoundedRequestParser reader(kBodyLimit);
  beast::flat_buffer buffer;
  auto started = Clock::now();
  asio::co_spawn(
      pair.io,
      [&]() -> asio::awaitable<void> {
        out.ec = co_await read_header(pair.server, buffer, reader, 5s);
        if (!out.ec) out.ec = co_await read_body(pair.server, buffer, reader, line_timeout, body_timeout);
        out.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        if (!out.ec) out.body = reader.parser().get().body();
        boost::system::error_code ignored;
        pair.server.socket().shutdown(asio::socket_base::shutdown_both, ignored);
      },
      asio::detached);
  std::thread writer([&] { client_script(pair.client); });
  pair.io.run();
  writer.join();
  return out;
}

void send(Local::socket& s, std::string_view bytes) {
  boost::system::error_code ignored;
  asio::write(s, asio::buffer(bytes), ignored);
}

TEST(RequestReaderStream, a_chunk_size_line_left_unfinished_times_out_after_the_header_timeout) {
  Pair pair;
  auto out = read_while(pair, 300ms, 20s, [](Local::socket& c) {
    send(c, kChunkedHead + "1;aaaa");
    std::this_thread::sleep_for(2s);  // never finished
  });
  EXPECT_EQ(out.ec, beast::error::timeout);
  EXPECT_GE(out.took, 250ms);
  EXPECT_LT(out.took, 1500ms) << "the line's deadline, not the body's (20 s)";
}

TEST(RequestReaderStream, a_chunk_size_line_trickled_byte_by_byte_still_times_out) {
  Pair pair;
  auto out = read_while(pair, 400ms, 20s, [](Local::socket& c) {
    send(c, kChunkedHead + "1;");
    for (int i = 0; i < 40; ++i) {
      boost::system::error_code ec;
      asio::write(c, asio::buffer("a", 1), ec);
      if (ec) return;
      std::this_thread::sleep_for(50ms);
    }
  });
  EXPECT_EQ(out.ec, beast::error::timeout);
  EXPECT_LT(out.took, 1500ms) << "progress on the line does not extend its deadline";
}

TEST(RequestReaderStream, a_pause_inside_chunk_data_is_bounded_by_the_body_timeout_only) {
  Pair pair;
  auto out = read_while(pair, 200ms, 10s, [](Local::socket& c) {
    send(c, kChunkedHead + "6\r\nabc");
    std::this_thread::sleep_for(500ms);  // longer than the line timeout
    send(c, "def\r\n0\r\n\r\n");
  });
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_EQ(out.body, "abcdef");
}

TEST(RequestReaderStream, the_whole_body_must_arrive_within_the_body_timeout) {
  Pair pair;
  auto out = read_while(pair, 5s, 400ms, [](Local::socket& c) {
    send(c, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    std::this_thread::sleep_for(1500ms);
  });
  EXPECT_EQ(out.ec, beast::error::timeout);
  EXPECT_LT(out.took, 1200ms);
}

TEST(RequestReaderStream, a_caller_closing_mid_body_ends_the_read) {
  Pair pair;
  auto out = read_while(pair, 5s, 5s, [](Local::socket& c) {
    send(c, kChunkedHead + "5\r\nab");
    c.close();
  });
  EXPECT_EQ(out.ec, http::error::partial_message);
}

TEST(RequestReaderStream, an_endless_chunk_extension_stops_at_the_bound) {
  Pair pair;
  std::size_t sent = 0;
  auto out = read_while(pair, 5s, 20s, [&](Local::socket& c) {
    send(c, kChunkedHead + "1;");
    std::string block(4096, 'a');
    for (int i = 0; i < 4096; ++i) {  // up to 16 MiB, until the reader gives up
      boost::system::error_code ec;
      sent += asio::write(c, asio::buffer(block), ec);
      if (ec) return;
    }
  });
  EXPECT_EQ(out.ec, http::error::bad_chunk_extension);
  EXPECT_LT(out.took, 2s);
}

}  // namespace
}  // namespace insgate::api

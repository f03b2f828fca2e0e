// insgate — reading one request of the local API within fixed bounds, in
// memory and in time.
//
// Beast 1.74's request parser bounds the header (header_limit) and the body
// (body_limit), but not a chunk-size line with its chunk extensions, nor the
// trailer section after the last chunk: it asks for more bytes until the line
// ends, and http::async_read grows its buffer meanwhile (issue 22: a caller
// sending `1;aaaa…` made the daemon buffer it until idle_timeout). Here the
// same parser is fed by hand, and what it holds back waiting for the end of
// a line is bounded:
//
//   request line + header fields   kMaxHeaderBytes     16 KiB   -> 431
//   body (decoded)                 ApiConfig::body_limit 64 KiB -> 413
//   one chunk-size line (size, extensions, CRLF)
//                                  kMaxChunkLineBytes   4 KiB   -> 400
//   trailer section (last chunk line, trailer fields)
//                                  kMaxTrailerBytes     8 KiB   -> 431
//   bytes buffered per connection  kMaxBufferedBytes   64 KiB
//
// Two ways a line can exceed its bound, both checked: held back in the
// buffer while its end has not arrived (held_chunk_line() below), or
// received whole in one read and consumed by Beast at once; the latter is
// seen through Beast's on_chunk_header callback, whose extensions view
// points into the buffer being parsed (the chunk-size line's length is
// measured from it; for the last chunk, the trailer section is what the
// parser consumed after that line).
//
// Time (ApiConfig): once started, the header must be complete within
// header_timeout, and so must each chunk-size line and the trailer section,
// from their first byte; the whole body within idle_timeout. Expiry is
// beast::error::timeout (-> 408).
//
// Parsing happens in the session's coroutine, not inside an Asio handler, so
// an allocation failure is an exception there (closing that connection only).
// Source rule: local-api.md (Transport); RFC 9112 §7.1 (chunked coding).
// [io-thread] The coroutines run on the session's executor.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "net/net.hpp"

namespace insgate::api {

inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kMaxChunkLineBytes = 4 * 1024;
inline constexpr std::size_t kMaxTrailerBytes = 8 * 1024;
inline constexpr std::size_t kMaxBufferedBytes = 64 * 1024;

using RequestParser = http::request_parser<http::string_body>;

/// Beast's request parser plus the bounds it lacks. Bytes in, no I/O: the
/// coroutines below and the fuzz target (tests/fuzz) drive it the same way.
class BoundedRequestParser {
 public:
  /// `body_limit`: most bytes of decoded body (ApiConfig::body_limit).
  explicit BoundedRequestParser(std::uint64_t body_limit);
  // The parser keeps a reference on chunk_header_: never copied nor moved.
  BoundedRequestParser(const BoundedRequestParser&) = delete;
  BoundedRequestParser& operator=(const BoundedRequestParser&) = delete;

  /// Parses what `buffer` holds, as far as it goes, and consumes what was
  /// used. Before start_body() only the header is parsed. Errors: Beast's
  /// (http::error::header_limit, body_limit, bad_…), or for the bounds above
  /// http::error::header_limit (header, trailer section) and
  /// http::error::bad_chunk_extension (chunk-size line). After an error the
  /// request cannot be read further.
  boost::system::error_code feed(beast::flat_buffer& buffer);

  /// The header is complete (the caller may check it, answer 100-continue);
  /// feed() goes on with the body.
  void start_body() { body_started_ = true; }

  bool header_done() const { return parser_.is_header_done(); }
  bool done() const { return parser_.is_done(); }
  /// Bytes `buffer` holds that the parser keeps until a line ends: a started
  /// header, a chunk-size line or the trailer section. 0 while in the data.
  std::size_t held(const beast::flat_buffer& buffer) const;
  /// How many bytes the next read may add to `buffer` (kMaxBufferedBytes).
  static std::size_t read_room(const beast::flat_buffer& buffer);

  RequestParser& parser() { return parser_; }

 private:
  /// Beast's on_chunk_header callback: bounds a chunk-size line parsed
  /// whole, notes where the last chunk's line ends (the trailer follows).
  void on_chunk_header(std::uint64_t size, beast::string_view extensions,
                       boost::system::error_code& ec);

  RequestParser parser_;
  std::function<void(std::uint64_t, beast::string_view, boost::system::error_code&)> chunk_header_;
  bool body_started_ = false;
  std::size_t header_consumed_ = 0;
  const char* put_begin_ = nullptr;       ///< first byte of the bytes given to the current put()
  const char* last_line_end_ = nullptr;   ///< end of the last chunk's line, within the current put()
};

/// The chunk-size line at the start of `held` (the unparsed bytes of a
/// chunked body the parser waits on, after the CRLF ending the previous
/// chunk's data if any).
struct HeldChunkLine {
  std::size_t length = 0;  ///< bytes of the line so far, CRLF included when complete
  bool complete = false;   ///< its CRLF is there
  bool last = false;       ///< complete, with a chunk size of zero: the trailer section follows
};
HeldChunkLine held_chunk_line(std::string_view held);

namespace detail {

inline auto with_ec(boost::system::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}

/// Deadline for receiving a started request. On expiry the socket's pending
/// operations are cancelled; the stream's own timeout would close the
/// socket, leaving no way to answer the caller 408.
class ReceiveDeadline {
 public:
  template <class Stream>
  ReceiveDeadline(Stream& stream, Clock::time_point at)
      : timer_(stream.get_executor(), at), state_(std::make_shared<State>()) {
    auto& socket = beast::get_lowest_layer(stream).socket();
    // The socket is touched only while armed, i.e. while the session waits
    // in a read, so it is alive.
    timer_.async_wait([state = state_, &socket](const boost::system::error_code& ec) {
      if (ec || !state->armed) return;
      state->expired = true;
      boost::system::error_code ignored;
      socket.cancel(ignored);
    });
  }
  template <class Stream>
  ReceiveDeadline(Stream& stream, std::chrono::milliseconds after)
      : ReceiveDeadline(stream, Clock::now() + after) {}
  ~ReceiveDeadline() { disarm(); }
  ReceiveDeadline(const ReceiveDeadline&) = delete;
  ReceiveDeadline& operator=(const ReceiveDeadline&) = delete;

  /// Call when the read completed: turns the cancellation it caused into
  /// beast::error::timeout.
  void settle(boost::system::error_code& ec) {
    disarm();
    if (state_->expired && ec == asio::error::operation_aborted) ec = beast::error::timeout;
  }

 private:
  struct State {
    bool armed = true;
    bool expired = false;
  };
  void disarm() {
    state_->armed = false;
    timer_.cancel();
  }
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

/// Reads from `stream` into `buffer` (at most read_room) until `deadline`.
template <class Stream>
asio::awaitable<boost::system::error_code> read_more(Stream& stream, beast::flat_buffer& buffer,
                                                     Clock::time_point deadline) {
  boost::system::error_code ec;
  const std::size_t room = BoundedRequestParser::read_room(buffer);
  if (room == 0) co_return http::error::buffer_overflow;  // not reached: held bytes are bounded
  if (Clock::now() >= deadline) co_return beast::error::timeout;
  ReceiveDeadline guard(stream, deadline);
  std::size_t n = co_await stream.async_read_some(buffer.prepare(room), with_ec(ec));
  guard.settle(ec);
  buffer.commit(n);
  co_return ec;
}

}  // namespace detail

/// Reads the rest of a started request header (`buffer` may already hold
/// some of it) into `reader`, within `header_timeout` from now.
/// @return http::error::end_of_stream / partial_message when the caller
///         closed, a parse or bound error, or beast::error::timeout.
template <class Stream>
asio::awaitable<boost::system::error_code> read_header(Stream& stream, beast::flat_buffer& buffer,
                                                       BoundedRequestParser& reader,
                                                       std::chrono::milliseconds header_timeout) {
  const auto deadline = Clock::now() + header_timeout;
  for (;;) {
    if (auto ec = reader.feed(buffer)) co_return ec;
    if (reader.header_done()) co_return boost::system::error_code{};
    auto ec = co_await detail::read_more(stream, buffer, deadline);
    if (ec == asio::error::eof)
      co_return buffer.size() == 0 && !reader.parser().got_some() ? http::error::end_of_stream
                                                                   : http::error::partial_message;
    if (ec) co_return ec;
  }
}

/// Reads the body of the request whose header `reader` holds. The whole body
/// must arrive within `body_timeout`; a chunk-size line or the trailer
/// section, once started, within `line_timeout` (the header timeout).
template <class Stream>
asio::awaitable<boost::system::error_code> read_body(Stream& stream, beast::flat_buffer& buffer,
                                                     BoundedRequestParser& reader,
                                                     std::chrono::milliseconds line_timeout,
                                                     std::chrono::milliseconds body_timeout) {
  reader.start_body();
  const auto body_deadline = Clock::now() + body_timeout;
  std::optional<Clock::time_point> line_started;
  for (;;) {
    if (auto ec = reader.feed(buffer)) co_return ec;
    if (reader.done()) co_return boost::system::error_code{};
    if (reader.held(buffer) == 0) line_started.reset();
    else if (!line_started) line_started = Clock::now();
    auto deadline = line_started ? std::min(body_deadline, *line_started + line_timeout)
                                 : body_deadline;
    auto ec = co_await detail::read_more(stream, buffer, deadline);
    if (ec == asio::error::eof) {
      // A body delimited by the end of the stream does not exist for
      // requests: the caller closed before the end of the body.
      co_return http::error::partial_message;
    }
    if (ec) co_return ec;
  }
}

}  // namespace insgate::api

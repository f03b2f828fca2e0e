// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/request_reader.hpp"

#include <cctype>

namespace insgate::api {

namespace {
constexpr std::size_t kReadSize = 16 * 1024;
}

BoundedRequestParser::BoundedRequestParser(std::uint64_t body_limit) {
  parser_.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
  parser_.body_limit(body_limit);
  chunk_header_ = [this](std::uint64_t size, beast::string_view extensions,
                         boost::system::error_code& ec) { on_chunk_header(size, extensions, ec); };
  parser_.on_chunk_header(chunk_header_);
}

void BoundedRequestParser::on_chunk_header(std::uint64_t size, beast::string_view extensions,
                                           boost::system::error_code& ec) {
  // Beast calls this with the line in the bytes of the current put(): the
  // extensions (raw, possibly empty) end 2 bytes before the line's end, and
  // the chunk size (hex digits, leading zeros included) comes right before
  // them, after the CRLF ending the previous chunk or the header (already
  // consumed, before put_begin_).
  const char* size_end = extensions.data();
  const char* size_begin = size_end;
  while (size_begin > put_begin_ && std::isxdigit(static_cast<unsigned char>(size_begin[-1])))
    --size_begin;
  const std::size_t line = static_cast<std::size_t>(size_end - size_begin) + extensions.size() + 2;
  if (line > kMaxChunkLineBytes) {
    ec = http::error::bad_chunk_extension;
    return;
  }
  if (size == 0) last_line_end_ = size_end + extensions.size() + 2;
}

boost::system::error_code BoundedRequestParser::feed(beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  // Header: up to its end, no further (the caller checks it first). Body:
  // as far as the bytes go; chunk data is taken at once, only an unfinished
  // line is ever held back in `buffer`.
  parser_.eager(body_started_);
  while (buffer.size() > 0 && !parser_.is_done() && (body_started_ || !parser_.is_header_done())) {
    const bool in_header = !parser_.is_header_done();
    put_begin_ = static_cast<const char*>(buffer.data().data());
    last_line_end_ = nullptr;
    std::size_t used = parser_.put(buffer.data(), ec);
    // The trailer section parsed whole in this put(): from the end of the
    // last chunk's line to the end of what was used.
    const std::size_t trailer =
        (!ec && last_line_end_) ? static_cast<std::size_t>(put_begin_ + used - last_line_end_) : 0;
    put_begin_ = last_line_end_ = nullptr;
    buffer.consume(used);
    if (in_header) header_consumed_ += used;
    if (trailer > kMaxTrailerBytes) return http::error::header_limit;
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) return ec;
    if (used == 0) break;
  }
  // Beast checks header_limit against the bytes of the header it has not
  // consumed yet; the header as a whole is bounded here.
  const std::size_t header_held = parser_.is_header_done() ? 0 : buffer.size();
  if (header_consumed_ + header_held > kMaxHeaderBytes) return http::error::header_limit;
  if (!body_started_ || parser_.is_done()) return {};
  std::string_view held(static_cast<const char*>(buffer.data().data()), buffer.size());
  const HeldChunkLine line = held_chunk_line(held);
  if (line.length > kMaxChunkLineBytes) return http::error::bad_chunk_extension;
  if (held.size() > kMaxTrailerBytes) return http::error::header_limit;  // the line is complete: trailer
  return {};
}

std::size_t BoundedRequestParser::held(const beast::flat_buffer& buffer) const {
  if (parser_.is_done() || (parser_.is_header_done() && !body_started_)) return 0;
  return buffer.size();
}

std::size_t BoundedRequestParser::read_room(const beast::flat_buffer& buffer) {
  const std::size_t used = buffer.size();
  return used >= kMaxBufferedBytes ? 0 : std::min(kReadSize, kMaxBufferedBytes - used);
}

HeldChunkLine held_chunk_line(std::string_view held) {
  HeldChunkLine out;
  if (held.substr(0, 2) == "\r\n") held.remove_prefix(2);  // end of the previous chunk's data
  const auto eol = held.find("\r\n");
  out.complete = eol != std::string_view::npos;
  out.length = out.complete ? eol + 2 : held.size();
  if (!out.complete) return out;
  std::string_view line = held.substr(0, eol);
  std::string_view size = line.substr(0, line.find_first_not_of("0123456789abcdefABCDEF"));
  out.last = !size.empty() && size.find_first_not_of('0') == std::string_view::npos;
  return out;
}

}  // namespace insgate::api

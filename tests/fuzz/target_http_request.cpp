// SPDX-License-Identifier: GPL-3.0-or-later
#include <algorithm>
#include <cstring>

#include "api/request_reader.hpp"
#include "targets.hpp"

namespace insgate::fuzz {

namespace {
constexpr std::uint64_t kBodyLimit = 64 * 1024;  // ApiConfig::body_limit
}

int http_request_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // First byte: how many bytes each read brings (1..256), the rest: what the
  // caller sends on one keep-alive connection.
  const std::size_t piece = std::size_t{data[0]} + 1;
  std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);
  beast::flat_buffer buffer;
  auto read = [&] {
    std::size_t n = std::min({piece, wire.size(), api::BoundedRequestParser::read_room(buffer)});
    if (n == 0) return false;
    auto room = buffer.prepare(n);
    std::memcpy(room.data(), wire.data(), n);
    buffer.commit(n);
    wire.remove_prefix(n);
    return n > 0;
  };
  // Requests one after the other, as api::serve_one reads them.
  for (int request = 0; request < 64; ++request) {
    api::BoundedRequestParser reader(kBodyLimit);
    boost::system::error_code ec;
    for (;;) {
      ec = reader.feed(buffer);
      if (ec) break;
      if (!reader.header_done()) {
        // Documented: a header is never held beyond kMaxHeaderBytes.
        if (buffer.size() > api::kMaxHeaderBytes) __builtin_trap();
      } else if (!reader.done()) {
        reader.start_body();  // as serve_one does after its header checks
        ec = reader.feed(buffer);
        if (ec) break;
        // Documented: only a chunk-size line (4 KiB) or a trailer section
        // (8 KiB) is ever held.
        if (reader.held(buffer) > api::kMaxTrailerBytes) __builtin_trap();
      }
      if (reader.done()) break;
      if (!read()) return 0;  // the caller stopped sending
      if (buffer.size() > api::kMaxBufferedBytes) __builtin_trap();
    }
    if (ec) return 0;  // answered 4xx and closed
    const auto& req = reader.parser().get();
    if (req.body().size() > kBodyLimit) __builtin_trap();
    if (!req.keep_alive()) return 0;
  }
  return 0;
}

}  // namespace insgate::fuzz

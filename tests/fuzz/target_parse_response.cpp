// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstdlib>
#include <string_view>

#include "insi/soap_codec.hpp"
#include "targets.hpp"

namespace insgate::fuzz {

int parse_response_one(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  insi::Response r = insi::parse_response(body);
  // Documented: a RESULTAT always has a CR, and CR 00 always an INDIVIDU.
  if (auto* res = std::get_if<insi::Resultat>(&r)) {
    // Found by this fuzzer: `<CodeCR encoding=>02</CodeCR>` once parsed as a
    // RESULTAT with an empty CR (tests/fuzz/regressions/parse_response/).
    if (res->code_cr.empty()) __builtin_trap();
    if (res->code_cr == "00" && !res->individu) __builtin_trap();
  }
  return 0;
}

}  // namespace insgate::fuzz

// libFuzzer entry point; INSGATE_FUZZ_FN names the function of targets.hpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return insgate::fuzz::INSGATE_FUZZ_FN(data, size);
}

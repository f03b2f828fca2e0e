// SPDX-License-Identifier: GPL-3.0-or-later
#include <unistd.h>

#include <cstdio>
#include <string>

#include "config/config.hpp"
#include "targets.hpp"

namespace insgate::fuzz {

int config_load_one(const std::uint8_t* data, std::size_t size) {
  // One file per process, rewritten each time (libFuzzer runs in one thread).
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp && *tmp ? tmp : "/tmp") + "/insgate-fuzz-config-" +
           std::to_string(::getpid()) + ".yaml";
  }();
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  // Documented: load gives a complete Config or throws ConfigError. Any other
  // exception escapes and aborts the fuzzer (a finding).
  try {
    config::Config c = config::load(path);
    (void)c;
  } catch (const config::ConfigError&) {
  }
  return 0;
}

}  // namespace insgate::fuzz

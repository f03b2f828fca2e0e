// insgate — SHA-256 and HMAC-SHA256 (OpenSSL).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/hashing.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "state/state_error.hpp"

namespace insgate::state {
namespace {

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (unsigned i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr) != 1)
    throw StateError("state: SHA-256 failed");
  return hex(md, n);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  if (key.empty()) throw StateError("state: empty HMAC key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n))
    throw StateError("state: HMAC-SHA256 failed");
  return hex(md, n);
}

}  // namespace insgate::state

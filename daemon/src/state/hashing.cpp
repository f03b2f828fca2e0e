// insgate — SHA-256 and HMAC-SHA256 (OpenSSL).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/hashing.hpp"

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "state/state_error.hpp"

namespace insgate::state {
namespace {

std::string hex_of(const unsigned char* p, unsigned n) {
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
  return hex_of(md, n);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  if (key.empty()) throw StateError("state: empty HMAC key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n))
    throw StateError("state: HMAC-SHA256 failed");
  return hex_of(md, n);
}

struct HmacSha256::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* keyed = nullptr;
  ~Impl() {
    EVP_MAC_CTX_free(keyed);
    EVP_MAC_free(mac);
  }
};

HmacSha256::HmacSha256(std::string_view key) : impl_(new Impl) {
  try {
    if (key.empty()) throw StateError("state: empty HMAC key");
    impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (impl_->mac) impl_->keyed = EVP_MAC_CTX_new(impl_->mac);
    if (!impl_->keyed) throw StateError("state: HMAC unavailable in OpenSSL");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_init(impl_->keyed, reinterpret_cast<const unsigned char*>(key.data()),
                     key.size(), params) != 1)
      throw StateError("state: HMAC-SHA256 key refused");
  } catch (...) {
    delete impl_;
    throw;
  }
}

HmacSha256::~HmacSha256() { delete impl_; }

std::string HmacSha256::hex(std::string_view data) const {
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(impl_->keyed);
  if (!ctx) throw StateError("state: HMAC-SHA256 failed");
  unsigned char md[EVP_MAX_MD_SIZE];
  std::size_t n = 0;
  bool ok = EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()),
                           data.size()) == 1 &&
            EVP_MAC_final(ctx, md, &n, sizeof md) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) throw StateError("state: HMAC-SHA256 failed");
  return hex_of(md, static_cast<unsigned>(n));
}

}  // namespace insgate::state

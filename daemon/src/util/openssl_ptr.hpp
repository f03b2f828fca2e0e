// insgate — owning pointers for the OpenSSL objects the daemon reads
// certificates and keys into (std::unique_ptr with the matching *_free).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>

namespace insgate::util {

/// Deleter calling OpenSSL's `Free` for the pointer type.
template <auto Free>
struct OpenSslFree {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslFree<&BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<&X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<&EVP_PKEY_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OpenSslFree<&PKCS12_free>>;

}  // namespace insgate::util

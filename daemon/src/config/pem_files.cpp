// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/pem_files.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "util/openssl_ptr.hpp"

namespace insgate::config {
namespace {

using Bio = util::BioPtr;
using Cert = util::X509Ptr;
using Key = util::PkeyPtr;

/// Never prompts: an encrypted PEM key fails to load instead.
int no_passphrase(char*, int, int, void*) { return 0; }

Bio open(const std::string& file) { return Bio(BIO_new_file(file.c_str(), "rb")); }

}  // namespace

PemPairProblems check_pem_pair(const std::string& cert_file, const std::string& key_file) {
  PemPairProblems p;
  Cert cert;
  if (Bio in = open(cert_file); !in)
    p.certificate = "cannot read " + cert_file;
  else if (cert.reset(PEM_read_bio_X509(in.get(), nullptr, no_passphrase, nullptr)); !cert)
    p.certificate = "no PEM certificate in " + cert_file;
  Key key;
  if (Bio in = open(key_file); !in)
    p.key = "cannot read " + key_file;
  else if (key.reset(PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr)); !key)
    p.key = "no unencrypted PEM private key in " + key_file;
  else if (cert && X509_check_private_key(cert.get(), key.get()) != 1)
    p.key = key_file + " does not match the certificate " + cert_file;
  ERR_clear_error();
  return p;
}

std::string check_pem_ca(const std::string& file) {
  Bio in = open(file);
  if (!in) return "cannot read " + file;
  Cert ca(PEM_read_bio_X509(in.get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (!ca) return "no PEM certificate in " + file;
  return "";
}

}  // namespace insgate::config

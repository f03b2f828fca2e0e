// insgate — checks of the PEM files the TCP listener's TLS reads (api.tcp.tls),
// so that a configuration that loads can also start.
//
// Each function returns "" when the file is usable, else one sentence saying
// what is wrong, naming the file, never its content. The private key is read
// into an OpenSSL object and freed: never copied, logged or written. An
// encrypted key is refused (no passphrase is ever prompted for).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>

namespace insgate::config {

/// At least one PEM certificate in `cert_file`, and a PEM private key in
/// `key_file` that matches the first one.
/// @return {problem with the certificate, problem with the key}; "" when fine
struct PemPairProblems {
  std::string certificate;
  std::string key;
};
PemPairProblems check_pem_pair(const std::string& cert_file, const std::string& key_file);

/// At least one PEM CA certificate in `file`.
std::string check_pem_ca(const std::string& file);

}  // namespace insgate::config

// insgate — when the first INSi trust anchor expires, for
// insgate_certificate_expiry_timestamp_seconds{usage="insi_ca"}.
// The files are read exactly as make_client_tls reads insi.ca (PEM with one
// or more certificates, LF or CRLF, or DER): the definition lives beside that
// reader, in tls_setup.cpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "insi/tls_setup.hpp"  // TlsSetupError

namespace insgate::insi {

/// @brief The earliest notAfter among every certificate of `ca_files`.
/// @return nullopt when no certificate has a readable date.
/// @throw TlsSetupError as make_client_tls does for an unreadable CA file.
std::optional<std::chrono::system_clock::time_point> earliest_ca_expiry(
    const std::vector<std::string>& ca_files);

}  // namespace insgate::insi

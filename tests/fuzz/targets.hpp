// insgate fuzz targets (issue 7): one function per target, shared by the
// libFuzzer entry points (fuzz_entry.cpp, clang tree) and by the regression
// tests (regressions_test.cpp, every build tree). Each returns 0, and aborts
// (__builtin_trap) when a documented invariant is broken.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>

namespace insgate::fuzz {

/// insi::parse_response (RESULTAT and SOAP faults).
int parse_response_one(const std::uint8_t* data, std::size_t size);
/// api::decode_recherche (JSON body of POST /v1/ins/recherche).
int decode_recherche_one(const std::uint8_t* data, std::size_t size);
/// identity::normalise_nom_naissance / normalise_prenom / normalise_prenoms;
/// the first byte picks the function, '\n' separates first names.
int normalise_one(const std::uint8_t* data, std::size_t size);
/// config::load on a temporary file: a Config or a ConfigError, nothing else.
int config_load_one(const std::uint8_t* data, std::size_t size);
/// api::BoundedRequestParser with the daemon's limits, driven as a session
/// does (issue 22): the first byte sets the read size, the rest is what a
/// caller sends on one keep-alive connection.
int http_request_one(const std::uint8_t* data, std::size_t size);

}  // namespace insgate::fuzz

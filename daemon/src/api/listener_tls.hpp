// insgate — TLS of the optional TCP listener of the local API (api.tcp.tls).
//
// Source rule: local-api.md (Transport): off loopback, the TCP listener needs
// client-certificate TLS. So a client certificate is always required and
// must chain to api.tcp.tls.ca_clients (purpose TLS client); TLS >= 1.2. The
// private key is read by OpenSSL only: never copied, logged or written.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "api/caller.hpp"
#include "config/config.hpp"
#include "net/net.hpp"

namespace insgate::api {

/// The server context of the TCP listener.
/// @throw ListenError (unix_server.hpp) naming the file that cannot be used.
std::shared_ptr<ssl::context> make_listener_tls(const config::TcpTlsConfig& files);

/// The subject CN of the client certificate of an established connection,
/// for the log: printable ASCII only (anything else becomes '?'), at most
/// 64 characters; "(sans CN)" when there is none.
std::string client_cn(SSL* ssl);

/// The caller of an established TLS connection, for the structures' caller
/// rules: subject CN and OUs (UTF-8) and serial (upper-case hex) of its
/// verified client certificate. Kind::tls; label left empty.
Caller tls_caller(SSL* ssl);

}  // namespace insgate::api

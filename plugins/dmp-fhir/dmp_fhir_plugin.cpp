// SPDX-License-Identifier: GPL-3.0-or-later
// insgate dmp-fhir plugin: each identity event becomes a FHIR R4 FR Core
// Patient POSTed over HTTPS to the DMP connector (configuration: README.md).
// Status mapping: 2xx → OK; 408, 429, 5xx, connection/TLS errors, timeouts →
// RETRY_LATER; other statuses → PERMANENT_FAILURE with the status only (a
// response body could echo identity data: never read into messages).
// C++ inside, C ABI outside: every entry point catches everything.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/status.hpp>
#include <insgate/plugin.h>
#include <insgate/plugin_support.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>

#include "fhir_patient.hpp"
#include "https_post.hpp"

namespace ssl = boost::asio::ssl;

struct insgate_instance {
  const insgate_host_api* host;
  insgate::dmp_fhir::Url url;
  std::chrono::milliseconds timeout{5000};
  insgate::dmp_fhir::PatientOptions options;
  ssl::context tls{ssl::context::tls_client};
};

namespace {

using insgate::plugin_support::guarded;
using insgate::plugin_support::set_error;

using namespace insgate::dmp_fhir;

void log(const insgate_instance* self, int32_t level, const std::string& msg) {
  if (self->host != nullptr && self->host->log != nullptr)
    self->host->log(self->host, level, msg.c_str());
}

std::string opt_string(const nlohmann::json& cfg, const char* key, std::string def = {}) {
  auto it = cfg.find(key);
  if (it == cfg.end()) return def;
  if (!it->is_string()) throw std::invalid_argument(std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

void readable(const std::string& path, const char* key) {
  if (access(path.c_str(), R_OK) != 0)
    throw std::invalid_argument(std::string("\"") + key + "\" " + path + ": " + std::strerror(errno));
}

insgate_status do_create(const insgate_host_api* host, const char* config_json,
                         insgate_instance** out, char* err, size_t err_len) {
  nlohmann::json cfg;
  try {
    cfg = nlohmann::json::parse(config_json != nullptr ? config_json : "null");
  } catch (const nlohmann::json::exception&) {
    set_error(err, err_len, "dmp-fhir: configuration is not valid JSON");
    return INSGATE_INVALID_CONFIG;
  }
  if (!cfg.is_object()) {
    set_error(err, err_len, "dmp-fhir: configuration must be an object with \"url\" and \"ca\"");
    return INSGATE_INVALID_CONFIG;
  }
  auto inst = std::make_unique<insgate_instance>();
  inst->host = host;
  try {
    static constexpr std::string_view known[] = {"url", "ca", "certificat", "cle", "timeout_ms",
                                                 "fr_core", "systeme_identifiant_local"};
    for (const auto& [k, v] : cfg.items())
      if (std::find(std::begin(known), std::end(known), k) == std::end(known))
        throw std::invalid_argument("unknown key \"" + k.substr(0, 40) + "\"");
    const std::string url = opt_string(cfg, "url");
    if (!parse_https_url(url, inst->url))
      throw std::invalid_argument("\"url\" must be https://host[:port][/path]");
    const std::string ca = opt_string(cfg, "ca");
    if (ca.empty()) throw std::invalid_argument("\"ca\" (PEM file of trusted CAs) is required");
    const std::string cert = opt_string(cfg, "certificat");
    const std::string key = opt_string(cfg, "cle");
    if (cert.empty() != key.empty())
      throw std::invalid_argument("\"certificat\" and \"cle\" go together");
    if (auto it = cfg.find("timeout_ms"); it != cfg.end()) {
      if (!it->is_number_integer() || it->get<long long>() < 100 || it->get<long long>() > 60000)
        throw std::invalid_argument("\"timeout_ms\" must be an integer between 100 and 60000");
      inst->timeout = std::chrono::milliseconds(it->get<long long>());
    }
    const std::string fr_core = opt_string(cfg, "fr_core", "2.1");
    if (fr_core == "2.1")
      inst->options.fr_core = insgate::identity::FrCoreVersion::v2_1;
    else if (fr_core == "2.2")
      inst->options.fr_core = insgate::identity::FrCoreVersion::v2_2_ballot;
    else
      throw std::invalid_argument("\"fr_core\" must be \"2.1\" or \"2.2\"");
    // FR Core: identifier[PI] (the IPP) needs its system; there is no sound
    // default (it names the structure's own identifier domain).
    const std::string system = opt_string(cfg, "systeme_identifiant_local");
    if (system.empty())
      throw std::invalid_argument(
          "\"systeme_identifiant_local\" is required: the identifier system (URI, e.g. "
          "urn:oid:<OID of the IPP domain>) of the local identifier, which FR Core requires");
    if (system.find(':') == std::string::npos ||
        system.find_first_of(" \t\r\n") != std::string::npos)
      throw std::invalid_argument(
          "\"systeme_identifiant_local\" must be an absolute URI such as urn:oid:1.2.250.1.999.1");
    inst->options.systeme_identifiant_local = system;

    // TLS: TLS 1.2+, server verified against "ca" only, optional client certificate.
    readable(ca, "ca");
    SSL_CTX* native = inst->tls.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    if (SSL_CTX_load_verify_locations(native, ca.c_str(), nullptr) != 1)
      throw std::invalid_argument("\"ca\" " + ca + ": no PEM certificate could be loaded");
    inst->tls.set_verify_mode(ssl::verify_peer);
    if (!cert.empty()) {
      readable(cert, "certificat");
      readable(key, "cle");
      if (SSL_CTX_use_certificate_chain_file(native, cert.c_str()) != 1)
        throw std::invalid_argument("\"certificat\" " + cert + ": not a PEM certificate");
      if (SSL_CTX_use_PrivateKey_file(native, key.c_str(), SSL_FILETYPE_PEM) != 1)
        throw std::invalid_argument("\"cle\" " + key + ": not a PEM private key, or it does not match \"certificat\"");
      if (SSL_CTX_check_private_key(native) != 1)
        throw std::invalid_argument("\"cle\" does not match \"certificat\"");
    }
  } catch (const std::invalid_argument& e) {
    set_error(err, err_len, std::string("dmp-fhir: ") + e.what());
    return INSGATE_INVALID_CONFIG;
  }
  *out = inst.release();
  return INSGATE_OK;
}

insgate_status do_deliver(insgate_instance* self, const insgate_event* ev, char* err,
                          size_t err_len) {
  const std::string key = ev->idempotency_key != nullptr ? ev->idempotency_key : "";
  auto resource = patient(*ev, self->options);
  if (auto* r = std::get_if<Refused>(&resource)) {
    set_error(err, err_len, "dmp-fhir: " + r->message);
    return INSGATE_PERMANENT_FAILURE;
  }
  const std::string body = std::get<nlohmann::json>(resource).dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  const PostResult res = https_post(self->tls, self->url, body,
                                    {{"Idempotency-Key", key}, {"X-Request-Id", key}},
                                    self->timeout);
  if (res.kind == PostResult::Kind::transport) {
    const std::string msg = "dmp-fhir: event " + key + ": " + res.failure;
    log(self, INSGATE_LOG_WARNING, msg);
    set_error(err, err_len, msg);
    return INSGATE_RETRY_LATER;
  }
  const int s = res.status;
  if (s >= 200 && s < 300) return INSGATE_OK;
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(s));
  const std::string msg = "dmp-fhir: event " + key + ": HTTP " + std::to_string(s) + " " +
                          std::string(reason.data(), reason.size());
  set_error(err, err_len, msg);
  if (s == 408 || s == 429 || s >= 500) return INSGATE_RETRY_LATER;
  return INSGATE_PERMANENT_FAILURE;
}

// ---- C entry points: nothing escapes them ----

insgate_status fhir_create(const insgate_host_api* host, const char* config_json,
                            insgate_instance** out, char* err, size_t err_len) {
  return guarded(err, err_len, INSGATE_PERMANENT_FAILURE,
                 "dmp-fhir: create failed (TLS setup or internal error)",
                 [&] { return do_create(host, config_json, out, err, err_len); });
}

insgate_status fhir_deliver(insgate_instance* self, const insgate_event* ev, char* err,
                             size_t err_len) {
  return guarded(err, err_len, INSGATE_RETRY_LATER, "dmp-fhir: internal error while sending the event",
                 [&] { return do_deliver(self, ev, err, err_len); });
}

void fhir_destroy(insgate_instance* self) { delete self; }

// Thread-safe: the instance is read-only after create; every deliver uses its
// own io_context and TLS stream (SSL_new on a shared SSL_CTX is thread-safe).
const insgate_plugin descriptor = {
    INSGATE_PLUGIN_ABI_MAJOR, INSGATE_PLUGIN_ABI_MINOR, sizeof(insgate_plugin),
    INSGATE_PLUGIN_THREAD_SAFE, "dmp-fhir", "1.0.0", fhir_create, fhir_deliver, fhir_destroy,
    {nullptr, nullptr, nullptr, nullptr}};

}  // namespace

extern "C" INSGATE_PLUGIN_EXPORT const insgate_plugin* insgate_plugin_entry(uint32_t host_abi_major) {
  return host_abi_major == INSGATE_PLUGIN_ABI_MAJOR ? &descriptor : nullptr;
}

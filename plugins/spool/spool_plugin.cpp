// SPDX-License-Identifier: GPL-3.0-or-later
// insgate spool plugin: writes one file per identity event into a directory,
// atomically (temporary file in the same directory, fsync, rename, fsync of
// the directory), as JSON or HL7 v2.5 ADT^A31. Configuration: README.md.
// C++ inside, C ABI outside: every entry point catches everything.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <insgate/plugin.h>
#include <insgate/plugin_support.hpp>
#include <nlohmann/json.hpp>

#include "spool_format.hpp"

struct insgate_instance {
  const insgate_host_api* host;
  std::string repertoire;
  bool hl7;
  mode_t mode;
  insgate::spool::Hl7Options hl7_options;
};

namespace {

using insgate::plugin_support::guarded;
using insgate::plugin_support::set_error;

using insgate::spool::Refused;

/// Reads an optional string member; throws std::invalid_argument on a wrong type.
std::string opt_string(const nlohmann::json& cfg, const char* key, std::string def = {}) {
  auto it = cfg.find(key);
  if (it == cfg.end()) return def;
  if (!it->is_string()) throw std::invalid_argument(std::string("\"") + key + "\" must be a string");
  return it->get<std::string>();
}

/// HL7 option values are written unescaped: refuse the delimiters (& is allowed
/// in the assigning authority, e.g. "ESMS&1.2.250.1.999&ISO").
void check_hl7_option(const std::string& v, const char* key, bool allow_amp) {
  for (char c : v)
    if (c == '|' || c == '^' || c == '~' || c == '\\' || c == '\r' || c == '\n' ||
        (c == '&' && !allow_amp))
      throw std::invalid_argument(std::string("\"") + key + "\" must not contain HL7 delimiters");
}

/// Removes the temporary files a killed process left behind (".<name>.tmp-"
/// followed by mkostemp's six characters) once they are ten minutes old: a
/// write takes milliseconds, so a younger one may belong to another process
/// spooling into the same directory. Best effort: errors are ignored.
void remove_stale_temporaries(const std::string& repertoire) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto limit = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  for (fs::directory_iterator it(repertoire, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto tmp = name.rfind(".tmp-");
    if (name.empty() || name[0] != '.' || tmp == std::string::npos || name.size() - tmp != 11)
      continue;
    std::error_code fec;
    if (it->is_regular_file(fec) && it->last_write_time(fec) < limit && !fec)
      fs::remove(it->path(), fec);
  }
}

insgate_status do_create(const insgate_host_api* host, const char* config_json,
                         insgate_instance** out, char* err, size_t err_len) {
  nlohmann::json cfg;
  try {
    cfg = nlohmann::json::parse(config_json != nullptr ? config_json : "null");
  } catch (const nlohmann::json::exception&) {
    set_error(err, err_len, "spool: configuration is not valid JSON");
    return INSGATE_INVALID_CONFIG;
  }
  if (!cfg.is_object()) {
    set_error(err, err_len, "spool: configuration must be an object with \"repertoire\"");
    return INSGATE_INVALID_CONFIG;
  }
  auto inst = std::make_unique<insgate_instance>();
  inst->host = host;
  try {
    static constexpr std::string_view known[] = {
        "repertoire", "format", "mode", "autorite_ipp", "etablissement_emetteur",
        "application_destinataire", "etablissement_destinataire", "version_pam_france"};
    for (const auto& [k, v] : cfg.items())
      if (std::find(std::begin(known), std::end(known), k) == std::end(known))
        throw std::invalid_argument("unknown key \"" + k.substr(0, 40) + "\"");
    inst->repertoire = opt_string(cfg, "repertoire");
    if (inst->repertoire.empty() || inst->repertoire[0] != '/')
      throw std::invalid_argument("\"repertoire\" must be an absolute directory path");
    const std::string format = opt_string(cfg, "format", "json");
    if (format != "json" && format != "hl7")
      throw std::invalid_argument("\"format\" must be \"json\" or \"hl7\"");
    inst->hl7 = format == "hl7";
    const std::string mode = opt_string(cfg, "mode", "0600");
    char* end = nullptr;
    const unsigned long m = std::strtoul(mode.c_str(), &end, 8);
    if (mode.empty() || *end != '\0' || (m & ~0666ul) != 0 || (m & 0600ul) != 0600ul)
      throw std::invalid_argument("\"mode\" must be an octal file mode such as \"0640\" (at most 0666, owner rw)");
    inst->mode = static_cast<mode_t>(m);
    auto& h = inst->hl7_options;
    h.autorite_ipp = opt_string(cfg, "autorite_ipp", "INSGATE");
    h.etablissement_emetteur = opt_string(cfg, "etablissement_emetteur");
    h.application_destinataire = opt_string(cfg, "application_destinataire");
    h.etablissement_destinataire = opt_string(cfg, "etablissement_destinataire");
    check_hl7_option(h.autorite_ipp, "autorite_ipp", true);
    check_hl7_option(h.etablissement_emetteur, "etablissement_emetteur", true);
    check_hl7_option(h.application_destinataire, "application_destinataire", true);
    check_hl7_option(h.etablissement_destinataire, "etablissement_destinataire", true);
    h.version_pam_france = opt_string(cfg, "version_pam_france", "2.11");
    const auto& v = h.version_pam_france;
    if (v.empty() || v.size() > 8 || v.front() == '.' || v.back() == '.' ||
        v.find_first_not_of("0123456789.") != std::string::npos)
      throw std::invalid_argument("\"version_pam_france\" must be a version such as \"2.11\"");
  } catch (const std::invalid_argument& e) {
    set_error(err, err_len, std::string("spool: ") + e.what());
    return INSGATE_INVALID_CONFIG;
  }
  struct stat sb {};
  if (stat(inst->repertoire.c_str(), &sb) != 0) {
    set_error(err, err_len, "spool: repertoire " + inst->repertoire + ": " + std::strerror(errno));
    return INSGATE_INVALID_CONFIG;
  }
  if (!S_ISDIR(sb.st_mode)) {
    set_error(err, err_len, "spool: repertoire " + inst->repertoire + " is not a directory");
    return INSGATE_INVALID_CONFIG;
  }
  if (access(inst->repertoire.c_str(), W_OK | X_OK) != 0) {
    set_error(err, err_len, "spool: repertoire " + inst->repertoire + " is not writable: " +
                              std::strerror(errno));
    return INSGATE_INVALID_CONFIG;
  }
  remove_stale_temporaries(inst->repertoire);
  *out = inst.release();
  return INSGATE_OK;
}

/// Transient conditions the host should retry; anything else is permanent.
insgate_status classify(int e) {
  switch (e) {
    case ENOSPC: case EIO: case EDQUOT: case EAGAIN: case EINTR: case ENOMEM: case EMFILE:
    case ENFILE: case EBUSY:
      return INSGATE_RETRY_LATER;
    default:
      return INSGATE_PERMANENT_FAILURE;
  }
}

bool write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

insgate_status do_deliver(insgate_instance* self, const insgate_event* ev, char* err,
                          size_t err_len) {
  using namespace insgate::spool;
  auto content = self->hl7 ? to_hl7(*ev, self->hl7_options) : to_json(*ev);
  if (auto* r = std::get_if<Refused>(&content)) {
    set_error(err, err_len, "spool: " + r->message);
    return INSGATE_PERMANENT_FAILURE;
  }
  auto ts = compact_time(ev->event_time != nullptr ? ev->event_time : "");
  if (auto* r = std::get_if<Refused>(&ts)) {
    set_error(err, err_len, "spool: " + r->message);
    return INSGATE_PERMANENT_FAILURE;
  }
  const std::string name = std::get<std::string>(ts) + "-" +
                           file_key(ev->idempotency_key != nullptr ? ev->idempotency_key : "") +
                           (self->hl7 ? ".hl7" : ".json");
  const std::string final_path = self->repertoire + "/" + name;
  // Dot-prefixed: pollers must ignore files starting with '.'.
  std::string tmp = self->repertoire + "/." + name + ".tmp-XXXXXX";

  const char* step = "create temporary file";
  int e = 0;
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    e = errno;
  } else {
    bool good = (step = "chmod", fchmod(fd, self->mode) == 0) &&
                (step = "write", write_all(fd, std::get<std::string>(content))) &&
                (step = "fsync", fsync(fd) == 0);
    if (!good) e = errno;
    if (close(fd) != 0 && good) {
      step = "close";
      e = errno;
      good = false;
    }
    if (good && rename(tmp.c_str(), final_path.c_str()) != 0) {
      step = "rename";
      e = errno;
      good = false;
    }
    if (!good) unlink(tmp.c_str());
  }
  if (e == 0) {
    // Make the rename itself durable.
    step = "fsync directory";
    const int dfd = open(self->repertoire.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) e = errno;
    if (dfd >= 0) close(dfd);
  }
  if (e != 0) {
    set_error(err, err_len, std::string("spool: ") + step + " in " + self->repertoire +
                              " failed for event " + (ev->idempotency_key ? ev->idempotency_key : "") +
                              ": " + std::strerror(e));
    return classify(e);
  }
  return INSGATE_OK;
}

// ---- C entry points: nothing escapes them ----

insgate_status spool_create(const insgate_host_api* host, const char* config_json,
                            insgate_instance** out, char* err, size_t err_len) {
  return guarded(err, err_len, INSGATE_PERMANENT_FAILURE,
                 "spool: create failed (out of memory or internal error)",
                 [&] { return do_create(host, config_json, out, err, err_len); });
}

insgate_status spool_deliver(insgate_instance* self, const insgate_event* ev, char* err,
                             size_t err_len) {
  return guarded(err, err_len, INSGATE_RETRY_LATER, "spool: internal error while writing the event",
                 [&] { return do_deliver(self, ev, err, err_len); });
}

void spool_destroy(insgate_instance* self) { delete self; }

// Thread-safe: the instance is read-only after create and every deliver uses
// its own unique temporary file.
const insgate_plugin descriptor = {
    INSGATE_PLUGIN_ABI_MAJOR, INSGATE_PLUGIN_ABI_MINOR, sizeof(insgate_plugin),
    INSGATE_PLUGIN_THREAD_SAFE, "spool", "1.0.0", spool_create, spool_deliver, spool_destroy,
    {nullptr, nullptr, nullptr, nullptr}};

}  // namespace

extern "C" INSGATE_PLUGIN_EXPORT const insgate_plugin* insgate_plugin_entry(uint32_t host_abi_major) {
  return host_abi_major == INSGATE_PLUGIN_ABI_MAJOR ? &descriptor : nullptr;
}

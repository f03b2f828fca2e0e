// insgate — plugin loader: dlopen, validation, C <-> C++ event conversion.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugin_host/plugin_loader.hpp"

#include <dlfcn.h>

#include <array>
#include <cstddef>
#include <mutex>
#include <system_error>
#include <type_traits>
#include <utility>

#include <spdlog/spdlog.h>

namespace insgate::plugin_host {

namespace {

using EntryFn = const insgate_plugin* (*)(std::uint32_t);

// The host reads the descriptor up to and including destroy (ABI 1.0).
constexpr std::size_t kDescriptorNeeded =
    offsetof(insgate_plugin, destroy) + sizeof(insgate_plugin::destroy);

// Error buffer handed to the plugin (>= INSGATE_ERR_MIN_LEN).
constexpr std::size_t kErrLen = 1024;
static_assert(kErrLen >= INSGATE_ERR_MIN_LEN);
using ErrBuffer = std::array<char, kErrLen>;

// The plugin may have left the buffer without a terminator: bound it.
std::string bounded(ErrBuffer& err) {
  err.back() = '\0';
  std::string s(err.data());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string status_name(insgate_status s) {
  switch (s) {
    case INSGATE_OK: return "OK";
    case INSGATE_RETRY_LATER: return "RETRY_LATER";
    case INSGATE_PERMANENT_FAILURE: return "PERMANENT_FAILURE";
    case INSGATE_INVALID_CONFIG: return "INVALID_CONFIG";
    default: return "unknown status " + std::to_string(s);
  }
}

std::string dl_error_text() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown dlerror";
}

}  // namespace

namespace detail {

struct Library {
  std::filesystem::path path;
  void* handle = nullptr;
  const insgate_plugin* desc = nullptr;
  std::string name;
  std::string version;
  PluginLogSink log;
  std::mutex deliver_mutex;  // serialises deliver() when not THREAD_SAFE

  Library() = default;
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library() {
    if (handle != nullptr) dlclose(handle);
  }

  [[noreturn]] void fail(const std::string& problem) const {
    throw PluginError(path.string() + ": " + problem);
  }
  bool thread_safe() const { return (desc->flags & INSGATE_PLUGIN_THREAD_SAFE) != 0; }
};

struct HostLog {
  std::string origin;  // plugin name
  PluginLogSink sink;
};

// Standard layout with insgate_host_api first, so host_log() may convert the
// plugin's `host` pointer back into the context.
struct HostContext {
  insgate_host_api api{};
  HostLog* log = nullptr;  // owned

  HostContext() = default;
  HostContext(const HostContext&) = delete;
  HostContext& operator=(const HostContext&) = delete;
  ~HostContext() { delete log; }
};
static_assert(std::is_standard_layout_v<HostContext>);
static_assert(offsetof(HostContext, api) == 0);

}  // namespace detail

namespace {

// [any-thread] The only host function a plugin calls: nothing may escape.
extern "C" void host_log(const insgate_host_api* host, std::int32_t level,
                         const char* message) {
  if (host == nullptr || message == nullptr) return;
  try {
    const auto* ctx = reinterpret_cast<const detail::HostContext*>(host);
    if (level < INSGATE_LOG_DEBUG || level > INSGATE_LOG_ERROR) level = INSGATE_LOG_ERROR;
    if (ctx->log != nullptr && ctx->log->sink) ctx->log->sink(level, ctx->log->origin, message);
  } catch (...) {
    // A failing sink must not unwind into C code; the line is lost.
  }
}

}  // namespace

PluginLogSink spdlog_sink() {
  return [](std::int32_t level, std::string_view origin, std::string_view message) {
    static constexpr std::array levels{spdlog::level::debug, spdlog::level::info,
                                       spdlog::level::warn, spdlog::level::err};
    spdlog::log(levels[static_cast<std::size_t>(level)], "plugin {}: {}", origin, message);
  };
}

LoadedPlugin LoadedPlugin::load(const std::filesystem::path& path, PluginLogSink log) {
  auto lib = std::make_shared<detail::Library>();
  std::error_code ec;
  lib->path = std::filesystem::absolute(path, ec);
  if (ec) lib->path = path;
  lib->log = std::move(log);

  if (!std::filesystem::exists(lib->path, ec)) lib->fail("plugin file not found");
  if (!std::filesystem::is_regular_file(lib->path, ec)) lib->fail("not a regular file");

  lib->handle = dlopen(lib->path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle == nullptr) lib->fail("dlopen failed: " + dl_error_text());

  dlerror();  // clear, so that a NULL from dlsym is told apart from an error
  void* sym = dlsym(lib->handle, INSGATE_PLUGIN_ENTRY_SYMBOL);
  if (sym == nullptr) {
    lib->fail(std::string("missing entry symbol ") + INSGATE_PLUGIN_ENTRY_SYMBOL +
              " (not exported?)");
  }
  auto entry = reinterpret_cast<EntryFn>(sym);

  const insgate_plugin* d = entry(INSGATE_PLUGIN_ABI_MAJOR);
  if (d == nullptr) {
    lib->fail(std::string(INSGATE_PLUGIN_ENTRY_SYMBOL) + " returned no descriptor for host ABI major " +
              std::to_string(INSGATE_PLUGIN_ABI_MAJOR));
  }
  // abi_major and struct_size sit in the first 12 bytes of every version.
  if (d->abi_major != INSGATE_PLUGIN_ABI_MAJOR) {
    lib->fail("ABI major mismatch: plugin has " + std::to_string(d->abi_major) + ", host has " +
              std::to_string(INSGATE_PLUGIN_ABI_MAJOR));
  }
  if (d->struct_size < kDescriptorNeeded) {
    lib->fail("descriptor too small: struct_size " + std::to_string(d->struct_size) +
              " bytes, host needs at least " + std::to_string(kDescriptorNeeded));
  }
  if (d->name == nullptr) lib->fail("descriptor has a NULL name");
  if (d->version == nullptr) lib->fail("descriptor has a NULL version");
  if (d->create == nullptr) lib->fail("descriptor has a NULL create function");
  if (d->deliver == nullptr) lib->fail("descriptor has a NULL deliver function");
  if (d->destroy == nullptr) lib->fail("descriptor has a NULL destroy function");
  lib->desc = d;
  lib->name = d->name;
  lib->version = d->version;
  return LoadedPlugin(std::move(lib));
}

PluginInstance LoadedPlugin::create(const std::string& config_json) const {
  auto host = std::make_unique<detail::HostContext>();
  host->api.struct_size = sizeof(insgate_host_api);
  host->api.abi_major = INSGATE_PLUGIN_ABI_MAJOR;
  host->api.abi_minor = INSGATE_PLUGIN_ABI_MINOR;
  host->api.log = &host_log;
  host->log = new detail::HostLog{lib_->name, lib_->log};

  ErrBuffer err{};
  insgate_instance* handle = nullptr;
  const insgate_status st =
      lib_->desc->create(&host->api, config_json.c_str(), &handle, err.data(), err.size());
  std::string text = bounded(err);
  if (st != INSGATE_OK) {
    lib_->fail("create failed (" + status_name(st) + "): " +
               (text.empty() ? std::string("no error text") : text));
  }
  if (handle == nullptr) lib_->fail("create returned OK but no instance");
  return PluginInstance(lib_, std::move(host), handle);
}

const std::filesystem::path& LoadedPlugin::path() const { return lib_->path; }
std::string_view LoadedPlugin::name() const { return lib_->name; }
std::string_view LoadedPlugin::version() const { return lib_->version; }
std::uint32_t LoadedPlugin::abi_minor() const { return lib_->desc->abi_minor; }
bool LoadedPlugin::thread_safe() const { return lib_->thread_safe(); }

PluginInstance::PluginInstance(std::shared_ptr<detail::Library> lib,
                               std::unique_ptr<detail::HostContext> host,
                               insgate_instance* handle)
    : lib_(std::move(lib)), host_(std::move(host)), handle_(handle) {}

PluginInstance::PluginInstance(PluginInstance&& o) noexcept
    : lib_(std::move(o.lib_)), host_(std::move(o.host_)), handle_(std::exchange(o.handle_, nullptr)) {}

PluginInstance& PluginInstance::operator=(PluginInstance&& o) noexcept {
  if (this != &o) {
    reset();
    lib_ = std::move(o.lib_);
    host_ = std::move(o.host_);
    handle_ = std::exchange(o.handle_, nullptr);
  }
  return *this;
}

PluginInstance::~PluginInstance() { reset(); }

// destroy() first, then the host API it may still use, then (maybe) dlclose.
void PluginInstance::reset() noexcept {
  if (handle_ != nullptr) lib_->desc->destroy(std::exchange(handle_, nullptr));
  host_.reset();
  lib_.reset();
}

namespace {

// Why `e` cannot be expressed as an insgate_event, or empty.
std::string unrepresentable(const IdentityEvent& e) {
  const std::pair<const char*, const std::string*> fields[] = {
      {"idempotency_key", &e.idempotency_key}, {"event_time", &e.event_time},
      {"local_id", &e.local_id}, {"rniv_status", &e.rniv_status},
      {"ins.matricule", &e.ins.matricule}, {"ins.cle", &e.ins.cle}, {"ins.oid", &e.ins.oid},
      {"nom_naissance", &e.nom_naissance}, {"liste_prenoms", &e.liste_prenoms},
      {"premier_prenom", &e.premier_prenom}, {"sexe", &e.sexe},
      {"date_naissance", &e.date_naissance}, {"lieu_naissance", &e.lieu_naissance},
      {"insi_call_time", &e.insi_call_time}, {"identity_document_type", &e.identity_document_type},
      {"identity_document_checked_on", &e.identity_document_checked_on}, {"finess", &e.finess}};
  for (const auto& [name, value] : fields) {
    if (value->find('\0') != std::string::npos) return std::string(name) + " contains a NUL byte";
  }
  if (e.previous_ins) {
    for (const std::string* v : {&e.previous_ins->matricule, &e.previous_ins->cle, &e.previous_ins->oid}) {
      if (v->find('\0') != std::string::npos) return "previous_ins contains a NUL byte";
    }
  }
  switch (e.kind) {
    case EventKind::qualifiee:
    case EventKind::mise_a_jour:
    case EventKind::ins_remplacee:
    case EventKind::declassee:
      return {};
  }
  return "unknown event kind " + std::to_string(static_cast<std::uint32_t>(e.kind));
}

insgate_ins to_c(const Ins& i) { return {i.matricule.c_str(), i.cle.c_str(), i.oid.c_str()}; }

}  // namespace

DeliveryResult PluginInstance::deliver(const IdentityEvent& e) {
  if (handle_ == nullptr) return {DeliveryStatus::permanent_failure, "instance already destroyed"};
  if (std::string why = unrepresentable(e); !why.empty()) {
    return {DeliveryStatus::permanent_failure, "event refused by the host: " + why};
  }
  insgate_ins previous{};
  if (e.previous_ins) previous = to_c(*e.previous_ins);

  insgate_event ev{};
  ev.struct_size = sizeof(insgate_event);
  ev.kind = static_cast<std::uint32_t>(e.kind);
  ev.idempotency_key = e.idempotency_key.c_str();
  ev.event_time = e.event_time.c_str();
  ev.local_id = e.local_id.c_str();
  ev.rniv_status = e.rniv_status.c_str();
  ev.ins = to_c(e.ins);
  ev.traits = {e.nom_naissance.c_str(), e.liste_prenoms.c_str(), e.premier_prenom.c_str(),
               e.sexe.c_str(), e.date_naissance.c_str(), e.lieu_naissance.c_str()};
  ev.previous_ins = e.previous_ins ? &previous : nullptr;
  ev.insi_call_time = e.insi_call_time.c_str();
  ev.identity_document_type = e.identity_document_type.c_str();
  ev.identity_document_checked_on = e.identity_document_checked_on.c_str();
  ev.finess = e.finess.c_str();

  ErrBuffer err{};
  insgate_status st;
  if (lib_->thread_safe()) {
    st = lib_->desc->deliver(handle_, &ev, err.data(), err.size());
  } else {
    std::lock_guard lock(lib_->deliver_mutex);
    st = lib_->desc->deliver(handle_, &ev, err.data(), err.size());
  }
  std::string text = bounded(err);
  switch (st) {
    case INSGATE_OK: return {DeliveryStatus::ok, {}};
    case INSGATE_RETRY_LATER: return {DeliveryStatus::retry_later, std::move(text)};
    case INSGATE_PERMANENT_FAILURE: return {DeliveryStatus::permanent_failure, std::move(text)};
    default:
      return {DeliveryStatus::permanent_failure,
              "deliver returned " + status_name(st) + ", treated as PERMANENT_FAILURE" +
                  (text.empty() ? std::string() : ": " + text)};
  }
}

}  // namespace insgate::plugin_host

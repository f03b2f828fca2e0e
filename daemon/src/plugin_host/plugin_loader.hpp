// insgate — loads DMP connector plugins (plugins/include/insgate/plugin.h)
// and wraps their C ABI in RAII types.
//
// Validation happens before any plugin function other than the entry is
// called (style-examples §8): dlopen(RTLD_NOW | RTLD_LOCAL), dlsym the entry, then
// check ABI major, descriptor size and mandatory pointers; only then may
// create() be called. Each PluginInstance keeps its library loaded, so every
// instance is destroyed before dlclose.
// Events carry what ins-identity-rules.md §3/§5 require; only qualifiée
// identities (and their downgrades) are ever handed to a plugin.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <insgate/plugin.h>

namespace insgate::plugin_host {

/// A plugin cannot be loaded or instantiated. what() names the file and the
/// problem, e.g. "/usr/lib/insgate/x.so: ABI major mismatch: plugin has 2,
/// host has 1". Start-up stops on it.
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Event kinds of plugin.h (INSGATE_EVENT_*).
enum class EventKind : std::uint32_t {
  qualifiee = INSGATE_EVENT_QUALIFIEE,
  mise_a_jour = INSGATE_EVENT_MISE_A_JOUR,
  ins_remplacee = INSGATE_EVENT_INS_REMPLACEE,
  declassee = INSGATE_EVENT_DECLASSEE,
};

/// One INS (matricule 13 characters, key 2 digits, OID).
struct Ins {
  std::string matricule;
  std::string cle;
  std::string oid;
};

/// C++ side of insgate_event; field meanings are in plugin.h.
struct IdentityEvent {
  EventKind kind = EventKind::qualifiee;
  std::string idempotency_key;
  std::string event_time;  ///< ISO 8601 UTC, "2024-01-15T10:30:00Z"
  std::string local_id;    ///< e.g. IPP
  std::string rniv_status; ///< identity::to_api_name(), e.g. "qualifiee"
  Ins ins;
  std::string nom_naissance;
  std::string liste_prenoms;
  std::string premier_prenom;
  std::string sexe;            ///< "M" / "F"
  std::string date_naissance;  ///< "AAAA-MM-JJ"
  std::string lieu_naissance;  ///< COG, 5 characters
  std::optional<Ins> previous_ins;  ///< ins_remplacee only
  // ABI minor 1 ("" when unknown), see plugin.h.
  std::string insi_call_time;                ///< ISO 8601 UTC of the last INSi match
  std::string identity_document_type;        ///< "CNI", "PASSEPORT", ...
  std::string identity_document_checked_on;  ///< "AAAA-MM-JJ"
  // ABI minor 2.
  std::string finess;  ///< the identity's structure (9 characters)
};

enum class DeliveryStatus { ok, retry_later, permanent_failure };

/// What deliver() answered. `error` is the plugin's error text (bounded,
/// never identity data by contract) or the host's reason; empty on ok.
struct DeliveryResult {
  DeliveryStatus status;
  std::string error;
};

/// Receives the lines a plugin logs: level is INSGATE_LOG_*, `origin` is
/// "<plugin name>" (set by the host). Called from the plugin's thread; must
/// not throw (exceptions are swallowed anyway).
using PluginLogSink =
    std::function<void(std::int32_t level, std::string_view origin, std::string_view message)>;

/// The default sink: spdlog, "plugin <name>: <message>".
PluginLogSink spdlog_sink();

namespace detail {
struct Library;  // dlopen handle + validated descriptor; dlclose on destruction
struct HostContext;
}  // namespace detail

/// One instance created by a plugin. Move-only; its destructor calls the
/// plugin's destroy() and then releases its reference on the library.
/// Thread-safety: deliver() [outbox-thread] may be called from any thread;
/// for a plugin that is not thread_safe() the host serialises the deliver()
/// calls of all its instances. Construction and destruction are
/// [main-thread] and must not overlap a deliver() on the same instance.
class PluginInstance {
 public:
  PluginInstance(PluginInstance&&) noexcept;
  PluginInstance& operator=(PluginInstance&&) noexcept;
  ~PluginInstance();

  /// @brief Converts `event` to an insgate_event and hands it to the plugin.
  /// @return the plugin's status with its error text; an unknown status (or
  ///         INVALID_CONFIG) becomes permanent_failure with a message saying
  ///         so; an event the ABI cannot carry (embedded NUL, unknown kind)
  ///         is refused as permanent_failure without calling the plugin.
  /// @throw std::bad_alloc only; nothing thrown by the plugin side exists.
  DeliveryResult deliver(const IdentityEvent& event);

 private:
  friend class LoadedPlugin;
  PluginInstance(std::shared_ptr<detail::Library> lib, std::unique_ptr<detail::HostContext> host,
                 insgate_instance* handle);
  void reset() noexcept;

  std::shared_ptr<detail::Library> lib_;
  std::unique_ptr<detail::HostContext> host_;
  insgate_instance* handle_ = nullptr;
};

/// A validated plugin library. Copyable handle (shared); the library is
/// dlclose'd when the last LoadedPlugin and the last PluginInstance are gone.
class LoadedPlugin {
 public:
  /// @brief [main-thread] dlopen + validation, no call to create().
  /// @param path the shared object; relative paths are made absolute so
  ///        that dlopen never searches the library path.
  /// @param log where the plugin's log lines go.
  /// @throw PluginError missing file, dlopen failure (with dlerror text),
  ///        missing entry symbol, NULL descriptor, ABI major mismatch (both
  ///        numbers), descriptor too small (both sizes), NULL name, version,
  ///        create, deliver or destroy.
  static LoadedPlugin load(const std::filesystem::path& path, PluginLogSink log = spdlog_sink());

  /// @brief [main-thread] Creates one instance.
  /// @param config_json the instance's configuration subtree as JSON text.
  /// @throw PluginError naming the file, the status and the plugin's error
  ///        text (e.g. "...: create failed (INVALID_CONFIG): missing url").
  PluginInstance create(const std::string& config_json) const;

  const std::filesystem::path& path() const;
  std::string_view name() const;
  std::string_view version() const;
  std::uint32_t abi_minor() const;
  bool thread_safe() const;  ///< INSGATE_PLUGIN_THREAD_SAFE set

 private:
  explicit LoadedPlugin(std::shared_ptr<detail::Library> lib) : lib_(std::move(lib)) {}
  std::shared_ptr<detail::Library> lib_;
};

}  // namespace insgate::plugin_host

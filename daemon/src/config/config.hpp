// insgate — the daemon's configuration, loaded from YAML.
//
// Shape and meaning of every key: config/insgate.yaml (the commented
// example). Relative file paths are resolved against the directory of the
// configuration file. Loading is all-or-nothing: a Config is either complete
// and valid, or ConfigError names the first offending key and its line.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <stdexcept>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insi/insi_messages.hpp"
#include "plugin_host/plugin_config.hpp"

namespace insgate::config {

/// Invalid configuration. what() names the key (dotted path) and the line
/// (1-based), e.g. "insi.url (line 12): must start with https://".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// TLS of the optional TCP listener: always with client certificates.
/// Only paths: the key is read by OpenSSL (config check, then the listener),
/// never copied, logged or written.
struct TcpTlsConfig {
  std::string cert_file;        ///< server certificate (chain), PEM
  std::string key_file;         ///< its private key, PEM, unencrypted
  std::string ca_clients_file;  ///< PEM CA(s) that client certificates must chain to
  bool operator==(const TcpTlsConfig&) const = default;
};

/// Optional TCP listener of the local API (local-api.md, Transport: off by
/// default; loopback only unless client-certificate TLS is configured).
/// Restart-only, like the rest of `api`.
struct TcpListenerConfig {
  std::string listen;  ///< `api.tcp.ecoute` as written; empty: no TCP listener
  std::string address;  ///< IP literal, without brackets
  unsigned short port = 0;
  bool tls = false;
  TcpTlsConfig tls_files;  ///< when tls

  bool enabled() const { return !listen.empty(); }
  bool operator==(const TcpListenerConfig&) const = default;
};

/// Local API listener (local-api.md, Transport).
struct ApiConfig {
  std::string socket_path;         ///< api.socket: Unix socket path
  unsigned socket_mode = 0660;     ///< api.mode_socket: permission bits applied after bind
  /// api.delai_entete_ms: to receive a complete header
  std::chrono::milliseconds header_timeout{10'000};
  /// api.delai_inactivite_ms: keep-alive idle, and body read
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t body_limit = 64 * 1024;                ///< bytes, fixed by local-api.md
  int max_connections = 512;  ///< api.connexions_max: beyond this, new connections are closed at once
  /// Callers allowed on the socket, checked with SO_PEERCRED (local-api.md
  /// "Caller identity"): a connection is served when its peer's uid is in
  /// allowed_uids (api.utilisateurs_autorises) or its primary gid, or one of
  /// its supplementary groups (SO_PEERGROUPS), is in allowed_gids
  /// (api.groupes_autorises). Both
  /// empty: anyone the socket's mode lets in. Names are resolved at load.
  std::vector<unsigned> allowed_uids;
  std::vector<unsigned> allowed_gids;
  /// `api.tcp`. The limits and timeouts above apply to it too;
  /// api.connexions_max applies to each listener on its own.
  /// utilisateurs_autorises / groupes_autorises do not apply to it (no SO_PEERCRED).
  TcpListenerConfig tcp;
};

/// https URL split into its parts.
struct Endpoint {
  std::string url;
  std::string host;
  std::string port;    ///< "443" when absent from the URL
  std::string target;  ///< path, e.g. "/lps"
};

/// The ORG AUTH_CLI client certificate (insi-protocol.md §2.3), insi.certificat:
/// either PEM certificate (chain) + PEM key (certificat, cle), or a PKCS#12
/// file and a passphrase file (pkcs12, phrase_secrete_fichier).
struct ClientCertificate {
  std::string cert_file;
  std::string key_file;
  std::string pkcs12_file;
  std::string passphrase_file;
  bool operator==(const ClientCertificate&) const = default;
};

/// insi.delais: connexion_ms, appel_ms, requete_ms.
struct Deadlines {
  std::chrono::milliseconds connect{5'000};   ///< TCP connect + TLS handshake
  std::chrono::milliseconds call{10'000};     ///< one INSi call
  std::chrono::milliseconds request{30'000};  ///< one API request, all calls included
  /// inactivite_ms: a kept-alive connection to INSi idle this long is closed
  /// (so that many quiet structures keep no sockets open).
  std::chrono::milliseconds idle{30'000};
};

/// Fault policy (insi-protocol.md §7; insi.reprises: max, attente_ms) and
/// circuit breaker (issue #4; insi.circuit: echecs, pause_ms).
struct Resilience {
  int max_retries = 2;                          ///< 0..2 retries of siram_40/transport failures
  std::chrono::milliseconds backoff{200};       ///< first backoff, doubled, jittered
  int circuit_failures = 5;                     ///< consecutive transport failures to open
  std::chrono::milliseconds circuit_cooldown{30'000};
};

/// One recorded answer replayed instead of calling INSi (issue #4, CNDA test
/// campaigns): a traits search matching these four values exactly (after
/// normalisation) gets the file's content as INSi's answer.
struct RejeuEntry {
  std::string nom_naissance;
  std::string prenom;
  std::string sexe;
  std::string date_naissance;
  std::string file;  ///< absolute path
};

struct InsiConfig {
  Endpoint endpoint;        ///< insi.url
  std::string environment;  ///< insi.environnement: "production", "qualification" or "test"
  /// insi.certificat as written with the single `structure:` block (empty
  /// with `structures:`). The daemon uses Structure::certificate, which holds
  /// a copy of it in that form.
  ClientCertificate certificate;
  std::vector<std::string> ca_files;  ///< PEM or DER trust anchors of the server
  Deadlines deadlines;
  Resilience resilience;
  std::vector<RejeuEntry> rejeu;  ///< opt-in; refused in production
  /// insi.connexions_max: connections to INSi open at once per structure
  /// (its pool, insi/insi_client.hpp); calls beyond wait in a queue within
  /// their deadline (issue 19).
  int max_connections = 32;
  /// Sign every request with WS-Security using the client certificate's key
  /// (insi/xml_signature.hpp). Off by default: INSi's mTLS mode needs none.
  bool signature_xml = false;
};

/// Callers allowed to act for one structure (issue 12, caller
/// authorisation): `appelants` of the structure. All empty: any caller the
/// listener lets in. A caller is admitted when one rule matches: on the Unix
/// socket its uid (utilisateurs) or its primary or a supplementary gid
/// (groupes), read with SO_PEERCRED / SO_PEERGROUPS; on the TLS listener one
/// attribute of its client certificate's subject (certificats: "CN=…",
/// "OU=…" or "serial=<hex>"). A caller on plain loopback TCP has no identity:
/// it is admitted only by a structure without rules.
struct AllowedCallers {
  std::vector<unsigned> uids;  ///< appelants.utilisateurs (names resolved at load)
  std::vector<unsigned> gids;  ///< appelants.groupes
  /// appelants.certificats, normalised: "CN=value", "OU=value", "serial=HEX"
  /// (serial upper-case hexadecimal without separators or leading zeros).
  std::vector<std::string> tls_subjects;
  bool open() const { return uids.empty() && gids.empty() && tls_subjects.empty(); }
  bool operator==(const AllowedCallers&) const = default;
};

/// One structure served by the daemon (issue 12): `structures[]`, or the
/// single `structure:` block (then a one-element list whose certificate is
/// `insi.certificat` and whose emetteur is the top-level `emetteur`).
struct Structure {
  std::string finess;     ///< 9 characters
  std::string name;
  std::string categorie;  ///< Catégorie FINESS, for the monthly report ("" if unknown)
  /// Active file for the qualified-identity rate: identities handled within
  /// this window (days).
  int file_active_jours = 365;
  /// Its own ORG AUTH_CLI certificate (the certificate names the structure
  /// INSi counts the call for). Never shared with another structure.
  ClientCertificate certificate;
  std::string emetteur;  ///< Emetteur of ContexteBAM/ContexteLPS; its FINESS by default
  AllowedCallers callers;
  std::string key;  ///< its key in the file, e.g. "structures[2]" or "structure", for messages
};

/// Prometheus listener (issue #6); empty `listen` disables it.
struct MetricsConfig {
  std::string listen = "127.0.0.1:9464";
  std::string path = "/metrics";
};

/// Durable state (issue #5): SQLite file in `directory`, result cache,
/// outbox delivery, activity counting.
/// The shared state store of a fleet (issue 15), `etat.postgresql`.
struct PostgresConfig {
  /// etat.postgresql.conninfo_fichier: a file holding the libpq connection
  /// string (it may carry a password), e.g. ${CREDENTIALS_DIRECTORY}/pg.
  /// Only the path is kept here; the store reads the file at start-up and
  /// never logs or prints its content.
  std::string conninfo_file;
  int connections = 4;  ///< etat.postgresql.connexions: pool size, 1..256
};

struct StateConfig {
  std::string directory = "/var/lib/insgate";  ///< systemd StateDirectory
  /// etat.postgresql: the state lives in PostgreSQL (several insgated share
  /// it); absent: the embedded SQLite file in `directory` (the default).
  std::optional<PostgresConfig> postgresql;
  std::chrono::seconds cache_ttl{24 * 3600};   ///< cache.duree_s; 0 disables the cache
  /// Secret keying the hashes of operators and persons in the activity
  /// counters; when empty, one is generated once into the state directory.
  std::string hmac_key_file;  ///< etat.cle_hmac_fichier
  /// outbox.tentatives_max; then the event goes to the dead letters
  int outbox_max_attempts = 20;
  /// outbox.attente_ms: first retry delay, doubled, capped 1 h
  std::chrono::milliseconds outbox_backoff{1000};
  /// outbox.bail_ms: how long an event being delivered stays this
  /// instance's without a renewal (fleet mode: renewed every third of it
  /// while deliver() runs; an instance killed mid-delivery frees its event
  /// after at most this long). 100 ms to 1 h.
  std::chrono::milliseconds outbox_lease{60000};
};

struct Config {
  std::string source_path;
  /// One sentence per 0.1.0 key name found in the file (renamed_keys()):
  /// the key as written, its line and its new name. advisories() lists them.
  std::vector<std::string> renamed_keys;
  ApiConfig api;
  InsiConfig insi;
  /// Every structure served, in file order; never empty; FINESS unique.
  std::vector<Structure> structures;
  /// ContexteLPS values, shared by every structure; `emetteur` is left empty
  /// here: each structure has its own (Structure::emetteur).
  insi::CallContext call_context;
  std::string log_level = "info";  ///< journal.niveau
  /// DMP connector plugins (`plugins:`, each {nom, chemin, config}); the
  /// `config` subtree is handed to the plugin's create() as JSON.
  std::vector<plugin_host::PluginConfig> plugins;
  StateConfig state;
  MetricsConfig metrics;
};

/// A key renamed when the configuration took one vocabulary (French, like
/// the local API; domain terms and unit suffixes kept). The old name is
/// still read for one release, with a warning naming the new one; a file
/// giving both names of one setting is refused. Dotted paths; a renamed
/// mapping (insi.certificate) is listed as well as its renamed children.
struct RenamedKey {
  std::string_view old_key;
  std::string_view new_key;
};

/// Every renamed key, old -> new (README, "Configuration keys renamed").
const std::vector<RenamedKey>& renamed_keys();

/// Loads and validates a configuration file.
/// @throw ConfigError on any missing, unknown or invalid key, or unreadable file.
Config load(const std::string& path);

/// Old key names (Config::renamed_keys), then settings that are valid but
/// probably a mistake, one sentence each naming
/// the key: a production or qualification environment whose endpoint is not
/// an Assurance Maladie host (*.ameli.fr) or looks like the other platform,
/// and, with environment test, the example file's instance UUID. (Outside
/// test, load() refuses the example's placeholders lps.idam CHANGE-ME and
/// lps.instance: they are errors, not advisories.)
/// `insgated --check-config` prints them; start-up logs them as warnings.
std::vector<std::string> advisories(const Config& c);

/// The structure with this FINESS, or nullptr.
const Structure* find_structure(const Config& c, std::string_view finess);

/// Splits an https URL. @throw ConfigError naming `key` and `line` if invalid.
Endpoint parse_endpoint(const std::string& url, int line = 0, const std::string& key = "insi.url");

}  // namespace insgate::config

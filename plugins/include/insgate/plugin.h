/*
 * insgate — DMP connector plugin ABI (stable C interface).
 *
 * A plugin is a shared object exporting exactly one symbol,
 * insgate_plugin_entry(), which returns a versioned, size-checked descriptor
 * (insgate_plugin). The host (insgated) loads it with
 * dlopen(RTLD_NOW | RTLD_LOCAL), checks the descriptor, then creates one
 * instance per configured connector and hands it every identity event
 * (qualified identity, update, INS replacement, downgrade) through deliver().
 * Delivery is at least once: the same event may come again with the same
 * idempotency key, which the receiver must use to deduplicate.
 *
 * Contract, for both sides:
 *  - Plain C11, no compiler extension needed. No C++ exception, longjmp or
 *    signal may cross the boundary in either direction: a C++ plugin catches
 *    everything inside each function; the host never throws into a plugin.
 *  - Thread tags: [main-thread] = called from the host's start-up/shut-down
 *    thread; [outbox-thread] = called from a delivery worker thread (one
 *    worker per instance, events handed over in order); [any-thread] = may
 *    be called from either. See INSGATE_PLUGIN_THREAD_SAFE for concurrency.
 *  - Strings are UTF-8 and NUL-terminated. Strings passed by the host are
 *    owned by the host and valid only for the duration of the call: copy
 *    what you keep. Strings in the descriptor (name, version) are owned by
 *    the plugin and must stay valid until the library is unloaded.
 *  - Error buffers: `err` points to `err_len` bytes (err_len >= 1; the host
 *    gives at least INSGATE_ERR_MIN_LEN) with err[0] == '\0' on entry. The
 *    plugin writes one NUL-terminated line, truncated to fit. The host
 *    NUL-terminates the buffer again after the call and never trusts it
 *    further. Error texts and log messages must never contain identity data
 *    (matricule, traits, local identifier): they end up in the journal.
 *  - Evolution: within a major version, minor versions only APPEND fields
 *    at the end of insgate_plugin, insgate_host_api and insgate_event. Every
 *    such struct starts with (or contains) a struct_size; a reader reads a
 *    field only when struct_size covers it (INSGATE_HAS_FIELD). Nested
 *    structs (insgate_ins, insgate_traits) are frozen for a major version.
 *    Removing, reordering or retyping a field is a new major version.
 *
 * Identity rules implemented: ../shared/spec/ins-identity-rules.md §3 (RNIV
 * statuses: only a qualifiée identity's INS leaves the gateway, downgrades are
 * propagated) and §5 (what a receiver needs to build HL7 PID-3/PID-32, FHIR
 * FR Core Patient INS, CDA or MSSanté representations).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INSGATE_PLUGIN_H
#define INSGATE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version implemented by this header. The host refuses a descriptor
 *  whose abi_major differs from its own; abi_minor is informative (fields
 *  are detected through struct_size). */
#define INSGATE_PLUGIN_ABI_MAJOR 1u
#define INSGATE_PLUGIN_ABI_MINOR 2u

/** Name of the only symbol a plugin exports (for dlsym). */
#define INSGATE_PLUGIN_ENTRY_SYMBOL "insgate_plugin_entry"

/** Smallest err_len the host passes to create() and deliver(). */
#define INSGATE_ERR_MIN_LEN 256u

/** True when the struct at `ptr` (whose first or documented member is
 *  struct_size) is large enough to hold `field`. Use it for every field
 *  added after minor version 0 of the struct. */
#define INSGATE_HAS_FIELD(ptr, type, field) \
  ((size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/** Marks the entry function as exported (also link with the version script
 *  plugins/insgate_plugin.map so that nothing else is). */
#if defined(__GNUC__)
#define INSGATE_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define INSGATE_PLUGIN_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/** Result of create() and deliver(). A fixed-width integer rather than an
 *  enum type so that a value outside the list is not undefined behaviour:
 *  the host maps any unknown value to a permanent failure. */
typedef int32_t insgate_status;
enum {
  /** create: instance ready. deliver: the receiver has durably accepted the
   *  event (or had already accepted this idempotency key). */
  INSGATE_OK = 0,
  /** deliver only: transient failure (connector down, timeout, HTTP 503...).
   *  The host keeps the event and calls deliver again later with exponential
   *  backoff, up to a configured number of attempts. */
  INSGATE_RETRY_LATER = 1,
  /** deliver: the receiver refused this event for good (HTTP 4xx...); the
   *  host moves it to the dead-letter list. create: unrecoverable failure. */
  INSGATE_PERMANENT_FAILURE = 2,
  /** create only: config_json is not acceptable; start-up stops with err. */
  INSGATE_INVALID_CONFIG = 3
};

/* ------------------------------------------------------------------------ */
/* Host services                                                            */
/* ------------------------------------------------------------------------ */

/** Log levels for insgate_host_api.log. */
enum {
  INSGATE_LOG_DEBUG = 0,
  INSGATE_LOG_INFO = 1,
  INSGATE_LOG_WARNING = 2,
  INSGATE_LOG_ERROR = 3
};

/** What the host offers to a plugin instance. Passed to create(); the
 *  pointer stays valid until destroy() of that instance has returned. */
typedef struct insgate_host_api {
  uint32_t struct_size; /**< sizeof(insgate_host_api) as compiled by the host */
  uint32_t abi_major;   /**< host's INSGATE_PLUGIN_ABI_MAJOR */
  uint32_t abi_minor;   /**< host's INSGATE_PLUGIN_ABI_MINOR */
  uint32_t reserved0;   /**< 0 */
  /** [any-thread] Writes one line to the daemon's journal, prefixed with the
   *  plugin and instance names. `level` is an INSGATE_LOG_* value (unknown
   *  values are logged as errors); `message` is UTF-8, NUL-terminated, not
   *  kept after the call; NULL is ignored. Never blocks for long, never
   *  fails. Plugins must NEVER log identity data (matricule, key, traits,
   *  local identifier): log the idempotency key instead. */
  void (*log)(const struct insgate_host_api *host, int32_t level, const char *message);
  void *reserved[4]; /**< NULL; for future minor versions */
} insgate_host_api;

/* ------------------------------------------------------------------------ */
/* Identity event                                                           */
/* ------------------------------------------------------------------------ */

/** Why the event was emitted (ins-identity-rules.md §3). uint32_t on the wire. */
enum {
  /** The identity became qualifiée: send its INS and traits. */
  INSGATE_EVENT_QUALIFIEE = 1,
  /** A qualifiée identity's traits or local identifier changed. */
  INSGATE_EVENT_MISE_A_JOUR = 2,
  /** INSi returned a different INS for a qualifiée identity: `ins` is the new
   *  one, `previous_ins` the old one (history, HL7 MRG-1 / FHIR use=old). */
  INSGATE_EVENT_INS_REMPLACEE = 3,
  /** The identity left qualifiée (§3 downgrades): the receiver must remove
   *  `ins` from its records; `rniv_status` is the new, lower status. */
  INSGATE_EVENT_DECLASSEE = 4
};

/** One INS (§1): matricule + key + OID, never one without the others. */
typedef struct insgate_ins {
  const char *matricule; /**< 13 characters (NIR or NIA), e.g. "292032A004012" */
  const char *cle;       /**< 2-digit control key, e.g. "33" */
  const char *oid;       /**< assigning authority, e.g. "1.2.250.1.213.1.4.8" (NIR);
                              .9 NIA, .10 NIR test, .11 NIR démo (never in production) */
} insgate_ins;

/** The five INS traits (§2) exactly as INSi returned them (upper case, never
 *  altered by the gateway). */
typedef struct insgate_traits {
  const char *nom_naissance;  /**< birth name, e.g. "DE LA FONTAINE" */
  const char *liste_prenoms;  /**< birth first names separated by one space */
  const char *premier_prenom; /**< first element of liste_prenoms, e.g. "PIERRE-ALAIN" */
  const char *sexe;           /**< "M" or "F" */
  const char *date_naissance; /**< "AAAA-MM-JJ"; may be a non-calendar ("lunar") date (§2.2) */
  const char *lieu_naissance; /**< 5-character COG, e.g. "63220", "2B020", "99100" */
} insgate_traits;

/** One identity event handed to deliver(). All pointers are non-NULL unless
 *  documented otherwise; all strings are owned by the host for the call. */
typedef struct insgate_event {
  uint32_t struct_size; /**< sizeof(insgate_event) as compiled by the host */
  uint32_t kind;        /**< INSGATE_EVENT_*; treat an unknown kind as a
                             permanent failure, never guess */
  /** Unique per event, stable across redeliveries (printable ASCII, at most
   *  64 bytes). Send it to the receiver for deduplication; safe to log. */
  const char *idempotency_key;
  /** When the status change was committed, ISO 8601 UTC with seconds,
   *  e.g. "2024-01-15T10:30:00Z". */
  const char *event_time;
  /** Local identifier of the person in the care software (e.g. IPP). */
  const char *local_id;
  /** RNIV status after the event (§3): "qualifiee" for QUALIFIEE,
   *  MISE_A_JOUR and INS_REMPLACEE; "recuperee", "validee" or "provisoire"
   *  for DECLASSEE. */
  const char *rniv_status;
  insgate_ins ins;       /**< the INS concerned (for DECLASSEE: the one to remove) */
  insgate_traits traits; /**< the five INS traits */
  /** INS_REMPLACEE only: the replaced INS; NULL for every other kind. */
  const insgate_ins *previous_ins;

  /* ---- ABI minor 1: read only when INSGATE_HAS_FIELD(event,
   *      insgate_event, field) is true (a minor-0 host does not send them).
   *      Non-NULL when present; "" when the gateway does not know. ---- */

  /** When this gateway last obtained or checked the INS traits through INSi
   *  (attribute I, §3), ISO 8601 UTC with seconds, e.g.
   *  "2024-01-15T10:25:12Z" (HL7 ZFD-6, FR Core dateInterrogationINSi). */
  const char *insi_call_time;
  /** High-trust identity document checked for attribute C (§3), as named by
   *  the local API's qualification: "CNI", "PASSEPORT", "TITRE_SEJOUR" or
   *  "LIVRET_FAMILLE_ACTE" (HL7 ZFD-7, FR Core validationMode). */
  const char *identity_document_type;
  /** The day that document was checked, "AAAA-MM-JJ" (FR Core validationDate). */
  const char *identity_document_checked_on;

  /* ---- ABI minor 2: read only when INSGATE_HAS_FIELD(event,
   *      insgate_event, finess) is true. Non-NULL when present. ---- */

  /** FINESS (9 characters, e.g. "010000024") of the structure whose
   *  identity this is: a daemon serving several structures keeps each one's
   *  identities apart, and the same person known at two structures gives
   *  two independent event streams. Name the structure to the receiver with
   *  it (e.g. FHIR managingOrganization, HL7 MSH-4). An instance configured
   *  with `structures:` only receives events of those FINESS. */
  const char *finess;
} insgate_event;

/* ------------------------------------------------------------------------ */
/* Plugin descriptor                                                        */
/* ------------------------------------------------------------------------ */

/** Opaque per-instance state, defined by the plugin. */
typedef struct insgate_instance insgate_instance;

/** Flag: deliver() may be called concurrently, on the same instance and on
 *  different instances of this plugin. Without it (the default) the host
 *  never runs two deliver() calls of this plugin at the same time. */
#define INSGATE_PLUGIN_THREAD_SAFE (1u << 0)

/** The descriptor returned by insgate_plugin_entry(). Static storage in the
 *  plugin; the host only reads it. */
typedef struct insgate_plugin {
  uint32_t abi_major;   /**< INSGATE_PLUGIN_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;   /**< INSGATE_PLUGIN_ABI_MINOR the plugin was built with */
  uint32_t struct_size; /**< sizeof(insgate_plugin) as compiled by the plugin */
  uint32_t flags;       /**< INSGATE_PLUGIN_* flags; unknown bits are ignored */
  const char *name;     /**< short identifier, e.g. "dmp-fhir"; non-NULL */
  const char *version;  /**< plugin version, e.g. "1.2.0"; non-NULL */

  /** [main-thread] Creates one instance from its configuration.
   *  @param host        host services, valid until destroy() returns
   *  @param config_json the instance's configuration subtree as a JSON text
   *                     (an object, or "null" when none is configured)
   *  @param out         receives the instance on INSGATE_OK (non-NULL);
   *                     ignored otherwise
   *  @param err,err_len error buffer, see the file comment
   *  @return INSGATE_OK, INSGATE_INVALID_CONFIG (bad configuration) or
   *          INSGATE_PERMANENT_FAILURE (e.g. cannot allocate); on failure the
   *          plugin has released everything and destroy() is not called.
   *  Non-NULL. */
  insgate_status (*create)(const insgate_host_api *host, const char *config_json,
                           insgate_instance **out, char *err, size_t err_len);

  /** [outbox-thread] Hands one event to the connector. May block (network
   *  I/O) but should honour its own timeouts, at most tens of seconds.
   *  @return INSGATE_OK, INSGATE_RETRY_LATER or INSGATE_PERMANENT_FAILURE,
   *          with err filled for the last two. Non-NULL. */
  insgate_status (*deliver)(insgate_instance *self, const insgate_event *event,
                            char *err, size_t err_len);

  /** [main-thread] Releases an instance. Called exactly once per successful
   *  create(), after the last deliver() on it has returned and before the
   *  library is unloaded. Non-NULL. */
  void (*destroy)(insgate_instance *self);

  void *reserved[4]; /**< NULL; for future minor versions */
} insgate_plugin;

/** [main-thread] The only exported symbol. Called once after dlopen, before
 *  anything else. Must not allocate per-instance state or start threads.
 *  @param host_abi_major the host's INSGATE_PLUGIN_ABI_MAJOR; a plugin that
 *         supports several majors returns the matching descriptor
 *  @return a descriptor with static storage duration, or NULL when the
 *          plugin cannot serve that major (the host then refuses it). */
INSGATE_PLUGIN_EXPORT const insgate_plugin *insgate_plugin_entry(uint32_t host_abi_major);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* INSGATE_PLUGIN_H */

// insgate — the rows of the state store, as plain values.
//
// Times are std::chrono::system_clock points, stored as whole UTC seconds
// (sub-second parts are dropped). Strings are UTF-8. Identity values (INS,
// traits, local identifiers) live only in these rows, never in logs.
// Source rule: ins-identity-rules.md §0 rule 1 (INS = matricule + cle + OID),
// §3 (RNIV), §4 (INSHISTO), §6 (monthly indicators).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/matricule.hpp"  // Ins
#include "identity/rniv.hpp"       // RnivIdentity

namespace insgate::state {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

/// One cached INSi CR 00 answer. `key` is a hex SHA-256 (cache.hpp), never
/// raw traits; `resultat_json` the Resultat as resultat_json.hpp writes it.
struct CacheEntry {
  std::string key;
  std::string resultat_json;
  identity::Ins ins;  ///< INSACTIF of the answer (replacement detection)
  TimePoint stored_at;
  TimePoint expires_at;
};

/// How this daemon obtained attribute I (§3, §4).
enum class InsiOperation { recuperation, verification };
std::string_view to_name(InsiOperation op);  ///< "recuperation" | "verification"

/// High-trust identity document types accepted for C (local-api.md, qualification).
enum class PieceType { cni, passeport, titre_sejour, livret_famille_acte };
std::string_view to_api_name(PieceType p);  ///< "CNI", "PASSEPORT", "TITRE_SEJOUR", "LIVRET_FAMILLE_ACTE"
std::optional<PieceType> parse_piece_type(std::string_view name);  ///< exact match

struct PieceIdentite {
  PieceType type = PieceType::cni;
  std::string verifiee_le;  ///< AAAA-MM-JJ, as the caller sent it
};

/// One identity known by its current INS. `rniv` holds I, C and the
/// attributes; the status is always derived from it (rniv.hpp).
struct IdentityRecord {
  std::int64_t id = 0;  ///< store-assigned, 0 before insertion
  identity::Ins ins;    ///< current (active) INS
  identity::RnivIdentity rniv;
  std::optional<InsiOperation> insi_operation;  ///< last INSi match by this daemon
  std::optional<TimePoint> insi_at;
  std::optional<std::string> identifiant_local;  ///< e.g. IPP
  std::optional<PieceIdentite> piece;
  std::optional<std::string> qualifie_par;  ///< operator HMAC (hex), never the raw operator
  std::optional<TimePoint> qualifie_le;
  std::string traits_json;  ///< TIQ traits as INSi returned them (resultat_json.hpp), "{}" if none
  TimePoint created_at;
  TimePoint updated_at;
};

/// Why an INS sits in an identity's history.
enum class HistoryOrigin {
  insi_histo,  ///< listed by INSi in INSHISTO (§4)
  remplacee,   ///< was this identity's active INS until INSi returned another one
};

struct InsHistoryEntry {
  identity::Ins ins;
  HistoryOrigin origin = HistoryOrigin::insi_histo;
  std::optional<std::string> date_debut;  ///< INSHISTO DateDeb, verbatim
  std::optional<std::string> date_fin;
  std::optional<TimePoint> replaced_at;  ///< origin == remplacee only
};

/// One recorded status change (audit of transitions and downgrades, §3).
struct StatusChange {
  identity::RnivStatus from = identity::RnivStatus::provisoire;
  identity::RnivStatus to = identity::RnivStatus::provisoire;
  std::string reason;  ///< stable name: "insi_match", "document_checked", a RnivEvent name, ...
  TimePoint at;
};

/// Kinds of outbox events (plugins/include/insgate/plugin.h INSGATE_EVENT_*).
enum class EventKind { qualifiee, mise_a_jour, ins_remplacee, declassee };
std::string_view to_name(EventKind k);  ///< "qualifiee", "mise_a_jour", "ins_remplacee", "declassee"
std::optional<EventKind> parse_event_kind(std::string_view name);

enum class OutboxState { pending, delivered, dead };
std::string_view to_name(OutboxState s);  ///< "pending", "delivered", "dead"
std::optional<OutboxState> parse_outbox_state(std::string_view name);

/// An event to queue. The idempotency key is unique per plugin (NULL plugin
/// = "all plugins", for a worker that fans out itself).
struct NewOutboxEvent {
  std::optional<std::string> plugin;
  EventKind kind = EventKind::qualifiee;
  std::string idempotency_key;  ///< printable ASCII, ≤ 64 bytes (plugin.h)
  std::string payload_json;     ///< see events.hpp for the shape
  TimePoint created_at;
  /// The identity row the event concerns (0: none). A store that delivers
  /// in parallel keeps the order per plugin × structure × identity
  /// (OutboxStore::claim); a store that does not may ignore it.
  std::int64_t identity_id = 0;
};

/// A queued event as the delivery worker sees it.
struct OutboxRow {
  std::int64_t id = 0;  ///< increasing: delivery order
  std::optional<std::string> plugin;
  EventKind kind = EventKind::qualifiee;
  std::string idempotency_key;
  std::string payload_json;
  int attempts = 0;
  TimePoint next_attempt_at;  ///< not before this (epoch = immediately)
  OutboxState state = OutboxState::pending;
  std::optional<std::string> last_error;  ///< technical, never identity data
  TimePoint created_at;
  std::optional<TimePoint> delivered_at;
  /// The structure whose identity the event concerns (issue 12; rows
  /// written before schema 5 carry the first configured structure's).
  std::string finess;
};

/// One configured plugin instance as the outbox routes events to it: its
/// name and the structures it serves (issue 12, plugin `structures:`).
/// Implicit from a name: an instance that serves every structure.
struct PluginRoute {
  PluginRoute(std::string n = {}, std::vector<std::string> s = {})  // NOLINT(google-explicit-constructor)
      : name(std::move(n)), structures(std::move(s)) {}
  PluginRoute(const char* n) : name(n) {}  // NOLINT(google-explicit-constructor)
  std::string name;
  std::vector<std::string> structures;  ///< FINESS served; empty = every structure
  bool serves(const std::string& finess) const {
    return structures.empty() ||
           std::find(structures.begin(), structures.end(), finess) != structures.end();
  }
};

/// Increments of one FINESS's counters for one month (`mois` = "AAAA-MM").
/// Hashes are hex HMAC-SHA256 (hashing.hpp); empty = not counted.
/// An INSi call is a SOAP message written completely to INSi (issue #11,
/// insi/fault_policy.hpp), counted under the operation it was sent to: the
/// regional usage file's view. Requests are what the care software asked.
struct ActivityDelta {
  std::string finess;
  std::string mois;
  std::int64_t requetes_insi = 0;   ///< API requests that made at least one INSi call
  std::int64_t requetes_verification = 0;  ///< of which vérification requests
  std::int64_t recuperations = 0;   ///< INSi calls to a récupération operation (traits, carte Vitale)
  std::int64_t verifications = 0;   ///< INSi calls to the vérification operation
  std::int64_t cr00 = 0, cr01 = 0, cr02 = 0, erreurs = 0;  ///< per request outcome
  std::int64_t cache_hits = 0;      ///< requests answered from the cache
  std::string operateur_hash;
  std::string personne_hash;
};

/// One FINESS × month, as the regional usage file needs it (§6). The file's
/// "sollicitations INSi" is recuperations + verifications (sollicitations()).
struct ActivityMonth {
  std::string finess;
  std::string mois;  ///< "AAAA-MM"
  std::int64_t requetes_insi = 0, requetes_verification = 0;  ///< as in ActivityDelta
  std::int64_t recuperations = 0, verifications = 0;          ///< INSi calls, as in ActivityDelta
  std::int64_t cr00 = 0, cr01 = 0, cr02 = 0, erreurs = 0, cache_hits = 0;
  std::int64_t operateurs_distincts = 0;
  std::int64_t personnes_distinctes = 0;
  /// Every message INSi received from this FINESS this month.
  std::int64_t sollicitations() const { return recuperations + verifications; }
};

/// The qualified-identity rate of one FINESS as it stood at `releve_le`
/// (ins-identity-rules.md §6: identities qualifiées / identities in the
/// active file). One per FINESS × month: the daemon takes it for the running
/// month only (every minute and at each report), so the last one taken in a
/// month stays that month's figure and a past month's report never changes.
struct QualificationSnapshot {
  std::string finess;
  std::string mois;  ///< "AAAA-MM", local time, like the activity counters
  std::int64_t qualifiees = 0;   ///< identities qualifiées in the active file
  std::int64_t file_active = 0;  ///< identities in the active file
  TimePoint releve_le;           ///< when it was taken
};

/// What OutboxStore::claim found: a row leased to the caller, or none and
/// when the earliest held-back head row falls due (nullopt: nothing queued
/// that the caller could take, or only rows another instance holds).
struct OutboxClaim {
  std::optional<OutboxRow> row;
  std::optional<TimePoint> next_due;
};

/// Pending outbox events of one plugin (nullopt: queued while no plugin was
/// configured, waiting for one), and the creation time of the oldest.
struct OutboxBacklog {
  std::optional<std::string> plugin;
  std::int64_t pending = 0;
  TimePoint oldest_created_at;
};

/// Adds the nine activity counters of `from` to `to`: ActivityDelta and
/// ActivityMonth share them by name (buffered deltas are summed before they
/// are written; stored months are summed into the report).
template <class To, class From>
void add_activity_counters(To& to, const From& from) {
  to.requetes_insi += from.requetes_insi;
  to.requetes_verification += from.requetes_verification;
  to.recuperations += from.recuperations;
  to.verifications += from.verifications;
  to.cr00 += from.cr00;
  to.cr01 += from.cr01;
  to.cr02 += from.cr02;
  to.erreurs += from.erreurs;
  to.cache_hits += from.cache_hits;
}

}  // namespace insgate::state

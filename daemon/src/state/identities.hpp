// insgate — identity store: RNIV status of every identity this daemon
// handled, its INS history, qualification and downgrades.
//
// Every operation is one transaction: the status change, its status-log row
// and its outbox event are committed together or not at all. Only
// qualifiée identities produce events (§0 rule 4): `qualifiee` on reaching
// it, `mise_a_jour` when its traits or local identifier change,
// `ins_remplacee` when INSi returns another INS for it, `declassee` when it
// leaves qualifiée.
// Source rule: ins-identity-rules.md §3 (statuses, transitions, downgrades),
// §4 (INSHISTO), §1.4 (test OIDs); local-api.md POST /v1/ins/qualification.
// Thread safety: [any-thread] as the StateStore it uses.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "identity/matricule.hpp"
#include "identity/normalise.hpp"  // Rejection
#include "insi/insi_messages.hpp"
#include "state/state_store.hpp"

namespace insgate::state {

struct IdentityPolicy {
  /// Production: .10/.11 never recorded nor qualified (ins-identity-rules §1.4).
  identity::OidPolicy oids = identity::OidPolicy::for_environment(identity::Environment::production);
  /// Configured plugin instances: one outbox row for each that serves the
  /// identity's structure (none: one row, plugin NULL, routed later by
  /// StateStore::route_unrouted when a plugin of that structure appears).
  std::vector<PluginRoute> plugins;
  /// Names of the plugins serving structure `finess`, in configuration order.
  std::vector<std::string> plugins_for(const std::string& finess) const {
    std::vector<std::string> out;
    for (const auto& p : plugins)
      if (p.serves(finess)) out.push_back(p.name);
    return out;
  }
};

/// What INSi said in a CR 00 (récupération) or a successful vérification.
struct InsiMatch {
  identity::Ins ins;                          ///< INSACTIF
  insi::TraitsTiq traits;                     ///< TIQ, verbatim
  std::vector<insi::InsIdentifier> ins_histo; ///< INSHISTO (entries without a key are skipped)
  std::optional<std::string> identifiant_local;  ///< links to a known local identity if given
  /// ResultCache key of the request: an identity holding the INS cached
  /// under it (even expired) is the same person.
  std::optional<std::string> cache_key;
  /// From a CR 00 Individu; nullopt when INSACTIF has no key.
  static std::optional<InsiMatch> from(const insi::Individu& ind,
                                       std::optional<std::string> identifiant_local = {});
};

struct RecordOutcome {
  std::optional<IdentityRecord> identity;  ///< state after the call (nullopt if refused)
  bool ins_replaced = false;               ///< an older INS of this identity went to history
  /// `appel_insi_bloque` (douteuse/fictive), `date_corrigee` (rniv.hpp) or
  /// `oid_interdit_en_production`: nothing was written.
  std::optional<identity::Rejection> refused;
};

enum class QualifyResult {
  qualified,               ///< now qualifiée (or already was)
  not_retrieved_via_insi,  ///< unknown INS or I not set → HTTP 409 statut_incompatible
  refused,                 ///< see `motif` → HTTP 409 statut_incompatible
};

struct QualifyOutcome {
  QualifyResult result = QualifyResult::refused;
  /// refused: "douteuse", "fictive", "oid_interdit_en_production" or a rniv.hpp rule.
  std::string motif;
  std::optional<IdentityRecord> identity;
  bool event_queued = false;  ///< a `qualifiee` (or `mise_a_jour`) event was queued
};

struct DowngradeOutcome {
  bool found = false;
  std::optional<identity::Rejection> refused;  ///< rniv.hpp rejection; nothing written
  identity::RnivStatus from = identity::RnivStatus::provisoire;
  identity::RnivStatus to = identity::RnivStatus::provisoire;
  bool event_queued = false;  ///< `declassee` (only when leaving qualifiée)
};

class Identities {
 public:
  /// `finess`: the structure whose identities these are (issue 12; "" for
  /// a store without structures, as unit tests use it).
  Identities(StateStore& store, IdentityPolicy policy, std::string finess = {});

  /// The same store and policy, for the identities of structure `finess`:
  /// an identity, its RNIV status and its qualification belong to one
  /// structure; qualifying it at A does not qualify it at B.
  Identities in(std::string finess) const { return Identities(store_, policy_, std::move(finess)); }
  const std::string& finess() const { return finess_; }

  /// @brief Records a récupération CR 00 (attribute I, provisoire→récupérée,
  /// validée→qualifiée). Finds the identity by INS; otherwise by local
  /// identifier, by the INS cached under `cache_key`, or by a current INS
  /// listed in INSHISTO — that identity's INS is then replaced (old one kept
  /// in history as `remplacee`, `ins_remplacee` queued if qualifiée);
  /// otherwise creates it. Call it before ResultCache::store (either
  /// detects the replacement; the second finds nothing left to do).
  /// Committed with Durability::relaxed (an event it queues is synced).
  /// @throw StateError on storage failure.
  RecordOutcome record_insi_retrieval(const InsiMatch& m, TimePoint when);
  /// Same for a vérification that INSi confirmed (same rules, operation recorded).
  RecordOutcome record_insi_verification(const InsiMatch& m, TimePoint when);

  /// @brief POST /v1/ins/qualification: sets C after a document check.
  /// @param operateur_hash hmac_sha256_hex of the operator (never the raw value).
  QualifyOutcome qualify(const identity::Ins& ins, const PieceIdentite& piece,
                         const std::string& identifiant_local,
                         const std::string& operateur_hash, TimePoint when);

  /// @brief Applies a downgrade event (document_trust_withdrawn,
  /// birth_date_corrected, strict_trait_edited, insi_verification_failed,
  /// ins_wrongly_attributed) and logs it; `declassee` when leaving qualifiée.
  DowngradeOutcome downgrade(const identity::Ins& ins, identity::RnivEvent e, TimePoint when);
  /// @brief Sets douteuse/fictive/homonyme (douteuse or fictive → provisoire, §3).
  DowngradeOutcome set_attributes(const identity::Ins& ins, const identity::RnivAttributes& a,
                                  TimePoint when);

  std::optional<IdentityRecord> find(const identity::Ins& ins);
  std::vector<InsHistoryEntry> history(const identity::Ins& ins);
  std::vector<StatusChange> status_changes(const identity::Ins& ins);

  /// @brief Inside `tx`: the identity whose current INS is `old_ins` takes
  /// `new_ins` (unless `new_ins` already belongs to an identity); the old INS
  /// goes to history as `remplacee`; `ins_remplacee` is queued if qualifiée.
  /// @return true if an INS was replaced. Used by ResultCache.
  bool replace_ins_in(StateTx& tx, const identity::Ins& old_ins, const identity::Ins& new_ins,
                      TimePoint when);

 private:
  RecordOutcome record(const InsiMatch& m, InsiOperation op, TimePoint when);
  bool replace(StateTx& tx, IdentityRecord& rec, const identity::Ins& new_ins, TimePoint when);
  DowngradeOutcome change(const identity::Ins& ins, TimePoint when, const std::string& reason,
                          const std::function<std::variant<identity::RnivIdentity,
                                                           identity::Rejection>(
                              const identity::RnivIdentity&)>& step);

  /// One transaction in this structure.
  void transact(const std::function<void(StateTx&)>& work, Durability d = Durability::full) {
    store_.transact_for(finess_, work, d);
  }

  StateStore& store_;
  IdentityPolicy policy_;
  std::string finess_;
};

}  // namespace insgate::state

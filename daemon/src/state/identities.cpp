// insgate — identity store: retrieval/verification records, INS replacement,
// qualification and downgrades (ins-identity-rules.md §3, §4).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/identities.hpp"

#include "state/events.hpp"
#include "state/resultat_json.hpp"

namespace insgate::state {
namespace {

using identity::RnivEvent;
using identity::RnivIdentity;
using identity::RnivStatus;
using identity::Rejection;

constexpr std::string_view kOidRefused = identity::motif::oid_interdit_en_production;

const char* event_name(RnivEvent e) {
  switch (e) {
    case RnivEvent::insi_match: return "insi_match";
    case RnivEvent::document_checked: return "document_checked";
    case RnivEvent::appli_carte_vitale: return "appli_carte_vitale";
    case RnivEvent::document_trust_withdrawn: return "document_trust_withdrawn";
    case RnivEvent::birth_date_corrected: return "birth_date_corrected";
    case RnivEvent::strict_trait_edited: return "strict_trait_edited";
    case RnivEvent::insi_verification_failed: return "insi_verification_failed";
    case RnivEvent::ins_wrongly_attributed: return "ins_wrongly_attributed";
  }
  return "?";
}

bool same(const identity::Ins& a, const identity::Ins& b) {
  return a.matricule == b.matricule && a.cle == b.cle && a.oid == b.oid;
}

void log_if_changed(StateTx& tx, const IdentityRecord& r, RnivStatus from,
                    const std::string& reason, TimePoint when) {
  if (r.rniv.status() != from) tx.status_log(r.id, {from, r.rniv.status(), reason, when});
}

}  // namespace

std::optional<InsiMatch> InsiMatch::from(const insi::Individu& ind,
                                         std::optional<std::string> identifiant_local) {
  if (!ind.ins_actif.cle) return std::nullopt;
  return InsiMatch{{ind.ins_actif.matricule, *ind.ins_actif.cle, ind.ins_actif.oid},
                   ind.tiq, ind.ins_histo, std::move(identifiant_local), std::nullopt};
}

Identities::Identities(StateStore& store, IdentityPolicy policy, std::string finess)
    : store_(store), policy_(std::move(policy)), finess_(std::move(finess)) {}

RecordOutcome Identities::record_insi_retrieval(const InsiMatch& m, TimePoint when) {
  return record(m, InsiOperation::recuperation, when);
}
RecordOutcome Identities::record_insi_verification(const InsiMatch& m, TimePoint when) {
  return record(m, InsiOperation::verification, when);
}

RecordOutcome Identities::record(const InsiMatch& m, InsiOperation op, TimePoint when) {
  RecordOutcome out;
  if (!policy_.oids.accepts(m.ins.oid)) {
    out.refused = Rejection{std::string(kOidRefused), "test/demo OID refused in production"};
    return out;
  }
  transact([&](StateTx& tx) {
    std::optional<IdentityRecord> rec = tx.identity_by_ins(m.ins);
    std::optional<IdentityRecord> older;  // same person, other INS
    if (!rec && m.identifiant_local) older = tx.identity_by_local_id(*m.identifiant_local);
    if (!rec && !older && m.cache_key)
      if (auto c = tx.cache_get(*m.cache_key); c && !same(c->ins, m.ins))
        older = tx.identity_by_ins(c->ins);
    for (const auto& h : m.ins_histo) {
      if (rec || older || !h.cle) break;
      older = tx.identity_by_ins({h.matricule, *h.cle, h.oid});
    }
    IdentityRecord r = rec ? *rec : older ? *older : IdentityRecord{};
    auto next = identity::apply_event(r.rniv, RnivEvent::insi_match);
    if (auto* rej = std::get_if<Rejection>(&next)) {
      out.refused = *rej;
      return;  // nothing written
    }
    const RnivStatus from = r.rniv.status();
    const std::string old_traits = r.traits_json;
    const auto old_local = r.identifiant_local;
    if (r.id == 0) {
      r.ins = m.ins;
      r.created_at = when;
      r.traits_json = "{}";
      r.id = tx.identity_insert(r);
    } else if (older) {
      out.ins_replaced = replace(tx, r, m.ins, when);
    }
    r.rniv = std::get<RnivIdentity>(next);
    r.insi_operation = op;
    r.insi_at = when;
    r.traits_json = to_json(m.traits);
    if (m.identifiant_local) r.identifiant_local = m.identifiant_local;
    r.updated_at = when;
    tx.identity_update(r);
    for (const auto& h : m.ins_histo) {
      if (!h.cle || same({h.matricule, *h.cle, h.oid}, r.ins)) continue;
      tx.history_put(r.id, {{h.matricule, *h.cle, h.oid}, HistoryOrigin::insi_histo,
                            h.date_debut, h.date_fin, std::nullopt});
    }
    log_if_changed(tx, r, from, "insi_match", when);
    const bool still_qualified =
        from == RnivStatus::qualifiee && r.rniv.status() == RnivStatus::qualifiee;
    if (still_qualified && !out.ins_replaced &&
        (old_traits != r.traits_json || old_local != r.identifiant_local))
      enqueue_event(tx, policy_.plugins_for(finess_), EventKind::mise_a_jour, r, std::nullopt, when);
    out.identity = r;
  }, Durability::relaxed);  // INSi bookkeeping (a queued event is still synced)
  return out;
}

bool Identities::replace(StateTx& tx, IdentityRecord& rec, const identity::Ins& new_ins,
                         TimePoint when) {
  if (same(rec.ins, new_ins)) return false;
  const identity::Ins old = rec.ins;
  tx.history_put(rec.id, {old, HistoryOrigin::remplacee, std::nullopt, std::nullopt, when});
  rec.ins = new_ins;
  rec.updated_at = when;
  tx.identity_update(rec);
  if (rec.rniv.status() == RnivStatus::qualifiee)
    enqueue_event(tx, policy_.plugins_for(finess_), EventKind::ins_remplacee, rec, old, when);
  return true;
}

bool Identities::replace_ins_in(StateTx& tx, const identity::Ins& old_ins,
                                const identity::Ins& new_ins, TimePoint when) {
  if (same(old_ins, new_ins) || tx.identity_by_ins(new_ins)) return false;
  auto rec = tx.identity_by_ins(old_ins);
  return rec && replace(tx, *rec, new_ins, when);
}

QualifyOutcome Identities::qualify(const identity::Ins& ins, const PieceIdentite& piece,
                                   const std::string& identifiant_local,
                                   const std::string& operateur_hash, TimePoint when) {
  QualifyOutcome out;
  if (!policy_.oids.accepts(ins.oid)) {
    out.motif = std::string(kOidRefused);
    return out;
  }
  transact([&](StateTx& tx) {
    auto rec = tx.identity_by_ins(ins);
    if (!rec) {
      out.result = QualifyResult::not_retrieved_via_insi;
      return;
    }
    IdentityRecord r = *rec;
    if (r.rniv.attributes.fictive || r.rniv.attributes.douteuse) {
      out.motif = std::string(r.rniv.attributes.fictive ? identity::motif::fictive
                                                          : identity::motif::douteuse);
      return;
    }
    if (!r.rniv.insi) {
      out.result = QualifyResult::not_retrieved_via_insi;
      return;
    }
    auto next = identity::apply_event(r.rniv, RnivEvent::document_checked);
    if (auto* rej = std::get_if<Rejection>(&next)) {
      out.motif = rej->rule;
      return;
    }
    const RnivStatus from = r.rniv.status();
    const auto old_local = r.identifiant_local;
    r.rniv = std::get<RnivIdentity>(next);
    r.piece = piece;
    r.identifiant_local = identifiant_local;
    r.qualifie_par = operateur_hash;
    r.qualifie_le = when;
    r.updated_at = when;
    tx.identity_update(r);
    log_if_changed(tx, r, from, "document_checked", when);
    if (from != RnivStatus::qualifiee) {
      enqueue_event(tx, policy_.plugins_for(finess_), EventKind::qualifiee, r, std::nullopt, when);
      out.event_queued = true;
    } else if (old_local != r.identifiant_local) {
      enqueue_event(tx, policy_.plugins_for(finess_), EventKind::mise_a_jour, r, std::nullopt, when);
      out.event_queued = true;
    }
    out.result = QualifyResult::qualified;
    out.identity = r;
  });
  return out;
}

DowngradeOutcome Identities::change(
    const identity::Ins& ins, TimePoint when, const std::string& reason,
    const std::function<std::variant<RnivIdentity, Rejection>(const RnivIdentity&)>& step) {
  DowngradeOutcome out;
  transact([&](StateTx& tx) {
    auto rec = tx.identity_by_ins(ins);
    if (!rec) return;
    out.found = true;
    IdentityRecord r = *rec;
    auto next = step(r.rniv);
    if (auto* rej = std::get_if<Rejection>(&next)) {
      out.refused = *rej;
      return;
    }
    out.from = r.rniv.status();
    r.rniv = std::get<RnivIdentity>(next);
    out.to = r.rniv.status();
    r.updated_at = when;
    tx.identity_update(r);
    tx.status_log(r.id, {out.from, out.to, reason, when});  // logged even if unchanged
    if (out.from == RnivStatus::qualifiee && out.to != RnivStatus::qualifiee) {
      enqueue_event(tx, policy_.plugins_for(finess_), EventKind::declassee, r, std::nullopt, when);
      out.event_queued = true;
    }
  });
  return out;
}

DowngradeOutcome Identities::downgrade(const identity::Ins& ins, RnivEvent e, TimePoint when) {
  return change(ins, when, event_name(e),
                [e](const RnivIdentity& id) { return identity::apply_event(id, e); });
}

DowngradeOutcome Identities::set_attributes(const identity::Ins& ins,
                                            const identity::RnivAttributes& a, TimePoint when) {
  return change(ins, when, "attributs",
                [&a](const RnivIdentity& id) { return identity::set_attributes(id, a); });
}

std::optional<IdentityRecord> Identities::find(const identity::Ins& ins) {
  std::optional<IdentityRecord> out;
  transact([&](StateTx& tx) { out = tx.identity_by_ins(ins); });
  return out;
}

std::vector<InsHistoryEntry> Identities::history(const identity::Ins& ins) {
  std::vector<InsHistoryEntry> out;
  transact([&](StateTx& tx) {
    if (auto r = tx.identity_by_ins(ins)) out = tx.history(r->id);
  });
  return out;
}

std::vector<StatusChange> Identities::status_changes(const identity::Ins& ins) {
  std::vector<StatusChange> out;
  transact([&](StateTx& tx) {
    if (auto r = tx.identity_by_ins(ins)) out = tx.status_changes(r->id);
  });
  return out;
}

}  // namespace insgate::state

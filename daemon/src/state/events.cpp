// insgate — outbox event payloads.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/events.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "state/resultat_json.hpp"
#include "util/ids.hpp"

namespace insgate::state {
namespace {

using nlohmann::json;

json ins_json(const identity::Ins& i) {
  return {{"matricule", i.matricule}, {"cle", i.cle}, {"oid", i.oid}};
}

json traits_json(const std::string& stored) {
  insi::TraitsTiq t = tiq_from_json(stored);
  std::string liste = t.liste_prenoms.value_or(t.prenom.value_or(""));
  std::string premier = t.prenom.value_or(liste.substr(0, liste.find(' ')));
  return {{"nom_naissance", t.nom_naissance.value_or("")},
          {"liste_prenoms", liste},
          {"premier_prenom", premier},
          {"sexe", t.sexe.value_or("")},
          {"date_naissance", t.date_naissance.value_or("")},
          {"lieu_naissance", t.lieu_naissance.value_or("")}};
}

}  // namespace

std::string iso_utc(TimePoint t) {
  std::time_t s = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string enqueue_event(OutboxWriter& out, const std::vector<std::string>& plugins,
                          EventKind kind, const IdentityRecord& identity,
                          const std::optional<identity::Ins>& previous, TimePoint when) {
  std::string key = util::new_uuid();
  json payload{{"type", to_name(kind)},
               {"cle_idempotence", key},
               {"horodatage", iso_utc(when)},
               {"ins", ins_json(identity.ins)},
               {"traits", traits_json(identity.traits_json)},
               {"statut", identity::to_api_name(identity.rniv.status())},
               {"identifiant_local", identity.identifiant_local
                                         ? json(*identity.identifiant_local)
                                         : json(nullptr)}};
  if (previous) payload["ins_precedent"] = ins_json(*previous);
  payload["insi_le"] = identity.insi_at ? json(iso_utc(*identity.insi_at)) : json(nullptr);
  payload["piece_identite"] =
      identity.piece ? json{{"type", to_api_name(identity.piece->type)},
                            {"verifiee_le", identity.piece->verifiee_le}}
                     : json(nullptr);
  NewOutboxEvent e{std::nullopt, kind, key, payload.dump(), when};
  e.identity_id = identity.id;  // delivery order per identity (OutboxStore::claim)
  if (plugins.empty()) {
    out.outbox_enqueue(e);
  } else {
    for (const auto& p : plugins) {
      e.plugin = p;
      out.outbox_enqueue(e);
    }
  }
  return key;
}

}  // namespace insgate::state

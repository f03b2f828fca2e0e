// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/structures.hpp"

#include <algorithm>
#include <stdexcept>

namespace insgate::api {
namespace {

bool listed(const std::vector<unsigned>& ids, unsigned id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool subject_matches(const std::string& rule, const Caller& c) {
  if (rule.rfind("CN=", 0) == 0) return !c.cn.empty() && rule.compare(3, std::string::npos, c.cn) == 0;
  if (rule.rfind("OU=", 0) == 0)
    return std::any_of(c.ous.begin(), c.ous.end(),
                       [&](const std::string& ou) { return rule.compare(3, std::string::npos, ou) == 0; });
  if (rule.rfind("serial=", 0) == 0)
    return !c.serial.empty() && rule.compare(7, std::string::npos, c.serial) == 0;
  return false;
}

}  // namespace

bool admits(const config::AllowedCallers& rules, const Caller& caller) {
  if (rules.open()) return true;
  switch (caller.kind) {
    case Caller::Kind::internal:
      return true;
    case Caller::Kind::tcp:
      return false;  // no identity to check
    case Caller::Kind::unix_socket:
      if (listed(rules.uids, caller.uid) || listed(rules.gids, caller.gid)) return true;
      return std::any_of(caller.groups.begin(), caller.groups.end(),
                         [&](unsigned g) { return listed(rules.gids, g); });
    case Caller::Kind::tls:
      return std::any_of(rules.tls_subjects.begin(), rules.tls_subjects.end(),
                         [&](const std::string& r) { return subject_matches(r, caller); });
  }
  return false;
}

void StructureRegistry::add(StructurePtr s) {
  if (!by_finess_.emplace(s->cfg.finess, s).second)
    throw std::invalid_argument("FINESS configured twice: " + s->cfg.finess);
  list_.push_back(std::move(s));
}

StructurePtr StructureRegistry::find(std::string_view finess) const {
  auto it = by_finess_.find(finess);
  return it == by_finess_.end() ? nullptr : it->second;
}

std::variant<StructurePtr, ApiResponse> StructureRegistry::resolve(
    const std::optional<std::string>& finess, const Caller& caller) const {
  StructurePtr s;
  if (!finess) {
    if (list_.size() != 1)
      return problem(400, "requete_invalide", "FINESS manquant",
                     "Ce démon sert plusieurs structures : le membre finess est obligatoire "
                     "(le FINESS de la structure pour laquelle l'appel est fait).",
                     {{"errors", nlohmann::json::array({{{"champ", "finess"},
                                                         {"regle", "obligatoire"},
                                                         {"message", "Indiquez le FINESS de la structure."}}})}});
    s = list_.front();
  } else {
    s = find(*finess);
    if (!s)
      return problem(400, "requete_invalide", "FINESS inconnu",
                     "Le membre finess ne désigne aucune structure servie par ce démon.");
  }
  if (!admits(s->cfg.callers, caller))
    return problem(403, "appelant_non_autorise", "Appelant non autorisé",
                   "Cet appelant n'est pas autorisé à agir pour la structure désignée par finess.");
  return s;
}

std::vector<StructurePtr> StructureRegistry::visible_to(const Caller& caller) const {
  std::vector<StructurePtr> out;
  for (const auto& s : list_)
    if (admits(s->cfg.callers, caller)) out.push_back(s);
  return out;
}

}  // namespace insgate::api

// SPDX-License-Identifier: GPL-3.0-or-later
#include "ctl/render.hpp"

#include <set>
#include <sstream>

namespace insgate::ctl {
namespace {

using nlohmann::json;

/// A scalar as text ("" for null and for what is not a scalar).
std::string text(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_boolean()) return j.get<bool>() ? "oui" : "non";
  if (j.is_number() || j.is_null()) return j.is_null() ? "" : j.dump();
  return "";
}

std::string member(const json& j, const char* key) {
  return j.is_object() && j.contains(key) ? text(j[key]) : std::string();
}

/// Lines "Label : value", skipping empty values.
class Lines {
 public:
  void add(const std::string& label, const std::string& value) {
    if (!value.empty()) out_ << label << " : " << value << "\n";
  }
  void raw(const std::string& line) { out_ << line << "\n"; }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

std::string ins_line(const json& ins) {
  if (!ins.is_object()) return "";
  std::string s = member(ins, "matricule") + " " + member(ins, "cle") + ", OID " + member(ins, "oid");
  if (auto type = member(ins, "type"); !type.empty()) s += " (" + type + ")";
  if (ins.contains("test") && ins["test"].is_boolean() && ins["test"].get<bool>()) s += ", INS de test";
  return s;
}

std::string traits_line(const json& t) {
  if (!t.is_object()) return "";
  std::string s;
  for (const char* k : {"nom_naissance", "liste_prenoms", "sexe", "date_naissance", "lieu_naissance"}) {
    auto v = member(t, k);
    if (v.empty()) continue;
    s += (s.empty() ? "" : " / ") + v;
  }
  return s;
}

std::string anomalies_line(const json& a) {
  if (!a.is_array()) return "";
  if (a.empty()) return "aucune";
  std::string s;
  for (const auto& x : a) {
    std::string one = x.is_object() ? member(x, "code") : text(x);
    if (auto champ = member(x, "champ"); !champ.empty()) one += " (" + champ + ")";
    s += (s.empty() ? "" : ", ") + one;
  }
  return s;
}

std::string list_line(const json& a) {
  if (!a.is_array()) return text(a);
  std::string s;
  for (const auto& x : a) s += (s.empty() ? "" : ", ") + text(x);
  return s;
}

std::string resultat(const json& j) {
  Lines l;
  l.add("CR " + member(j, "cr"), member(j, "libelle_cr"));
  l.add("INS", ins_line(j.value("ins", json())));
  l.add("Traits INS", traits_line(j.value("traits_ins", json())));
  l.add("Statut", member(j, "statut"));
  l.add("Anomalies", anomalies_line(j.value("anomalies", json())));
  if (j.contains("historique") && j["historique"].is_array() && !j["historique"].empty()) {
    l.raw("Historique :");
    for (const auto& h : j["historique"])
      l.raw("  - " + member(h, "matricule") + " " + member(h, "cle") + ", OID " + member(h, "oid") +
            (member(h, "date_debut").empty() ? "" : ", du " + member(h, "date_debut")) +
            (member(h, "date_fin").empty() ? "" : " au " + member(h, "date_fin")));
  }
  l.add("Conseil", member(j, "conseil"));
  l.add("Source", member(j, "source"));
  l.add("Appels INSi", member(j, "appels_insi"));
  l.add("Requête", member(j, "requete_id"));
  return l.str();
}

std::string verification(const json& j) {
  Lines l;
  l.add("CR " + member(j, "cr"), member(j, "libelle_cr"));
  std::string conforme = member(j, "conforme");
  if (j.contains("ecarts") && j["ecarts"].is_array() && !j["ecarts"].empty())
    conforme += " (écarts : " + list_line(j["ecarts"]) + ")";
  l.add("Conforme", conforme);
  l.add("INS historique", member(j, "ins_historique"));
  l.add("Méthode", member(j, "methode"));
  l.add("INS", ins_line(j.value("ins", json())));
  l.add("Traits INS", traits_line(j.value("traits_ins", json())));
  l.add("Statut", member(j, "statut"));
  l.add("Anomalies", anomalies_line(j.value("anomalies", json())));
  l.add("Appels INSi", member(j, "appels_insi"));
  l.add("Requête", member(j, "requete_id"));
  return l.str();
}

std::string qualification(const json& j) {
  Lines l;
  l.add("Statut", member(j, "statut"));
  l.add("INS", ins_line(j.value("ins", json())));
  l.add("MSSanté", member(j, "mssante"));
  l.add("Événement pour les plugins", member(j, "evenement_emis"));
  l.add("Requête", member(j, "requete_id"));
  return l.str();
}

std::string health(const json& j) {
  Lines l;
  l.add("Statut", member(j, "statut"));
  l.add("Raison", member(j, "raison"));
  const json insi = j.value("insi", json::object());
  std::string etat = member(insi, "etat");
  if (!etat.empty())
    etat += " (circuit " + member(insi, "circuit") + ", " + member(insi, "echecs_consecutifs") +
            " échec(s) consécutif(s))";
  l.add("INSi", etat);
  l.add("Environnement", member(insi, "environnement"));
  l.add("Adresse INSi", member(insi, "endpoint"));
  const json cert = j.value("certificat", json::object());
  if (!member(cert, "expire_le").empty())
    l.add("Certificat", "expire le " + member(cert, "expire_le") + " (dans " +
                            member(cert, "jours_restants") + " jours)");
  l.add("Version", member(j, "version"));
  std::string out = l.str();
  // Members this version does not know yet.
  static const std::set<std::string> known{"statut", "raison", "insi", "certificat", "version"};
  json rest = json::object();
  for (const auto& [k, v] : j.items())
    if (!known.count(k)) rest[k] = v;
  return out + render_generic(rest);
}

std::string outbox(const json& j) {
  if (j.contains("evenements") && j["evenements"].is_array()) {
    Lines l;
    const auto& ev = j["evenements"];
    l.raw(std::to_string(ev.size()) + " événement(s) " + member(j, "etat"));
    for (const auto& e : ev) {
      std::string line = "  #" + member(e, "id") + " " + member(e, "type") + " → " +
                         (member(e, "plugin").empty() ? "(aucun plugin)" : member(e, "plugin")) +
                         ", " + member(e, "tentatives") + " tentative(s), créé le " +
                         member(e, "cree_le");
      if (auto err = member(e, "derniere_erreur"); !err.empty()) line += ", dernière erreur : " + err;
      l.raw(line);
    }
    return l.str();
  }
  if (j.contains("supprimes")) return member(j, "supprimes") + " événement(s) supprimé(s)\n";
  if (j.contains("id") && j.contains("etat"))
    return "Événement " + member(j, "id") + " : " + member(j, "etat") + "\n";
  return render_generic(j);
}

}  // namespace

std::string render_generic(const json& j, int indent) {
  std::ostringstream out;
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_object() || (v.is_array() && !v.empty() && v[0].is_structured())) {
        out << pad << k << " :\n" << render_generic(v, indent + 2);
      } else if (v.is_array()) {
        out << pad << k << " : " << list_line(v) << "\n";
      } else {
        out << pad << k << " : " << text(v) << "\n";
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_structured()) {
        std::string inner = render_generic(v, indent + 2);
        if (inner.size() > static_cast<std::size_t>(indent) + 2)
          inner.replace(static_cast<std::size_t>(indent), 2, "- ");
        out << inner;
      } else {
        out << pad << "- " << text(v) << "\n";
      }
    }
  } else {
    out << pad << text(j) << "\n";
  }
  return out.str();
}

std::string render_answer(AnswerKind kind, const json& answer) {
  if (!answer.is_object()) return render_generic(answer);
  switch (kind) {
    case AnswerKind::resultat:
      return resultat(answer);
    case AnswerKind::verification:
      return verification(answer);
    case AnswerKind::qualification:
      return qualification(answer);
    case AnswerKind::health:
      return health(answer);
    case AnswerKind::outbox:
      return outbox(answer);
    case AnswerKind::stats:
      break;
  }
  return render_generic(answer);
}

std::string render_problem(unsigned status, const json& p) {
  Lines l;
  std::string head = "Erreur " + std::to_string(status);
  if (auto code = member(p, "code"); !code.empty()) head += " " + code;
  if (auto title = member(p, "title"); !title.empty()) head += " : " + title;
  l.raw(head);
  if (auto detail = member(p, "detail"); !detail.empty()) l.raw("  " + detail);
  for (const char* list : {"errors", "anomalies"}) {
    if (!p.contains(list) || !p[list].is_array()) continue;
    for (const auto& e : p[list]) {
      std::string champ = member(e, "champ");
      std::string message = member(e, "message");
      std::string line = "  - " + (message.empty() ? champ : champ.empty() || message.rfind(champ, 0) == 0 ? message : champ + " : " + message);
      if (auto regle = member(e, "regle"); !regle.empty()) line += " (" + regle + ")";
      l.raw(line);
    }
  }
  std::string fault = member(p, "insi_sous_code");
  if (auto c = member(p, "insi_code"); !c.empty()) fault += " / " + c;
  if (auto s = member(p, "insi_severite"); !s.empty()) fault += " (" + s + ")";
  l.add("  Erreur INSi", fault);
  l.add("  Appels INSi", member(p, "appels_insi"));
  l.add("  Requête", member(p, "requete_id"));
  return l.str();
}

}  // namespace insgate::ctl

// insgatectl — command-line client of insgated's local API: one sub-command
// per route a person uses (ctl/commands.hpp), a readable answer by default
// (ctl/render.hpp), the answer itself with --json.
// Exit codes: 0 success (2xx), 1 the daemon answered an error (4xx/5xx),
// 2 usage error, 3 the daemon could not be reached (or its answer could not
// be used), 4 health: the daemon answers but is degraded.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ctl/commands.hpp"
#include "ctl/render.hpp"
#include "net/local_http_client.hpp"

namespace po = boost::program_options;
using nlohmann::json;
using namespace insgate::ctl;

namespace {

constexpr int kOk = 0, kApiError = 1, kUsage = 2, kUnreachable = 3, kDegraded = 4;

const char* kExitCodes =
    "Codes de sortie : 0 succès, 1 le démon a répondu par une erreur (ou le fichier\n"
    "de --xlsx ne peut être écrit), 2 erreur\n"
    "d'utilisation, 3 démon injoignable (ou réponse inutilisable), 4 health : le\n"
    "démon répond mais il est dégradé (INSi injoignable, circuit ouvert…).\n";

std::string default_socket() {
  const char* env = std::getenv("INSGATE_SOCKET");
  return env ? env : "/run/insgate/insgate.sock";
}

std::string default_operateur() {
  const char* user = std::getenv("USER");
  return user ? std::string("insgatectl:") + user : "insgatectl";
}

po::options_description general_options() {
  po::options_description o("Options générales");
  o.add_options()("help,h", "afficher cette aide (avec une commande : l'aide de la commande)")(
      "version", "afficher la version")(
      "socket,s", po::value<std::string>()->default_value(default_socket())->value_name("CHEMIN"),
      "socket de insgated (variable INSGATE_SOCKET)")(
      "json", "afficher la réponse JSON du démon telle quelle au lieu du texte lisible")(
      "operateur", po::value<std::string>()->default_value(default_operateur())->value_name("ID"),
      "identifiant de la personne au clavier (traçabilité, utilisateurs uniques)");
  return o;
}

std::string title(const Command& c) {
  return std::string(c.name) + (c.sub.empty() ? "" : " " + std::string(c.sub));
}

void usage(std::ostream& out) {
  out << "Utilisation : insgatectl [OPTIONS GÉNÉRALES] COMMANDE [OPTIONS DE LA COMMANDE]\n\n"
         "Commandes :\n";
  for (const auto& c : commands()) {
    std::string t = title(c);
    out << "  " << t << std::string(t.size() < 18 ? 18 - t.size() : 1, ' ') << c.summary << "\n";
  }
  out << "\n" << general_options() << "\n"
      << kExitCodes << "« insgatectl COMMANDE --help » détaille une commande.\n";
}

void command_help(const Command& c, std::ostream& out) {
  po::options_description mine("Options de « " + title(c) + " »");
  c.options(mine);
  out << "insgatectl " << title(c) << " : " << c.summary << "\n\n"
      << "Utilisation : insgatectl [OPTIONS GÉNÉRALES] " << title(c) << " " << c.usage << "\n\n";
  if (!mine.options().empty()) out << mine << "\n";
  out << general_options() << "\n" << kExitCodes;
}

po::positional_options_description positionals() {
  po::positional_options_description pos;
  pos.add("command", 1).add("subcommand", 1);
  return pos;
}

po::options_description hidden_positionals() {
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>(), "")("subcommand",
                                                                 po::value<std::string>(), "");
  return hidden;
}

/// Prints the answer; returns the exit code.
int show(const Command& c, const insgate::net::LocalReply& reply, bool raw_json) {
  const bool ok = reply.status >= 200 && reply.status < 300;
  json j = json::parse(reply.body, nullptr, false);
  if (raw_json || (c.kind == AnswerKind::stats && ok && j.is_discarded())) {
    // --json, or the CSV of stats --csv: the answer itself.
    if (j.is_discarded()) std::cout << reply.body << (reply.body.empty() || reply.body.back() == '\n' ? "" : "\n");
    else std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else if (j.is_discarded()) {
    std::cout << reply.body << "\n";
  } else if (ok) {
    std::cout << render_answer(c.kind, j);
  } else {
    std::cerr << render_problem(reply.status, j);
  }
  if (!ok) return kApiError;
  if (c.kind == AnswerKind::health) {
    if (!j.is_object() || !j.contains("statut") || !j["statut"].is_string()) {
      std::cerr << "insgatectl : réponse de santé illisible\n";
      return kApiError;  // never 0 for an answer a monitoring script cannot trust
    }
    return j["statut"] == "ok" ? kOk : kDegraded;  // up but not serving INSi
  }
  return kOk;
}

/// Writes a 2xx answer's body to `file` (stats --xlsx); exit code 1 when
/// the file cannot be written.
int save(const std::string& file, const std::string& body) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << body;
  out.close();
  if (!out) {
    std::cerr << "insgatectl : impossible d'écrire " << file << " (" << std::strerror(errno)
              << ")\n";
    return kApiError;
  }
  std::cout << file << " : " << body.size() << " octets écrits\n";
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  // First pass: every command's options, to find the command.
  po::options_description first;
  first.add(general_options()).add(all_command_options()).add(hidden_positionals());
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(first).positional(positionals()).run(), vm);
  } catch (const po::error& e) {
    std::cerr << "insgatectl : " << e.what() << "\n\n";
    usage(std::cerr);
    return kUsage;
  }
  if (vm.count("version")) {
    std::cout << "insgatectl " << INSGATE_VERSION << "\n";
    return kOk;
  }
  if (!vm.count("command")) {
    usage(vm.count("help") ? std::cout : std::cerr);
    return vm.count("help") ? kOk : kUsage;
  }
  const std::string name = vm["command"].as<std::string>();
  const std::string sub = vm.count("subcommand") ? vm["subcommand"].as<std::string>() : "";
  const Command* command = find_command(name, sub);
  if (!command) {
    std::cerr << "insgatectl : commande inconnue « " << name << (sub.empty() ? "" : " " + sub)
              << " »\n\n";
    usage(std::cerr);
    return kUsage;
  }
  if (vm.count("help")) {
    command_help(*command, std::cout);
    return kOk;
  }

  // Second pass: only the general options and this command's.
  po::options_description mine;
  command->options(mine);
  po::options_description second;
  second.add(general_options()).add(mine).add(hidden_positionals());
  vm.clear();
  try {
    po::store(po::command_line_parser(argc, argv).options(second).positional(positionals()).run(),
              vm);
    po::notify(vm);
    for (auto required : command->required)
      if (!vm.count(std::string(required)))
        throw UsageError("--" + std::string(required) + " est obligatoire");
  } catch (const std::exception& e) {  // po::error, UsageError
    std::cerr << "insgatectl " << title(*command) << " : " << e.what() << "\n"
              << "Utilisation : insgatectl " << title(*command) << " " << command->usage << "\n"
              << "« insgatectl " << title(*command) << " --help » pour le détail.\n";
    return kUsage;
  }

  try {
    ApiCall call = command->request(vm, vm["operateur"].as<std::string>());
    insgate::net::LocalHttpClient client(vm["socket"].as<std::string>());
    auto reply = client.request(call.method, call.target, call.body);
    if (!call.output_file.empty() && reply.status >= 200 && reply.status < 300)
      return save(call.output_file, reply.body);
    return show(*command, reply, vm.count("json") > 0);
  } catch (const UsageError& e) {
    std::cerr << "insgatectl " << title(*command) << " : " << e.what() << "\n";
    return kUsage;
  } catch (const insgate::net::LocalClientError& e) {
    std::cerr << "insgatectl : " << e.what() << "\n";
    return kUnreachable;
  } catch (const std::exception& e) {  // an answer this tool cannot handle
    std::cerr << "insgatectl : réponse du démon inutilisable (" << e.what() << ")\n";
    return kUnreachable;
  }
}

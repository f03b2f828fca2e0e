// insgatectl — command-line client of insgated's local API (JSON out).
// Exit codes: 0 success (2xx), 1 the daemon answered an error (4xx/5xx),
// 2 usage error, 3 the daemon could not be reached.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "net/local_http_client.hpp"

namespace po = boost::program_options;
using nlohmann::json;

namespace {

const char* kUsage =
    "Usage:\n"
    "  insgatectl [--socket PATH] health\n"
    "  insgatectl [--socket PATH] recherche --nom NOM --prenoms \"PRENOM1 PRENOM2\" --sexe M|F\n"
    "             --date-naissance AAAA-MM-JJ [--lieu-naissance COG] [--operateur ID]\n"
    "  insgatectl [--socket PATH] verification --matricule M13 --cle CC --oid OID\n"
    "             --nom NOM --prenoms ... --sexe M|F --date-naissance AAAA-MM-JJ [...]\n"
    "  insgatectl [--socket PATH] stats --mois AAAA-MM [--csv | --xlsx FILE]\n"
    "  insgatectl [--socket PATH] outbox list [--etat pending|dead|delivered]\n"
    "  insgatectl [--socket PATH] outbox retry --id N\n"
    "  insgatectl [--socket PATH] outbox purge --jours N\n"
    "Exit codes: 0 success, 1 the daemon answered an error (or --xlsx FILE\n"
    "            cannot be written), 2 usage error,\n"
    "            3 the daemon could not be reached, 4 health: the daemon answers\n"
    "            but is degraded (INSi unreachable or circuit open).\n\n";

std::string default_socket() {
  const char* env = std::getenv("INSGATE_SOCKET");
  return env ? env : "/run/insgate/insgate.sock";
}

std::string default_operateur() {
  const char* user = std::getenv("USER");
  return user ? std::string("insgatectl:") + user : "insgatectl";
}

int print(const insgate::net::LocalReply& reply) {
  json j = json::parse(reply.body, nullptr, false);
  if (j.is_discarded()) std::cout << reply.body << "\n";
  else std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return reply.status >= 200 && reply.status < 300 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")(
      "socket,s", po::value<std::string>()->default_value(default_socket()),
      "insgated socket (env INSGATE_SOCKET)")("nom", po::value<std::string>(), "nom de naissance")(
      "prenoms", po::value<std::vector<std::string>>()->multitoken(),
      "prénoms de naissance, in order (one argument with spaces, or several)")(
      "sexe", po::value<std::string>(), "M or F")("date-naissance", po::value<std::string>(),
                                                   "AAAA-MM-JJ")(
      "lieu-naissance", po::value<std::string>(), "COG code of the birthplace (optional)")(
      "matricule", po::value<std::string>(), "verification: the 13-character matricule")(
      "cle", po::value<std::string>(), "verification: the 2-digit key")(
      "oid", po::value<std::string>(), "verification: the OID of the INS")(
      "etat", po::value<std::string>()->default_value("pending"), "outbox list: which events")(
      "mois", po::value<std::string>(), "stats: the month, AAAA-MM")(
      "csv", "stats: CSV for French spreadsheets instead of JSON")(
      "xlsx", po::value<std::string>()->value_name("FILE"),
      "stats: write the report as a spreadsheet (.xlsx) to FILE: FINESS and month as text, "
      "counts as numbers, the rate as a percentage")(
      "id", po::value<long>(), "outbox retry: the event id")(
      "jours", po::value<long>(), "outbox purge: delivered events older than N days")(
      "version", "print the version")(
      "operateur", po::value<std::string>()->default_value(default_operateur()),
      "identifier of the person at the keyboard");
  po::options_description hidden;
  hidden.add_options()("command", po::value<std::string>(), "health | recherche | verification")(
      "subcommand", po::value<std::string>(), "outbox: list | retry | purge");
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("command", 1).add("subcommand", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "insgatectl: " << e.what() << "\n" << kUsage << opts;
    return 2;
  }
  if (vm.count("version")) {
    std::cout << "insgatectl " << INSGATE_VERSION << "\n";
    return 0;
  }
  if (vm.count("help") || !vm.count("command")) {
    std::cout << kUsage << opts;
    return vm.count("help") ? 0 : 2;
  }
  std::string command = vm["command"].as<std::string>();
  insgate::net::LocalHttpClient client(vm["socket"].as<std::string>());
  try {
    if (command == "health") {
      auto reply = client.request(insgate::http::verb::get, "/v1/health");
      int rc = print(reply);
      if (rc != 0) return rc;
      json j = json::parse(reply.body, nullptr, false);
      if (!j.is_object() || !j.contains("statut") || !j["statut"].is_string()) {
        std::cerr << "insgatectl: unreadable health answer\n";
        return 1;  // never 0 for an answer a monitoring script cannot trust
      }
      return j["statut"] == "ok" ? 0 : 4;  // 4: up but not serving INSi
    }
    if (command == "stats") {
      if (!vm.count("mois")) {
        std::cerr << "insgatectl: --mois AAAA-MM is required\n";
        return 2;
      }
      if (vm.count("csv") && vm.count("xlsx")) {
        std::cerr << "insgatectl: --csv and --xlsx exclude each other\n";
        return 2;
      }
      const char* format = vm.count("csv") ? "&format=csv" : vm.count("xlsx") ? "&format=xlsx" : "";
      auto reply = client.request(insgate::http::verb::get,
                                  "/v1/stats/mensuel?mois=" + vm["mois"].as<std::string>() + format);
      if (vm.count("csv") && reply.status == 200) {
        std::cout << reply.body;
        return 0;
      }
      if (vm.count("xlsx") && reply.status == 200) {
        const std::string file = vm["xlsx"].as<std::string>();
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << reply.body;
        out.close();
        if (!out) {
          std::cerr << "insgatectl: cannot write " << file << " (" << std::strerror(errno)
                    << ")\n";
          return 1;
        }
        return 0;
      }
      return print(reply);
    }
    if (command == "outbox") {
      std::string sub = vm.count("subcommand") ? vm["subcommand"].as<std::string>() : "list";
      if (sub == "list")
        return print(client.request(insgate::http::verb::get,
                                    "/v1/outbox?etat=" + vm["etat"].as<std::string>()));
      if (sub == "retry" && vm.count("id"))
        return print(client.request(insgate::http::verb::post, "/v1/outbox/retry",
                                    json{{"id", vm["id"].as<long>()}}.dump()));
      if (sub == "purge" && vm.count("jours"))
        return print(client.request(insgate::http::verb::post, "/v1/outbox/purge",
                                    json{{"jours", vm["jours"].as<long>()}}.dump()));
      std::cerr << "insgatectl: outbox list | retry --id N | purge --jours N\n";
      return 2;
    }
    if (command == "recherche" || command == "verification") {
      std::vector<const char*> required = {"nom", "prenoms", "sexe", "date-naissance"};
      if (command == "verification") required.insert(required.end(), {"matricule", "cle", "oid"});
      for (const char* r : required)
        if (!vm.count(r)) {
          std::cerr << "insgatectl: --" << r << " is required\n" << kUsage;
          return 2;
        }
      json prenoms = json::array();
      for (const auto& p : vm["prenoms"].as<std::vector<std::string>>()) prenoms.push_back(p);
      json traits = {{"nom_naissance", vm["nom"].as<std::string>()},
                     {"prenoms", prenoms},
                     {"sexe", vm["sexe"].as<std::string>()},
                     {"date_naissance", vm["date-naissance"].as<std::string>()}};
      if (vm.count("lieu-naissance")) traits["lieu_naissance"] = vm["lieu-naissance"].as<std::string>();
      json body = {{"operateur", vm["operateur"].as<std::string>()}, {"traits", traits}};
      if (command == "recherche")
        return print(client.request(insgate::http::verb::post, "/v1/ins/recherche", body.dump()));
      body["ins"] = {{"matricule", vm["matricule"].as<std::string>()},
                     {"cle", vm["cle"].as<std::string>()},
                     {"oid", vm["oid"].as<std::string>()}};
      return print(client.request(insgate::http::verb::post, "/v1/ins/verification", body.dump()));
    }
  } catch (const insgate::net::LocalClientError& e) {
    std::cerr << "insgatectl: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {  // an answer this tool cannot handle
    std::cerr << "insgatectl: unusable answer from the daemon (" << e.what() << ")\n";
    return 3;
  }
  std::cerr << "insgatectl: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

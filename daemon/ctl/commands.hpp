// insgatectl — its sub-commands, one per route a person uses (issue 16):
// recherche, recherche-vitale, verification, qualification, stats, outbox
// list|retry|purge, health. Each declares its options (help in French, like
// the configuration), the ones it requires, and the request it sends.
// Source rule: proto/openapi.yaml (bodies and query strings).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "net/net.hpp"

namespace insgate::ctl {

namespace po = boost::program_options;

/// A usage mistake the options parser cannot see (exit code 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// How the answer is shown without --json (render.hpp).
enum class AnswerKind { resultat, verification, qualification, stats, outbox, health };

/// The HTTP request a command sends.
struct ApiCall {
  http::verb method;
  std::string target;
  std::string body;  ///< JSON, "" for a GET
  /// When not empty, a 2xx answer's body is written to this file instead of
  /// being shown (stats --xlsx FICHIER).
  std::string output_file;
};

struct Command {
  std::string_view name;     ///< "recherche", "outbox"
  std::string_view sub;      ///< "list" for "outbox list", else ""
  std::string_view usage;    ///< its options, for the help
  std::string_view summary;  ///< one line, French
  void (*options)(po::options_description& out);
  std::vector<std::string_view> required;  ///< options that must be given
  /// @throw UsageError for values the options parser cannot check.
  ApiCall (*request)(const po::variables_map& vm, const std::string& operateur);
  AnswerKind kind;
};

/// Every sub-command, in help order.
std::span<const Command> commands();

/// The command `name` [`sub`] ("outbox" alone is "outbox list"), or nullptr.
const Command* find_command(std::string_view name, std::string_view sub);

/// Options of every command (for a first pass that finds the command).
po::options_description all_command_options();

}  // namespace insgate::ctl

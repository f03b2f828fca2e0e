// insgatectl — the readable form of the daemon's answers (the default;
// --json prints the answer itself). French, like the API and the help.
// Works on any JSON: a member it does not know is shown as "clé : valeur",
// a missing one is skipped, so a newer daemon's answer is still readable.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ctl/commands.hpp"

namespace insgate::ctl {

/// A 2xx answer of a command of this kind.
std::string render_answer(AnswerKind kind, const nlohmann::json& answer);

/// A problem+json answer (4xx/5xx): status, code, title, detail, the fields
/// in error, and the INSi fault codes when there are.
std::string render_problem(unsigned status, const nlohmann::json& problem);

/// Any JSON as indented "clé : valeur" lines.
std::string render_generic(const nlohmann::json& j, int indent = 0);

}  // namespace insgate::ctl

// Must NOT compile: a problem code that is not in identity/codes.hpp (what
// api::problem(400, "requete_invalid", ...) would be).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/codes.hpp"
constexpr insgate::identity::codes::Probleme kProbleme = "requete_invalid";
int main() { return static_cast<int>(kProbleme.view().size()); }

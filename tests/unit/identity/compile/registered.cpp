// Compiles: every code used here is in identity/codes.hpp (control for the
// two files below, which must not compile).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/codes.hpp"
constexpr auto kRegle = insgate::identity::codes::regle("obligatoire");
constexpr insgate::identity::codes::Probleme kProbleme = "requete_invalide";
int main() { return kRegle.size() == 11 && kProbleme.view().size() == 16 ? 0 : 1; }

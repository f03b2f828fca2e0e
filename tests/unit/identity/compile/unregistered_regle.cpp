// Must NOT compile: a rule that is not in identity/codes.hpp.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/codes.hpp"
constexpr auto kRegle = insgate::identity::codes::regle("regle_inventee");
int main() { return static_cast<int>(kRegle.size()); }

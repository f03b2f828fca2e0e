// insgate — names of the state enums (stable: stored in the database).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/records.hpp"

#include <array>
#include <utility>

namespace insgate::state {
namespace {

template <class E, std::size_t N>
std::optional<E> find(const std::array<std::pair<E, std::string_view>, N>& names,
                      std::string_view name) {
  for (const auto& [e, n] : names)
    if (n == name) return e;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [v, n] : names)
    if (v == e) return n;
  return "?";
}

constexpr std::array<std::pair<PieceType, std::string_view>, 4> kPieces{{
    {PieceType::cni, "CNI"},
    {PieceType::passeport, "PASSEPORT"},
    {PieceType::titre_sejour, "TITRE_SEJOUR"},
    {PieceType::livret_famille_acte, "LIVRET_FAMILLE_ACTE"},
}};
constexpr std::array<std::pair<EventKind, std::string_view>, 4> kKinds{{
    {EventKind::qualifiee, "qualifiee"},
    {EventKind::mise_a_jour, "mise_a_jour"},
    {EventKind::ins_remplacee, "ins_remplacee"},
    {EventKind::declassee, "declassee"},
}};
constexpr std::array<std::pair<OutboxState, std::string_view>, 3> kStates{{
    {OutboxState::pending, "pending"},
    {OutboxState::delivered, "delivered"},
    {OutboxState::dead, "dead"},
}};

}  // namespace

std::string_view to_name(InsiOperation op) {
  return op == InsiOperation::recuperation ? "recuperation" : "verification";
}
std::string_view to_api_name(PieceType p) { return name_of(kPieces, p); }
std::optional<PieceType> parse_piece_type(std::string_view n) { return find(kPieces, n); }
std::string_view to_name(EventKind k) { return name_of(kKinds, k); }
std::optional<EventKind> parse_event_kind(std::string_view n) { return find(kKinds, n); }
std::string_view to_name(OutboxState s) { return name_of(kStates, s); }
std::optional<OutboxState> parse_outbox_state(std::string_view n) { return find(kStates, n); }

}  // namespace insgate::state

// Unit tests of identity/rniv.hpp: statuses from I and C, attributes and
// their combinations, transitions and downgrades (ins-identity-rules.md §3).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/rniv.hpp"

#include <gtest/gtest.h>

namespace insgate::identity {
namespace {

using S = RnivStatus;
using E = RnivEvent;

RnivIdentity after(RnivIdentity id, std::initializer_list<E> events) {
  for (E e : events) {
    auto r = apply_event(id, e);
    if (auto* rej = std::get_if<Rejection>(&r)) {
      ADD_FAILURE() << "event refused: " << rej->rule;
      return id;
    }
    id = std::get<RnivIdentity>(r);
  }
  return id;
}

RnivIdentity ic(bool insi, bool document) {
  RnivIdentity id;
  id.insi = insi;
  id.document = document;
  return id;
}

std::string refusal(const RnivIdentity& id, E e) {
  auto r = apply_event(id, e);
  if (auto* rej = std::get_if<Rejection>(&r)) return rej->rule;
  return "accepted";
}

RnivIdentity with_attributes(RnivIdentity id, RnivAttributes a) {
  auto r = set_attributes(id, a);
  EXPECT_TRUE(std::holds_alternative<RnivIdentity>(r));
  return std::holds_alternative<RnivIdentity>(r) ? std::get<RnivIdentity>(r) : id;
}

// ---- Statuses ----

TEST(RnivStatusTest, status_follows_the_two_attributes) {
  EXPECT_EQ(status_from(false, false), S::provisoire);
  EXPECT_EQ(status_from(true, false), S::recuperee);
  EXPECT_EQ(status_from(false, true), S::validee);
  EXPECT_EQ(status_from(true, true), S::qualifiee);
}

TEST(RnivStatusTest, api_names_round_trip) {
  for (auto s : {S::provisoire, S::recuperee, S::validee, S::qualifiee})
    EXPECT_EQ(parse_rniv_status(to_api_name(s)), s);
  EXPECT_EQ(to_api_name(S::recuperee), "recuperee");
  EXPECT_EQ(to_api_name(S::qualifiee), "qualifiee");
  EXPECT_EQ(parse_rniv_status("qualifiée"), std::nullopt);
  EXPECT_EQ(parse_rniv_status("QUAL"), std::nullopt);
}

TEST(RnivStatusTest, only_qualified_identity_may_exchange_its_matricule) {
  EXPECT_TRUE(ic(true, true).matricule_exchangeable());
  EXPECT_FALSE(ic(true, false).matricule_exchangeable());
  EXPECT_FALSE(ic(false, true).matricule_exchangeable());
  EXPECT_FALSE(RnivIdentity{}.matricule_exchangeable());
}

// ---- Transitions ----

TEST(RnivTransitionTest, insi_match_then_document_qualifies) {
  auto id = after({}, {E::insi_match});
  EXPECT_EQ(id.status(), S::recuperee);
  EXPECT_EQ(after(id, {E::document_checked}).status(), S::qualifiee);
}

TEST(RnivTransitionTest, document_then_insi_match_qualifies) {
  auto id = after({}, {E::document_checked});
  EXPECT_EQ(id.status(), S::validee);
  EXPECT_EQ(after(id, {E::insi_match}).status(), S::qualifiee);
}

TEST(RnivTransitionTest, appli_carte_vitale_is_qualified) {
  EXPECT_EQ(after({}, {E::appli_carte_vitale}).status(), S::qualifiee);
}

TEST(RnivTransitionTest, transition_table_matches_the_spec) {
  EXPECT_TRUE(transition_allowed(S::provisoire, S::recuperee));
  EXPECT_TRUE(transition_allowed(S::provisoire, S::validee));
  EXPECT_TRUE(transition_allowed(S::recuperee, S::qualifiee));
  EXPECT_TRUE(transition_allowed(S::validee, S::qualifiee));
  EXPECT_FALSE(transition_allowed(S::recuperee, S::validee));
  EXPECT_FALSE(transition_allowed(S::validee, S::recuperee));
  EXPECT_FALSE(transition_allowed(S::qualifiee, S::qualifiee));
}

TEST(RnivTransitionTest, downgrade_table_matches_the_spec) {
  EXPECT_TRUE(transition_allowed(S::qualifiee, S::recuperee));
  EXPECT_TRUE(transition_allowed(S::qualifiee, S::validee));
  for (auto s : {S::recuperee, S::validee, S::qualifiee}) EXPECT_TRUE(transition_allowed(s, S::provisoire));
}

// ---- Downgrades ----

TEST(RnivDowngradeTest, withdrawn_document_trust_gives_recuperee) {
  EXPECT_EQ(after(ic(true, true), {E::document_trust_withdrawn}).status(), S::recuperee);
}

TEST(RnivDowngradeTest, corrected_birth_date_cannot_stay_recuperee_or_qualifiee) {
  EXPECT_EQ(after(ic(true, true), {E::birth_date_corrected}).status(), S::validee);
  auto id = after(ic(true, false), {E::birth_date_corrected});
  EXPECT_EQ(id.status(), S::provisoire);
  EXPECT_EQ(refusal(id, E::insi_match), "date_corrigee");
  EXPECT_EQ(refusal(id, E::appli_carte_vitale), "date_corrigee");
}

TEST(RnivDowngradeTest, edited_trait_or_failed_verification_leaves_qualifiee) {
  EXPECT_EQ(after(ic(true, true), {E::strict_trait_edited}).status(), S::validee);
  EXPECT_EQ(after(ic(true, false), {E::insi_verification_failed}).status(), S::provisoire);
}

TEST(RnivDowngradeTest, wrongly_attributed_ins_does_not_change_the_status) {
  EXPECT_EQ(after(ic(true, true), {E::ins_wrongly_attributed}).status(), S::qualifiee);
}

// ---- Attributes ----

TEST(RnivAttributesTest, allowed_combinations) {
  EXPECT_TRUE(attributes_compatible({}));
  EXPECT_TRUE(attributes_compatible({true, false, false}));
  EXPECT_TRUE(attributes_compatible({false, true, false}));
  EXPECT_TRUE(attributes_compatible({false, false, true}));
  EXPECT_TRUE(attributes_compatible({true, false, true}));
}

TEST(RnivAttributesTest, fictive_combines_with_nothing) {
  EXPECT_FALSE(attributes_compatible({true, true, false}));
  EXPECT_FALSE(attributes_compatible({false, true, true}));
  EXPECT_FALSE(attributes_compatible({true, true, true}));
  auto r = set_attributes({}, {false, true, true});
  ASSERT_TRUE(std::holds_alternative<Rejection>(r));
  EXPECT_EQ(std::get<Rejection>(r).rule, "attributs_incompatibles");
}

TEST(RnivAttributesTest, douteuse_forces_provisoire_and_blocks_insi) {
  auto id = with_attributes(ic(true, true), {true, false, false});
  EXPECT_EQ(id.status(), S::provisoire);
  EXPECT_FALSE(id.insi_calls_allowed());
  EXPECT_FALSE(id.matricule_exchangeable());
  EXPECT_EQ(refusal(id, E::insi_match), "appel_insi_bloque");
  EXPECT_EQ(refusal(id, E::document_checked), "statut_force_provisoire");
  EXPECT_EQ(refusal(id, E::appli_carte_vitale), "statut_force_provisoire");
}

TEST(RnivAttributesTest, fictive_forces_provisoire_and_blocks_insi) {
  auto id = with_attributes(ic(true, false), {false, true, false});
  EXPECT_EQ(id.status(), S::provisoire);
  EXPECT_FALSE(id.insi_calls_allowed());
  EXPECT_EQ(refusal(id, E::insi_match), "appel_insi_bloque");
}

TEST(RnivAttributesTest, homonyme_keeps_any_status_and_allows_insi) {
  auto id = with_attributes(ic(true, true), {false, false, true});
  EXPECT_EQ(id.status(), S::qualifiee);
  EXPECT_TRUE(id.insi_calls_allowed());
}

TEST(RnivAttributesTest, lifting_douteuse_does_not_restore_the_old_status) {
  auto id = with_attributes(ic(true, true), {true, false, true});
  id = with_attributes(id, {false, false, true});
  EXPECT_EQ(id.status(), S::provisoire);
  EXPECT_TRUE(id.insi_calls_allowed());
}

}  // namespace
}  // namespace insgate::identity

// insgate micro-benchmarks (issue 7): envelope build, RESULTAT-with-INSHISTO
// and fault parse, trait normalisation, matricule key check, JSON request
// decode and answer encode. Fixtures are built here (never read from ../shared).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "api/recherche_answer.hpp"
#include "api/recherche_input.hpp"
#include "identity/matricule.hpp"
#include "identity/normalise.hpp"
#include "insi/soap_codec.hpp"

namespace {
using namespace insgate;

insi::CallContext context() {
  insi::CallContext c;
  c.emetteur = "010000001";
  c.lps = {"IDAM-BENCH", "insgate", "0.1.0", "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"};
  return c;
}

insi::InsIdentifier ins(std::string m, std::string cle, std::string oid,
                        std::optional<std::string> deb = {}, std::optional<std::string> fin = {}) {
  return {std::move(m), std::move(cle), std::move(oid), std::move(deb), std::move(fin)};
}

/// CR 00 with an active INS and three former ones (INSHISTO), full TIQ.
insi::Resultat resultat_with_histo() {
  insi::Individu ind;
  // Keys computed with the project's own check, so the fixture is consistent.
  auto key = [](const std::string& m) {
    int k = *identity::matricule_key(m);
    return std::string(k < 10 ? "0" : "") + std::to_string(k);
  };
  ind.ins_actif = ins("2750563220123", key("2750563220123"), "1.2.250.1.213.1.4.10");
  ind.ins_histo = {
      ins("2750563220124", key("2750563220124"), "1.2.250.1.213.1.4.10", "1990-01-01", "2000-12-31"),
      ins("2750599350017", key("2750599350017"), "1.2.250.1.213.1.4.9", "2001-01-01", "2010-06-30"),
      ins("2750563220125", key("2750563220125"), "1.2.250.1.213.1.4.10", "2010-07-01")};
  ind.tiq.nom_naissance = "DE LA FONTAINE-MARTIN";
  ind.tiq.prenom = "MARIE-CLAIRE";
  ind.tiq.liste_prenoms = "MARIE-CLAIRE JEANNE LOUISE";
  ind.tiq.sexe = "F";
  ind.tiq.date_naissance = "1975-05-12";
  ind.tiq.lieu_naissance = "63220";
  return insi::Resultat{"00", "OK", ind};
}

insi::RechercheTraits traits_call() {
  return {"DE LA FONTAINE-MARTIN", "MARIE-CLAIRE", "F", "1975-05-12", std::string("63220")};
}

const std::string kRequestBody =
    R"({"operateur":"u-4711","traits":{"nom_naissance":"de la Fontaine-Martin","prenoms":["Marie-Claire","Jeanne Louise"],"sexe":"F","date_naissance":"1975-05-12","lieu_naissance":"63220"}})";

void BM_BuildEnvelopeRecSansVitale(benchmark::State& st) {
  auto ctx = context();
  auto req = traits_call();
  insi::EnvelopeIds ids{"0b1c2d3e-4f50-4617-8899-aabbccddeeff", "1b1c2d3e-4f50-4617-8899-aabbccddeeff",
                        "2b1c2d3e-4f50-4617-8899-aabbccddeeff", "2024-05-02T09:15:03.120Z"};
  std::size_t bytes = 0;
  for (auto _ : st) {
    std::string env = insi::build_recherche_traits(ctx, req, ids);
    bytes = env.size();
    benchmark::DoNotOptimize(env);
  }
  st.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_BuildEnvelopeRecSansVitale);

void BM_ParseResultatWithInshisto(benchmark::State& st) {
  const std::string body = insi::build_resultat(resultat_with_histo());
  if (!std::holds_alternative<insi::Resultat>(insi::parse_response(body))) {
    st.SkipWithError("fixture does not parse");
    return;
  }
  for (auto _ : st) benchmark::DoNotOptimize(insi::parse_response(body));
  st.counters["bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_ParseResultatWithInshisto);

void BM_ParseFault(benchmark::State& st) {
  insi::Fault f;
  f.code = "Receiver";
  f.subcode = "siram_40";
  f.reason = "Le service est temporairement inaccessible.";
  f.erreur_code = "siram_40";
  f.erreur_severite = "fatal";
  f.erreur_message = "Service indisponible, réessayer plus tard";
  f.message_id = "uuid:2b1c2d3e-4f50-4617-8899-aabbccddeeff";
  const std::string body = insi::build_fault(f);
  if (!std::holds_alternative<insi::Fault>(insi::parse_response(body))) {
    st.SkipWithError("fixture does not parse as a fault");
    return;
  }
  for (auto _ : st) benchmark::DoNotOptimize(insi::parse_response(body));
  st.counters["bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_ParseFault);

void BM_NormaliseNomNaissance(benchmark::State& st) {
  const std::string in = "de la Fontaine–Martin-Œuvré";  // en dash, ligature, accents
  for (auto _ : st) benchmark::DoNotOptimize(identity::normalise_nom_naissance(in));
}
BENCHMARK(BM_NormaliseNomNaissance);

void BM_NormalisePrenoms(benchmark::State& st) {
  const std::vector<std::string> in{"Marie-Claire", "Bérénice Anne-Sophie", "Éloïse"};
  for (auto _ : st) benchmark::DoNotOptimize(identity::normalise_prenoms(in));
}
BENCHMARK(BM_NormalisePrenoms);

void BM_MatriculeKeyMatches(benchmark::State& st) {
  const std::string m = "1090763220834", cle = "89";
  for (auto _ : st) benchmark::DoNotOptimize(identity::key_matches(m, cle));
}
BENCHMARK(BM_MatriculeKeyMatches);

void BM_CheckMatriculeFull(benchmark::State& st) {
  auto policy = identity::OidPolicy::for_environment(identity::Environment::qualification);
  for (auto _ : st)
    benchmark::DoNotOptimize(
        identity::check_matricule("1090763220834", "89", "1.2.250.1.213.1.4.8", policy));
}
BENCHMARK(BM_CheckMatriculeFull);

void BM_DecodeRechercheJson(benchmark::State& st) {
  if (!std::holds_alternative<api::RechercheInput>(api::decode_recherche(kRequestBody))) {
    st.SkipWithError("fixture does not decode");
    return;
  }
  for (auto _ : st) benchmark::DoNotOptimize(api::decode_recherche(kRequestBody));
}
BENCHMARK(BM_DecodeRechercheJson);

void BM_EncodeAnswerJson(benchmark::State& st) {
  insi::RechercheOutcome out;
  out.kind = insi::RechercheOutcome::Kind::resultat;
  out.resultat = resultat_with_histo();
  out.appels = 1;
  insi::TraitsRecherche envoyes{"DE LA FONTAINE-MARTIN", {"MARIE-CLAIRE", "JEANNE", "LOUISE"}, "F",
                                "1975-05-12", std::string("63220")};
  std::size_t bytes = 0;
  for (auto _ : st) {
    api::ApiResponse r = api::recherche_answer(out, envoyes, "2b1c2d3e-4f50-4617-8899-aabbccddeeff");
    bytes = r.body.size();
    benchmark::DoNotOptimize(r);
  }
  st.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodeAnswerJson);

}  // namespace

BENCHMARK_MAIN();

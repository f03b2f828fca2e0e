// Unit tests of the bounds on decoding an INSi answer (insi/soap_codec.hpp,
// proto/insi.gsoap.h; issue 22): compressed bodies are never inflated, no
// value longer than its maximum is accepted, the whole stays under 1 MiB.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "insi/soap_codec.hpp"

namespace insgate::insi {
namespace {

Resultat cr00() {
  Resultat r;
  r.code_cr = "00";
  r.libelle_cr = "OK";
  Individu ind;
  ind.ins_actif = {"1090763220834", "89", "1.2.250.1.213.1.4.8", std::nullopt, std::nullopt};
  ind.ins_histo.push_back({"2090763220834", "39", "1.2.250.1.213.1.4.8", "2019-03-01",
                           "2019-02-28"});
  ind.tiq.nom_naissance = "ECETINSI";
  ind.tiq.liste_prenoms = "PIERRE-ALAIN MURIEL FLORIANT";
  ind.tiq.sexe = "M";
  ind.tiq.date_naissance = "2009-07-14";
  ind.tiq.lieu_naissance = "63220";
  r.individu = ind;
  return r;
}

/// gzip (RFC 1952) of `data`, as INSi would send it compressed.
std::string gzip(const std::string& data) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string reason(const Response& r) {
  const auto* u = std::get_if<Unreadable>(&r);
  return u ? u->reason : std::string("(readable)");
}

TEST(AnswerBounds, the_reference_answer_is_readable) {
  auto r = parse_response(build_resultat(cr00()));
  ASSERT_TRUE(std::holds_alternative<Resultat>(r)) << reason(r);
}

TEST(AnswerBounds, a_gzip_body_is_never_inflated) {
  // The answer of issue 22: a valid RESULTAT whose NomNaissance is 8 MiB,
  // compressed to a few KiB. gSOAP (built WITH_GZIP) used to inflate it.
  Resultat big = cr00();
  big.individu->tiq.nom_naissance = std::string(8 * 1024 * 1024, 'A');
  const std::string bomb = gzip(build_resultat(big));
  ASSERT_LT(bomb.size(), 64u * 1024);
  auto started = std::chrono::steady_clock::now();
  auto r = parse_response(bomb);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_NE(reason(r).find("gzip"), std::string::npos) << reason(r);
  EXPECT_LT(took, std::chrono::milliseconds(50)) << "refused before any decoding";
  // Even a harmless answer, compressed, is refused: insgate never asks for it.
  EXPECT_TRUE(std::holds_alternative<Unreadable>(parse_response(gzip(build_resultat(cr00())))));
}

TEST(AnswerBounds, only_xml_is_read) {
  const std::string xml = build_resultat(cr00());
  EXPECT_TRUE(std::holds_alternative<Resultat>(parse_response("\xEF\xBB\xBF \r\n" + xml)))
      << "BOM and white space before the document are fine";
  EXPECT_NE(reason(parse_response("--MIME_boundary\r\n\r\n" + xml)).find("not an XML"),
            std::string::npos)
      << "no MIME mode";
  EXPECT_NE(reason(parse_response(std::string("\x08\x00\x00\x00", 4) + xml)).find("not an XML"),
            std::string::npos)
      << "no DIME mode";
  EXPECT_NE(reason(parse_response(std::string("\x78\x9c", 2) + "abc")).find("not an XML"),
            std::string::npos)
      << "zlib stream";
}

TEST(AnswerBounds, a_100_KB_nom_naissance_is_unreadable) {
  Resultat big = cr00();
  big.individu->tiq.nom_naissance = std::string(100 * 1000, 'A');
  auto r = parse_response(build_resultat(big));
  EXPECT_NE(reason(r).find("longer than the INSi schema allows in NomNaissance"),
            std::string::npos)
      << reason(r);
  EXPECT_EQ(reason(r).find("AAAA"), std::string::npos) << "the value is never quoted";
}

/// The answer with one TIQ/INS value replaced, parsed.
Response with(void (*set)(Resultat&, std::string), std::string value) {
  Resultat r = cr00();
  set(r, std::move(value));
  return parse_response(build_resultat(r));
}

TEST(AnswerBounds, each_value_has_its_maximum_length) {
  struct Case {
    const char* element;
    void (*set)(Resultat&, std::string);
    std::size_t max;
  };
  const Case cases[] = {
      {"NomNaissance", [](Resultat& r, std::string v) { r.individu->tiq.nom_naissance = v; }, 100},
      {"Prenom", [](Resultat& r, std::string v) { r.individu->tiq.prenom = v; }, 100},
      {"ListePrenom", [](Resultat& r, std::string v) { r.individu->tiq.liste_prenoms = v; }, 255},
      {"Sexe", [](Resultat& r, std::string v) { r.individu->tiq.sexe = v; }, 1},
      {"DateNaissance", [](Resultat& r, std::string v) { r.individu->tiq.date_naissance = v; }, 10},
      {"LieuNaissance", [](Resultat& r, std::string v) { r.individu->tiq.lieu_naissance = v; }, 5},
      {"NumIdentifiant", [](Resultat& r, std::string v) { r.individu->ins_actif.matricule = v; }, 13},
      {"Cle", [](Resultat& r, std::string v) { r.individu->ins_actif.cle = v; }, 2},
      {"OID", [](Resultat& r, std::string v) { r.individu->ins_actif.oid = v; }, 64},
      {"DateDeb", [](Resultat& r, std::string v) { r.individu->ins_histo[0].date_debut = v; }, 32},
      {"DateFin", [](Resultat& r, std::string v) { r.individu->ins_histo[0].date_fin = v; }, 32},
      {"LibelleCR", [](Resultat& r, std::string v) { r.libelle_cr = v; }, 255},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.element);
    auto at_max = with(c.set, std::string(c.max, '1'));
    EXPECT_FALSE(std::holds_alternative<Unreadable>(at_max)) << reason(at_max);
    auto over = with(c.set, std::string(c.max + 1, '1'));
    EXPECT_NE(reason(over).find(std::string("allows in ") + c.element), std::string::npos)
        << reason(over);
  }
}

TEST(AnswerBounds, lengths_count_characters_not_bytes) {
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "\xC3\x89";  // É, two bytes each
  auto r = with([](Resultat& res, std::string v) { res.individu->tiq.nom_naissance = v; },
                accented);
  ASSERT_TRUE(std::holds_alternative<Resultat>(r)) << reason(r);
  EXPECT_EQ(std::get<Resultat>(r).individu->tiq.nom_naissance, accented);
}

TEST(AnswerBounds, at_most_100_inshisto) {
  Resultat r = cr00();
  r.individu->ins_histo.assign(100, r.individu->ins_histo[0]);
  EXPECT_TRUE(std::holds_alternative<Resultat>(parse_response(build_resultat(r))));
  r.individu->ins_histo.push_back(r.individu->ins_histo[0]);
  EXPECT_NE(reason(parse_response(build_resultat(r))).find("INSHISTO"), std::string::npos);
}

TEST(AnswerBounds, fault_texts_are_bounded_too) {
  Fault f;
  f.code = "Receiver";
  f.subcode = "siram_40";
  f.erreur_code = "insi_102";
  f.erreur_severite = "fatale";
  f.reason = "Service indisponible";
  EXPECT_TRUE(std::holds_alternative<Fault>(parse_response(build_fault(f))));
  f.reason = std::string(5000, 'r');
  EXPECT_NE(reason(parse_response(build_fault(f))).find("longer than"), std::string::npos);
  f.reason = "Service indisponible";
  f.erreur_message = std::string(5000, 'm');
  EXPECT_NE(reason(parse_response(build_fault(f))).find("longer than"), std::string::npos);
}

TEST(AnswerBounds, more_than_1_MiB_is_unreadable) {
  std::string body = build_resultat(cr00());
  body.insert(body.find("<res:RESULTAT"), "<!--" + std::string(1024 * 1024, 'c') + "-->");
  EXPECT_NE(reason(parse_response(body)).find("1 MiB"), std::string::npos);
}

}  // namespace
}  // namespace insgate::insi

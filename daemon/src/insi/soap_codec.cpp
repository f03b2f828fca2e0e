// insgate — INSi envelopes through gSOAP, in memory (see soap_codec.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/soap_codec.hpp"

#include <cctype>
#include <cstring>
#include <sstream>
#include <stdexcept>

#include "insi/xml_signature.hpp"
#include "soapH.h"
#include "rs.nsmap"  // the one global namespaces[] table of the binding

namespace insgate::insi {
namespace {

/// The namespace table of every unsigned envelope and of the parsers: the
/// binding's table as it was before wsse.h was imported, in the same order.
/// Envelopes declare every entry, so this keeps their bytes unchanged
/// (tests/conformance/golden). Signed envelopes use the full generated
/// `namespaces` (ds, wsu...), declared where used (SOAP_XML_CANONICAL).
const Namespace kInsiNamespaces[] = {
    {"SOAP-ENV", "http://www.w3.org/2003/05/soap-envelope",
     "http://schemas.xmlsoap.org/soap/envelope/", nullptr},
    {"SOAP-ENC", "http://www.w3.org/2003/05/soap-encoding",
     "http://schemas.xmlsoap.org/soap/encoding/", nullptr},
    {"xsi", "http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/*/XMLSchema-instance",
     nullptr},
    {"xsd", "http://www.w3.org/2001/XMLSchema", "http://www.w3.org/*/XMLSchema", nullptr},
    {"rs", "http://www.cnamts.fr/INSiRecSans", nullptr, nullptr},
    {"rv", "http://www.cnamts.fr/INSiRecVit", nullptr, nullptr},
    {"res", "http://www.cnamts.fr/INSiResultat", nullptr, nullptr},
    {"ctxbam", "urn:siram:bam:ctxbam", nullptr, nullptr},
    {"ctxlps", "urn:siram:lps:ctxlps", nullptr, nullptr},
    {"wsa", "http://www.w3.org/2005/08/addressing", nullptr, nullptr},
    {"wsse", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
     nullptr, nullptr},
    {"siram", "urn:siram", nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr}};

/// One gSOAP context per message; never shared, never given a socket
/// (gsoap-notes.md §2, §5). SOAP_C_UTFSTRING is mandatory: without it
/// accented text comes back as Latin-1.
class SoapContext {
 public:
  /// `for_signing`: the full namespace table of the binding (see above).
  explicit SoapContext(bool for_signing = false)
      : s_(soap_new1(SOAP_C_UTFSTRING | SOAP_XML_TREE | SOAP_ENC_PLAIN | SOAP_IO_BUFFER)) {
    if (s_ == nullptr) throw std::bad_alloc();
    soap_set_namespaces(s_, for_signing ? namespaces : kInsiNamespaces);
    // Guards: this binding must never open a connection by itself.
    s_->fopen = [](soap* s, const char*, const char*, int) -> SOAP_SOCKET {
      s->error = SOAP_TCP_ERROR;
      return SOAP_INVALID_SOCKET;
    };
    s_->user = nullptr;
  }
  ~SoapContext() {
    s_->header = nullptr;
    s_->os = nullptr;
    soap_destroy(s_);
    soap_end(s_);
    soap_free(s_);
  }
  SoapContext(const SoapContext&) = delete;
  SoapContext& operator=(const SoapContext&) = delete;
  soap* get() const { return s_; }

 private:
  soap* s_;
};

/// Bounds on decoding an INSi answer (issue 22), besides the per-element
/// lengths of proto/insi.gsoap.h: the whole answer (the transport's 1 MiB,
/// InsiClient::kMaxResponseBytes, held again here on what gSOAP reads); any
/// other text value (fault Reason and detail, header values, in characters);
/// INSHISTO entries of one INDIVIDU (the XSD says unbounded; a person has a
/// few former matricules at most).
constexpr std::size_t kMaxAnswerBytes = 1024 * 1024;
constexpr long kMaxOtherValueChars = 4096;
constexpr std::size_t kMaxInsHisto = 100;

/// Why `body` cannot be an answer as INSi sends it, before gSOAP sees it
/// ("" when it may be). libgsoapssl++ is built WITH_GZIP: it inflates, with
/// no bound of ours, a body whose first byte is 0x1F (gzip), whatever the
/// HTTP headers said; it also switches to DIME or MIME on other first bytes.
/// insgate never asks INSi for compression, so only XML is read: an
/// optional UTF-8 BOM and XML white space, then '<'.
std::string not_plain_xml(std::string_view body) {
  if (!body.empty() && body[0] == '\x1f') return "compressed answer (gzip), never requested: refused";
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] != '<')
    return "not an XML document (binary or compressed answer): refused";
  return {};
}

/// The element gSOAP stood at when it stopped, for an error message: its
/// local name when it looks like one, else "?" (element names are not
/// identity data; the value is never quoted).
std::string current_element(const soap* s) {
  std::string name = s->tag;
  auto colon = name.rfind(':');
  if (colon != std::string::npos) name.erase(0, colon + 1);
  bool ok = !name.empty() && name.size() <= 64;
  for (char ch : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.');
  return ok ? name : "?";
}

/// The reason to give when gSOAP stopped on one of our bounds ("" if not).
std::string over_bound(const soap* s) {
  if (s->error == SOAP_LENGTH)
    return "value longer than the INSi schema allows in " + current_element(s) + ": refused";
  if (s->error == SOAP_EOF && s->count > s->recv_maxlength)
    return "answer larger than 1 MiB once decoded: refused";
  return {};
}

/// Input buffer read by gSOAP through frecv, without copying the body.
struct InputBuffer {
  std::string_view data;
  size_t pos = 0;
};

size_t read_from_buffer(soap* s, char* out, size_t len) {
  auto* in = static_cast<InputBuffer*>(s->user);
  size_t n = std::min(len, in->data.size() - in->pos);
  std::memcpy(out, in->data.data() + in->pos, n);
  in->pos += n;
  return n;
}

void attach_input(soap* s, InputBuffer& in) {
  s->user = &in;
  s->frecv = read_from_buffer;
}

std::string* dup(soap* s, const std::string& v) {
  std::string* p = soap_new_std__string(s);
  *p = v;
  return p;
}
std::string* dup(soap* s, const std::optional<std::string>& v) {
  return v ? dup(s, *v) : nullptr;
}
std::optional<std::string> opt(const std::string* p) {
  return p ? std::optional<std::string>(*p) : std::nullopt;
}

/// Local part of a QName value: the text after the last ':' (prefixes vary
/// and may even be unbound, insi-protocol.md §7).
std::string local_part(const char* qname) {
  if (qname == nullptr) return {};
  std::string_view v(qname);
  auto colon = v.rfind(':');
  std::string out(colon == std::string_view::npos ? v : v.substr(colon + 1));
  // trim XML white space
  auto b = out.find_first_not_of(" \t\r\n");
  auto e = out.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

/// Serialises header (may be null) + one body element into a string; signed
/// when `signer` is given (the context must then be a for_signing one).
/// Signing takes gSOAP's two passes, as soap_call_ does: the SOAP_IO_LENGTH
/// count pass, in which the wsse plugin digests the wsu:Id elements and, in
/// soap_end_count, signs SignedInfo; then the send pass, which writes it.
template <typename Body>
std::string serialise(soap* s, Body& body, const char* tag, const XmlSigner* signer = nullptr) {
  std::ostringstream os;
  s->os = &os;
  soap_set_version(s, 2);
  s->encodingStyle = nullptr;
  if (signer != nullptr) signer->arm(s);
  soap_serializeheader(s);
  body.soap_serialize(s);
  auto put = [&] {
    return soap_envelope_begin_out(s) || soap_putheader(s) || soap_body_begin_out(s) ||
           body.soap_put(s, tag, nullptr) || soap_body_end_out(s) || soap_envelope_end_out(s);
  };
  bool failed = false;
  if (signer != nullptr) {
    failed = soap_begin_count(s) || ((s->mode & SOAP_IO_LENGTH) && put()) || soap_end_count(s);
    if (!failed) signer->after_count(s);
  }
  failed = failed || soap_begin_send(s) || put() || soap_end_send(s);
  s->os = nullptr;
  s->header = nullptr;  // points at objects owned by the caller
  if (failed) throw std::runtime_error("gSOAP could not serialise the envelope");
  return os.str();
}

/// Local name of the first element of a literal XML fragment ("" if none).
std::string_view element_local_name(std::string_view xml) {
  auto lt = xml.find('<');
  if (lt == std::string_view::npos) return {};
  auto name = xml.substr(lt + 1);
  name = name.substr(0, name.find_first_of(" \t\r\n/>"));
  auto colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

/// Starts reading an envelope: returns an error text, or "" when the reader
/// stands at the first Body child of a SOAP 1.2 envelope.
std::string begin_envelope(soap* s) {
  if (soap_begin_recv(s) || soap_envelope_begin_in(s)) return "not a SOAP envelope";
  if (s->version != 2) return "not a SOAP 1.2 envelope";
  if (soap_recv_header(s)) return "unreadable SOAP header";
  if (soap_body_begin_in(s)) return "no SOAP Body";
  return {};
}

bool end_envelope(soap* s) {
  return !(soap_body_end_in(s) || soap_envelope_end_in(s) || soap_end_recv(s));
}

std::optional<InsIdentifier> to_ins(const res__IdentifiantNationalSante* in) {
  if (in == nullptr || in->IdIndividu == nullptr || in->IdIndividu->NumIdentifiant == nullptr ||
      in->OID == nullptr)
    return std::nullopt;
  InsIdentifier out;
  out.matricule = *in->IdIndividu->NumIdentifiant;
  out.cle = opt(in->IdIndividu->Cle);
  out.oid = *in->OID;
  out.date_debut = opt(in->DateDeb);
  out.date_fin = opt(in->DateFin);
  return out;
}

Response to_resultat(const _res__RESULTAT& r) {
  if (r.CR == nullptr || r.CR->CodeCR == nullptr || r.CR->CodeCR->empty())
    return Unreadable{"RESULTAT without CR/CodeCR"};
  Resultat out;
  out.code_cr = *r.CR->CodeCR;
  out.libelle_cr = r.CR->LibelleCR ? *r.CR->LibelleCR : std::string();
  if (r.INDIVIDU != nullptr) {
    auto actif = to_ins(r.INDIVIDU->INSACTIF);
    if (!actif) return Unreadable{"INDIVIDU without a complete INSACTIF"};
    Individu ind;
    ind.ins_actif = std::move(*actif);
    if (r.INDIVIDU->INSHISTO.size() > kMaxInsHisto)
      return Unreadable{"more than 100 INSHISTO: refused"};
    for (const auto& h : r.INDIVIDU->INSHISTO) {
      auto histo = to_ins(&h);
      if (!histo) return Unreadable{"INSHISTO without IdIndividu/NumIdentifiant or OID"};
      ind.ins_histo.push_back(std::move(*histo));
    }
    if (const auto* t = r.INDIVIDU->TIQ) {
      ind.tiq.nom_naissance = opt(t->NomNaissance);
      ind.tiq.prenom = opt(t->Prenom);
      ind.tiq.liste_prenoms = opt(t->ListePrenom);
      ind.tiq.sexe = opt(t->Sexe);
      ind.tiq.date_naissance = opt(t->DateNaissance);
      ind.tiq.lieu_naissance = opt(t->LieuNaissance);
    }
    out.individu = std::move(ind);
  }
  if (out.code_cr == "00" && !out.individu) return Unreadable{"CR 00 without INDIVIDU"};
  if (out.code_cr != "00" && out.individu) return Unreadable{"INDIVIDU with a CR other than 00"};
  return out;
}

Fault to_fault(const SOAP_ENV__Fault& f) {
  Fault out;
  if (f.SOAP_ENV__Code) {
    out.code = local_part(f.SOAP_ENV__Code->SOAP_ENV__Value);
    if (f.SOAP_ENV__Code->SOAP_ENV__Subcode)
      out.subcode = local_part(f.SOAP_ENV__Code->SOAP_ENV__Subcode->SOAP_ENV__Value);
  }
  if (f.SOAP_ENV__Reason && f.SOAP_ENV__Reason->SOAP_ENV__Text)
    out.reason = f.SOAP_ENV__Reason->SOAP_ENV__Text;
  if (f.SOAP_ENV__Detail && f.SOAP_ENV__Detail->siram__Erreur) {
    const auto* e = f.SOAP_ENV__Detail->siram__Erreur;
    out.erreur_message = e->__item;
    if (e->code) out.erreur_code = *e->code;
    if (e->severite) out.erreur_severite = *e->severite;
    out.message_id = opt(e->messageID);
  }
  return out;
}

}  // namespace

namespace {

/// The header objects of one request; they must outlive the serialisation.
struct RequestHeaders {
  ctxbam__ContexteBAMType bam;
  ctxlps__IdentiteStringRef idam;
  ctxlps__LOGICIEL logiciel;
  ctxlps__ContexteLPSType lps;
  std::string action;
  std::string message_id;
  SecurityLiteral security;
  char* assertion = nullptr;

  RequestHeaders(soap* s, const CallContext& ctx, const EnvelopeIds& ids, const char* soap_action)
      : action(soap_action), message_id("uuid:" + ids.message_id) {
    bam.Version = "01_02";
    bam.Id = ids.bam_id;
    bam.Temps = ids.temps;
    if (!ctx.emetteur.empty()) bam.Emetteur = dup(s, ctx.emetteur);
    idam.__item = ctx.lps.idam;
    idam.R = dup(s, std::string("4"));
    logiciel.IDAM = &idam;
    logiciel.Version = dup(s, ctx.lps.software_version);
    logiciel.Instance = dup(s, ctx.lps.instance);
    logiciel.Nom = dup(s, "urn:lps:" + ctx.lps.software_name + ":" + ctx.lps.software_version);
    lps.Nature = dup(s, std::string("CTXLPS"));
    lps.Version = "01_00";
    lps.Id = ids.lps_id;
    lps.Temps = ids.temps;
    if (!ctx.emetteur.empty()) lps.Emetteur = dup(s, ctx.emetteur);
    lps.LPS = &logiciel;
    security.__size = 0;
    security.__any = nullptr;
  }

  /// Points the context's SOAP header at these objects.
  void attach(soap* s, bool with_security) {
    soap_header(s);
    s->header->ctxbam__ContexteBAM = &bam;
    s->header->ctxlps__ContexteLPS = &lps;
    s->header->wsa__Action = &action;
    s->header->wsa__MessageID = &message_id;
    s->header->wsse__Security_ = with_security ? &security : nullptr;
  }
};

}  // namespace

std::string build_recherche_traits(const CallContext& ctx, const RechercheTraits& req,
                                   const EnvelopeIds& ids) {
  SoapContext c(ctx.signer != nullptr);
  soap* s = c.get();
  RequestHeaders headers(s, ctx, ids, kActionRechercheTraits);
  headers.attach(s, false);
  _rs__RECSANSVITALE body;
  body.NomNaissance = dup(s, req.nom_naissance);
  body.Prenom.push_back(req.prenom);
  body.Sexe = dup(s, req.sexe);
  body.DateNaissance = dup(s, req.date_naissance);
  body.LieuNaissance = dup(s, req.lieu_naissance);
  return serialise(s, body, "rs:RECSANSVITALE", ctx.signer.get());
}

std::string build_recherche_vitale(const CallContext& ctx, const RechercheVitale& req,
                                   const EnvelopeIds& ids,
                                   const std::optional<std::string>& assertion_xml) {
  if (ctx.signer && assertion_xml)
    throw XmlSignatureError(
        "XML signature (insi.signature_xml): a carte Vitale search with a Vitale-card "
        "assertion cannot also be signed (the assertion has its own wsse:Security header, and "
        "WS-Security allows one without a role); send it without the assertion, or set "
        "insi.signature_xml: false");
  SoapContext c(ctx.signer != nullptr);
  soap* s = c.get();
  RequestHeaders headers(s, ctx, ids, kActionRechercheVitale);
  auto& cv = headers.bam.COUVERTURE;
  cv.GrandRegime = dup(s, req.couverture.grand_regime);
  cv.Organisme = dup(s, req.couverture.organisme);
  cv.CodeCentre = dup(s, req.couverture.code_centre);
  cv.ASSURE = soap_new_ctxbam__Assure(s);
  cv.ASSURE->Id = soap_new_ctxbam__NIR(s);
  cv.ASSURE->Id->Num = dup(s, req.nir_ouvrant_droit.matricule);
  cv.ASSURE->Id->Cle = dup(s, req.nir_ouvrant_droit.cle);
  cv.BENEFICIAIRE = soap_new_ctxbam__Beneficiaire(s);
  if (req.nir_individu) {
    cv.BENEFICIAIRE->Nir = soap_new_ctxbam__NIRCertifie(s);
    cv.BENEFICIAIRE->Nir->Num = dup(s, req.nir_individu->matricule);
    cv.BENEFICIAIRE->Nir->Cle = dup(s, req.nir_individu->cle);
  }
  cv.BENEFICIAIRE->DateNai = dup(s, req.date_naissance);
  cv.BENEFICIAIRE->Rang = dup(s, req.rang_naissance);
  if (assertion_xml) {
    headers.assertion = soap_strdup(s, assertion_xml->c_str());
    headers.security.__size = 1;
    headers.security.__any = &headers.assertion;
  }
  headers.attach(s, assertion_xml.has_value());

  _rv__RECVITALE body;
  auto matricule = [s](const NirCarte& n) {
    auto* m = soap_new_rv__Matricule(s);
    m->NumIdentifiant = dup(s, n.matricule);
    m->Cle = dup(s, n.cle);
    return m;
  };
  if (req.nir_individu) body.MatriculeIndividu = matricule(*req.nir_individu);
  body.MatriculeOD = matricule(req.nir_ouvrant_droit);
  body.NomNaissance = dup(s, req.nom_naissance);
  body.DateNaissance = dup(s, req.date_naissance);
  body.RangNaissance = dup(s, req.rang_naissance);
  return serialise(s, body, "rv:RECVITALE", ctx.signer.get());
}

Response parse_response(std::string_view body) {
  if (body.size() > kMaxAnswerBytes) return Unreadable{"answer larger than 1 MiB: refused"};
  if (auto why = not_plain_xml(body); !why.empty()) return Unreadable{why};
  SoapContext c;
  soap* s = c.get();
  s->recv_maxlength = kMaxAnswerBytes;
  s->maxlength = kMaxOtherValueChars;
  InputBuffer in{body};
  attach_input(s, in);
  // Each failure reports a bound that stopped gSOAP, if one did.
  auto unreadable = [s](const char* what) {
    std::string why = over_bound(s);
    return Unreadable{why.empty() ? std::string(what) : why};
  };
  if (auto err = begin_envelope(s); !err.empty()) return unreadable(err.c_str());

  auto* r = soap_new__res__RESULTAT(s);
  r->soap_get(s, "res:RESULTAT", nullptr);
  if (s->error == SOAP_OK) {
    if (!end_envelope(s)) return unreadable("truncated or malformed envelope after RESULTAT");
    return to_resultat(*r);
  }
  if (s->error != SOAP_TAG_MISMATCH && s->error != SOAP_NO_TAG)
    return unreadable("malformed RESULTAT");
  s->error = SOAP_OK;
  if (soap_getfault(s) != SOAP_OK || s->fault == nullptr)
    return unreadable("Body holds neither RESULTAT nor a SOAP Fault");
  if (!end_envelope(s)) return unreadable("truncated or malformed envelope after Fault");
  return to_fault(*s->fault);
}

std::variant<ReceivedRequest, Unreadable> parse_request(std::string_view body) {
  SoapContext c;
  soap* s = c.get();
  InputBuffer in{body};
  attach_input(s, in);
  if (auto err = begin_envelope(s); !err.empty()) return Unreadable{err};
  ReceivedRequest out;
  if (const auto* h = s->header) {
    if (h->wsa__Action) out.action = *h->wsa__Action;
    if (h->wsa__MessageID) out.message_id = *h->wsa__MessageID;
    out.has_contexte_bam = h->ctxbam__ContexteBAM != nullptr;
    if (out.has_contexte_bam && h->ctxbam__ContexteBAM->Emetteur)
      out.emetteur = *h->ctxbam__ContexteBAM->Emetteur;
    out.has_contexte_lps = h->ctxlps__ContexteLPS != nullptr;
    if (out.has_contexte_lps && h->ctxlps__ContexteLPS->LPS && h->ctxlps__ContexteLPS->LPS->IDAM)
      out.idam = h->ctxlps__ContexteLPS->LPS->IDAM->__item;
  }
  if (s->header && (s->header->wsse__Security_ || s->header->wsse__Security))
    out.has_wsse_security = true;
  if (s->header && s->header->wsse__Security_) {
    const auto* sec = s->header->wsse__Security_;
    for (int i = 0; i < sec->__size; ++i) {
      if (sec->__any == nullptr || sec->__any[i] == nullptr) continue;
      out.wsse_security_xml += sec->__any[i];
      if (element_local_name(sec->__any[i]) == "Signature") out.has_xml_signature = true;
    }
  }
  auto* rq = soap_new__rs__RECSANSVITALE(s);
  rq->soap_get(s, "rs:RECSANSVITALE", nullptr);
  if (s->error == SOAP_TAG_MISMATCH || s->error == SOAP_NO_TAG) {
    s->error = SOAP_OK;
    auto* rv = soap_new__rv__RECVITALE(s);
    rv->soap_get(s, "rv:RECVITALE", nullptr);
    if (s->error != SOAP_OK) return Unreadable{"Body is neither RECSANSVITALE nor RECVITALE"};
    if (!end_envelope(s)) return Unreadable{"truncated or malformed envelope"};
    RechercheVitale v;
    auto nir = [](const rv__Matricule* m) -> std::optional<NirCarte> {
      if (m == nullptr || m->NumIdentifiant == nullptr) return std::nullopt;
      return NirCarte{*m->NumIdentifiant, opt(m->Cle)};
    };
    v.nir_individu = nir(rv->MatriculeIndividu);
    if (auto od = nir(rv->MatriculeOD)) v.nir_ouvrant_droit = *od;
    v.nom_naissance = opt(rv->NomNaissance);
    if (rv->DateNaissance) v.date_naissance = *rv->DateNaissance;
    if (rv->RangNaissance) v.rang_naissance = *rv->RangNaissance;
    if (s->header && s->header->ctxbam__ContexteBAM) {
      const auto& cv = s->header->ctxbam__ContexteBAM->COUVERTURE;
      v.couverture = {opt(cv.GrandRegime), opt(cv.Organisme), opt(cv.CodeCentre)};
    }
    out.vitale = std::move(v);
    return out;
  }
  if (s->error != SOAP_OK) return Unreadable{"Body is not a RECSANSVITALE"};
  if (!end_envelope(s)) return Unreadable{"truncated or malformed envelope"};
  out.is_recherche_traits = true;
  if (rq->NomNaissance) out.traits.nom_naissance = *rq->NomNaissance;
  out.prenom_count = static_cast<int>(rq->Prenom.size());
  for (size_t i = 0; i < rq->Prenom.size(); ++i)
    out.traits.prenom += (i ? " " : "") + rq->Prenom[i];
  if (rq->Sexe) out.traits.sexe = *rq->Sexe;
  if (rq->DateNaissance) out.traits.date_naissance = *rq->DateNaissance;
  out.traits.lieu_naissance = opt(rq->LieuNaissance);
  return out;
}

std::string build_resultat(const Resultat& r) {
  SoapContext c;
  soap* s = c.get();
  _res__RESULTAT out;
  out.CR = soap_new_res__CompteRendu(s);
  out.CR->CodeCR = dup(s, r.code_cr);
  out.CR->LibelleCR = dup(s, r.libelle_cr);
  auto make_ins = [s](const InsIdentifier& i) {
    res__IdentifiantNationalSante ins;
    ins.IdIndividu = soap_new_res__Matricule(s);
    ins.IdIndividu->NumIdentifiant = dup(s, i.matricule);
    ins.IdIndividu->Cle = dup(s, i.cle);
    ins.OID = dup(s, i.oid);
    ins.DateDeb = dup(s, i.date_debut);
    ins.DateFin = dup(s, i.date_fin);
    return ins;
  };
  if (r.individu) {
    out.INDIVIDU = soap_new_res__Individu(s);
    out.INDIVIDU->INSACTIF = soap_new_res__IdentifiantNationalSante(s);
    *out.INDIVIDU->INSACTIF = make_ins(r.individu->ins_actif);
    for (const auto& h : r.individu->ins_histo) out.INDIVIDU->INSHISTO.push_back(make_ins(h));
    const auto& t = r.individu->tiq;
    auto* tiq = soap_new_res__TraitsDIdentite(s);
    tiq->NomNaissance = dup(s, t.nom_naissance);
    tiq->Prenom = dup(s, t.prenom);
    tiq->ListePrenom = dup(s, t.liste_prenoms);
    tiq->Sexe = dup(s, t.sexe);
    tiq->DateNaissance = dup(s, t.date_naissance);
    tiq->LieuNaissance = dup(s, t.lieu_naissance);
    out.INDIVIDU->TIQ = tiq;
  }
  return serialise(s, out, "res:RESULTAT");
}

std::string build_fault(const Fault& f) {
  SoapContext c;
  soap* s = c.get();
  soap_set_version(s, 2);
  soap_fault(s);
  auto keep = [s](const std::string& v) { return soap_strdup(s, v.c_str()); };
  *soap_faultcode(s) = keep("SOAP-ENV:" + f.code);
  if (!f.subcode.empty()) *soap_faultsubcode(s) = keep("SOAP-ENV:" + f.subcode);
  if (s->fault->SOAP_ENV__Reason == nullptr)
    s->fault->SOAP_ENV__Reason = soap_new_SOAP_ENV__Reason(s);
  s->fault->SOAP_ENV__Reason->SOAP_ENV__Text = keep(f.reason);
  s->fault->SOAP_ENV__Detail = soap_new_SOAP_ENV__Detail(s);
  auto* e = soap_new_siram__ErreurType(s);
  e->__item = f.erreur_message;
  e->code = dup(s, f.erreur_code);
  e->severite = dup(s, f.erreur_severite);
  e->messageID = dup(s, f.message_id);
  s->fault->SOAP_ENV__Detail->siram__Erreur = e;

  std::ostringstream os;
  s->os = &os;
  s->encodingStyle = nullptr;
  soap_serializeheader(s);
  soap_serializefault(s);
  bool failed = soap_begin_send(s) || soap_envelope_begin_out(s) || soap_putheader(s) ||
                soap_body_begin_out(s) || soap_putfault(s) || soap_body_end_out(s) ||
                soap_envelope_end_out(s) || soap_end_send(s);
  s->os = nullptr;
  if (failed) throw std::runtime_error("gSOAP could not serialise the fault");
  return os.str();
}

}  // namespace insgate::insi

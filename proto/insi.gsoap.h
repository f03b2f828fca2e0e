/* insgate — gSOAP data binding of the INSi contract "ServiceIdentiteCertifiee" v1.
 *
 * Hand-written soapcpp2 header (route (b) of ../shared/guides/gsoap-notes.md),
 * transcribed from the names and namespaces of ../shared/spec/insi-protocol.md
 * §3 (headers), §4 (RECSANSVITALE, RESULTAT), §5 (RECVITALE) and §7 (faults).
 * Code is generated from this file at build time into the build tree.
 *
 * Choices (see gsoap-notes.md):
 *  - every response member is optional: the parser null-checks what the
 *    protocol requires, so a missing element becomes a clear error, not a crash;
 *  - dates, enumerations (severite!) and integers are std::string: the service
 *    has sent values outside its own schema (severite="fatal");
 *  - no operation is declared, so no generated stub can open a socket: the
 *    network I/O belongs to Asio (daemon/src/insi/insi_client.*);
 *  - wsse.h is imported at the end, for the optional WS-Security signature
 *    (insi.signature_xml, daemon/src/insi/xml_signature.hpp). It brings
 *    wsu, ds, xenc, c14n, wsc, saml1 and saml2 into the binding; the codec
 *    keeps the namespace table of the unsigned envelopes unchanged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#import "stlvector.h"

//gsoap ctxbam schema namespace: urn:siram:bam:ctxbam
//gsoap ctxbam schema elementForm: qualified
//gsoap ctxbam schema attributeForm: unqualified
//gsoap ctxlps schema namespace: urn:siram:lps:ctxlps
//gsoap ctxlps schema elementForm: qualified
//gsoap ctxlps schema attributeForm: unqualified
//gsoap wsa schema namespace: http://www.w3.org/2005/08/addressing
//gsoap wsa schema elementForm: qualified
//gsoap rs schema namespace: http://www.cnamts.fr/INSiRecSans
//gsoap rs schema elementForm: qualified
//gsoap rv schema namespace: http://www.cnamts.fr/INSiRecVit
//gsoap rv schema elementForm: qualified
//gsoap res schema namespace: http://www.cnamts.fr/INSiResultat
//gsoap res schema elementForm: qualified
//gsoap siram schema namespace: urn:siram
//gsoap siram schema elementForm: qualified
//gsoap siram schema attributeForm: unqualified

/* ---- ContexteBAM (CTXBAM V01_02) ---- */
class ctxbam__NIR {
 public:
  std::string *Num 0;
  std::string *Cle 0;
};
class ctxbam__NIRCertifie {
 public:
  std::string *Num 0;
  std::string *Cle 0;
  std::string *DateCertification 0;
};
class ctxbam__Assure {
 public:
  ctxbam__NIR *Id 0;
};
class ctxbam__Beneficiaire {
 public:
  ctxbam__NIRCertifie *Nir 0;
  std::string *DateNai 0;
  std::string *Rang 0;
  std::string *Porteur 0;
};
class ctxbam__Couverture {
 public:
  std::string *GrandRegime 0;
  std::string *Organisme 0;
  std::string *CodeCentre 0;
  ctxbam__Assure *ASSURE 0;
  ctxbam__Beneficiaire *BENEFICIAIRE 0;
};
class ctxbam__ContexteBAMType {
 public:
  std::string Id 1;
  std::string Temps 1;
  std::string *Emetteur 0;
  std::string *DateRef 0;
  ctxbam__Couverture COUVERTURE 1;
  @std::string *Nature 0;
  @std::string Version 1;
};

/* ---- ContexteLPS (CTXLPS V01_00) ---- */
class ctxlps__IdentiteStringRef {
 public:
  std::string __item;
  @std::string *R 0;
};
class ctxlps__LOGICIEL {
 public:
  ctxlps__IdentiteStringRef *IDAM 0;
  std::string *Version 0;
  std::string *Instance 0;
  std::string *Nom 0;
};
class ctxlps__ContexteLPSType {
 public:
  std::string Id 1;
  std::string Temps 1;
  std::string *Emetteur 0;
  ctxlps__LOGICIEL *LPS 0;
  @std::string *Nature 0;
  @std::string Version 1;
};

/* ---- rechercherInsAvecTraitsIdentite request ---- */
class _rs__RECSANSVITALE {
 public:
  std::string *NomNaissance 0;
  std::vector<std::string> Prenom 0;
  std::string *Sexe 0;
  std::string *DateNaissance 0;
  std::string *LieuNaissance 0;
};

/* ---- rechercherInsAvecCarteVitale request ---- */
class rv__Matricule {
 public:
  std::string *NumIdentifiant 0;
  std::string *Cle 0;
  std::string *TypeMatricule 0;
};
class _rv__RECVITALE {
 public:
  rv__Matricule *MatriculeIndividu 0;
  rv__Matricule *MatriculeOD 0;
  std::string *NomNaissance 0;
  std::string *DateNaissance 0;
  std::string *RangNaissance 0;
};

/* ---- Longest value of each RESULTAT element, in characters (issue 22).
 * gSOAP stops reading a longer value (SOAP_LENGTH): the answer is then
 * unreadable, never truncated, cached or stored. Where INSi_RESULTAT_INS.xsd
 * fixes the length with a pattern, that length: NIR \d{6}[A-Za-z0-9](\d{6})
 * 13, CLE [0-9]{2} 2, CodSexe [A-Z]{1} 1, DateLunaire \d{4}-\d{2}-\d{2} 10.
 * Where it says xs:string or xs:date (no maxLength anywhere in the INSi
 * XSDs), the bound is OUR CHOICE, not INSi's (none is documented), set far
 * above any value INSi is known to send:
 * NomNaissance and Prenom 100 (the local API's bound on a birth name,
 * daemon/src/api/recherche_input.hpp: what INSi returns must fit a
 * vérification), ListePrenom 255, LieuNaissance 5 (a COG, the type the
 * request side of the contract gives it), OID 64, TypeMatricule 32,
 * DateDeb/DateFin 32 (xs:date with a time zone is at most ~17), CodeCR 8,
 * LibelleCR 255. Values without a type here (fault texts, headers) are
 * bounded by parse_response (soap_codec.cpp). ---- */
typedef std::string res__NIR 0:13;
typedef std::string res__CLE 0:2;
typedef std::string res__CodSexe 0:1;
typedef std::string res__DateLunaire 0:10;
typedef std::string res__Date 0:32;
typedef std::string res__Nom 0:100;
typedef std::string res__ListePrenom 0:255;
typedef std::string res__COG 0:5;
typedef std::string res__OID 0:64;
typedef std::string res__TypeMatricule 0:32;
typedef std::string res__CodeCR 0:8;
typedef std::string res__LibelleCR 0:255;

/* ---- RESULTAT (both operations) ---- */
class res__Matricule {
 public:
  res__NIR *NumIdentifiant 0;
  res__CLE *Cle 0;
  res__TypeMatricule *TypeMatricule 0;
};
class res__IdentifiantNationalSante {
 public:
  res__Matricule *IdIndividu 0;
  res__OID *OID 0;
  res__Date *DateDeb 0;
  res__Date *DateFin 0;
};
class res__TraitsDIdentite {
 public:
  res__Nom *NomNaissance 0;
  res__Nom *Prenom 0;
  res__ListePrenom *ListePrenom 0;
  res__CodSexe *Sexe 0;
  res__DateLunaire *DateNaissance 0;
  res__COG *LieuNaissance 0;
};
class res__CompteRendu {
 public:
  res__CodeCR *CodeCR 0;
  res__LibelleCR *LibelleCR 0;
};
class res__Individu {
 public:
  res__IdentifiantNationalSante *INSACTIF 0;
  std::vector<res__IdentifiantNationalSante> INSHISTO 0;
  res__TraitsDIdentite *TIQ 0;
};
class _res__RESULTAT {
 public:
  res__CompteRendu *CR 0;
  res__Individu *INDIVIDU 0;
};

/* ---- Fault detail (schema_faultSOAP_V01_01): severite is NOT an enum ---- */
class siram__ErreurType {
 public:
  std::string __item;
  @std::string *code 0;
  @std::string *severite 0;
  @std::string *messageID 0;
};

/* ---- wsse:Security as literal XML, carte Vitale search only (insi-protocol.md
 * §2.4, §5): the caller's signed Vitale-card assertion, verbatim. Never filled
 * in certificate mode for the traits search. The member name wsse__Security_
 * maps to the same tag wsse:Security as the typed header of wsse.h; being
 * declared first, it is the one a parsed request fills, so a request keeps
 * its wsse:Security children verbatim (all of them: an assertion, or a
 * BinarySecurityToken and a ds:Signature). ---- */
struct SecurityLiteral {
  $int __size;
  _XML *__any;
};

/* ---- SOAP 1.2 header, detail and reason ---- */
/* Mutable: wsse.h adds `mustUnderstand _wsse__Security *wsse__Security`
 * after these members (the typed header the wsse plugin fills and signs). */
mutable struct SOAP_ENV__Header {
  ctxbam__ContexteBAMType *ctxbam__ContexteBAM 0;
  ctxlps__ContexteLPSType *ctxlps__ContexteLPS 0;
  std::string *wsa__Action 0;
  std::string *wsa__MessageID 0;
  struct SecurityLiteral *wsse__Security_ 0;
};
struct SOAP_ENV__Detail {
  siram__ErreurType *siram__Erreur 0;
  _XML __any;
};
/* Two Reason/Text elements (legal SOAP 1.2) break gSOAP's default fault
 * parse; this shape keeps the first Text (gsoap-notes.md §3). */
struct SOAP_ENV__Reason {
  char *SOAP_ENV__Text;
  $int __size;
  _XML *__any;
};

/* ---- WS-Security, XML-DSig (gSOAP's wsse plugin, /usr/share/gsoap/import):
 * the optional request signature. Last, so that its SOAP_ENV__Header member
 * comes after the literal one above. ---- */
#import "wsse.h"

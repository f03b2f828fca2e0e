#!/usr/bin/python3
# Checks FHIR Patient resources as the dmp-fhir plugin sends them:
#   fhir_patient.py FHIR_R4_SCHEMA PATIENT_JSON...
# 1. the official FHIR R4 JSON schema (fhir.schema.json from the pinned npm
#    package of tools/npm, not hand-written), definition Patient, with
#    Debian's python3-jsonschema (Draft 6, the schema's dialect);
# 2. the FR Core rules the plugin claims (ins-identity-rules.md §5.2):
#    INS identifier slice (system urn:oid:<OID>, type fr-core-cs-v2-0203 code
#    per OID, 15-character value, use official/temp/old), profile
#    fr-core-patient-ins exactly when an active INS is sent, identity-reliability
#    codes and sub-extensions (validationMode / dates), birth place with its
#    INSEE code (TRE_R13 communes, TRE_R20 countries), IPP with a system, the
#    birth name and first names.
# Exit 0 when every file passes; 1 with one line per problem on stderr.
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import re
import sys

import jsonschema

FR = "https://hl7.fr/ig/fhir/core/"
PROFILE_INS = FR + "StructureDefinition/fr-core-patient-ins"
PROFILE_PATIENT = FR + "StructureDefinition/fr-core-patient"
CS_0203 = FR + "CodeSystem/fr-core-cs-v2-0203"
RELIABILITY = FR + "StructureDefinition/fr-core-identity-reliability"
CS_0445 = FR + "CodeSystem/fr-core-cs-v2-0445"
CS_STATUS = FR + "CodeSystem/fr-core-cs-identity-status"
CS_MODE = FR + "CodeSystem/fr-core-cs-mode-validation-identity"
BIRTH_LIST = FR + "StructureDefinition/fr-core-patient-birth-list-given-name"
INSEE_CODE = FR + "StructureDefinition/fr-core-address-insee-code"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
TRE_R13 = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
TRE_R20 = "https://mos.esante.gouv.fr/NOS/TRE_R20-Pays/FHIR/TRE-R20-Pays"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"

INS_TYPE_BY_OID = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR-TEST",
    "1.2.250.1.213.1.4.11": "INS-NIR-DEMO",
}
TABLE_0445 = {"VIDE", "PROV", "VALI", "DOUB", "DESA", "DPOT", "DOUA", "COLP", "COLV", "FILI",
              "CACH", "ANOM", "IDVER", "RECD", "IDRA", "USUR", "HOMD", "HOMA", "INVA", "FICT",
              "DOUT"}
IDENTITY_STATUS = {"PROV", "RECUP", "VALI", "QUAL"}
VALIDATION_MODES = {"AN", "CC", "CE", "CM", "CN", "CS", "LE", "PA", "PC", "TC", "DC", "AC"}
RELIABILITY_PARTS = {"methodCollection", "dateCollection", "dateInterrogationINSi",
                     "identityStatus", "comment", "validationDate", "validationMode"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
COG = re.compile(r"^(\d{2}|2A|2B)\d{3}$")


def by_url(items, url):
    return [e for e in items or [] if e.get("url") == url]


def fr_core_problems(p):
    out = []
    profiles = p.get("meta", {}).get("profile", [])
    ins_ids, active = [], []
    for ident in p.get("identifier", []):
        codings = ident.get("type", {}).get("coding", [])
        fr = [c for c in codings if c.get("system") == CS_0203]
        if fr:
            ins_ids.append(ident)
            oid = ident.get("system", "")[len("urn:oid:"):]
            if not ident.get("system", "").startswith("urn:oid:") or oid not in INS_TYPE_BY_OID:
                out.append(f"INS identifier system {ident.get('system')!r} is not urn:oid:<INS OID>")
            elif fr[0].get("code") != INS_TYPE_BY_OID[oid]:
                out.append(f"INS type {fr[0].get('code')} does not match OID {oid}")
            if not re.fullmatch(r"[0-9]{5}([0-9]{2}|2A|2B)[0-9]{8}", ident.get("value", "")):
                out.append("INS value is not 15 characters (matricule + key)")
            use = ident.get("use")
            if use not in ("official", "temp", "old"):
                out.append(f"INS identifier use {use!r}")
            if use in ("official", "temp"):
                active.append(ident)
                want = "temp" if oid == "1.2.250.1.213.1.4.9" else "official"
                if use != want:
                    out.append(f"active INS with OID {oid} has use {use}, expected {want}")
        elif any(c.get("system") == V2_0203 and c.get("code") == "PI" for c in codings):
            system = ident.get("system", "")
            if ":" not in system or " " in system:
                out.append("IPP identifier (type PI) without an absolute URI system")
            if not ident.get("value"):
                out.append("IPP identifier without a value")
    if len(active) > 1:
        out.append("more than one active INS identifier")
    if active and PROFILE_INS not in profiles:
        out.append("an active INS is sent without the fr-core-patient-ins profile")
    if not active and PROFILE_INS in profiles:
        out.append("fr-core-patient-ins profile without an active INS identifier")
    if not active and PROFILE_PATIENT not in profiles:
        out.append("no INS and no fr-core-patient profile")

    rel = by_url(p.get("extension"), RELIABILITY)
    if len(rel) != 1:
        out.append(f"{len(rel)} identity-reliability extensions, expected 1")
    else:
        parts = rel[0].get("extension", [])
        for part in parts:
            url = part.get("url")
            values = [k for k in part if k.startswith("value")]
            if url not in RELIABILITY_PARTS:
                out.append(f"unknown identity-reliability sub-extension {url!r}")
            if len(values) != 1:
                out.append(f"sub-extension {url} has {len(values)} values")
        status = by_url(parts, "identityStatus")
        if len(status) != 1:
            out.append("identityStatus missing or repeated")
        else:
            c = status[0].get("valueCoding", {})
            allowed = {CS_0445: TABLE_0445, CS_STATUS: IDENTITY_STATUS}.get(c.get("system"))
            if allowed is None or c.get("code") not in allowed:
                out.append(f"identityStatus {c.get('system')}#{c.get('code')} is not a FR Core code")
            elif active and c.get("code") not in ("VALI", "QUAL"):
                out.append(f"an INS is sent with identityStatus {c.get('code')} (VALI/QUAL only)")
        for part in by_url(parts, "validationMode"):
            c = part.get("valueCoding", {})
            if c.get("system") != CS_MODE or c.get("code") not in VALIDATION_MODES:
                out.append(f"validationMode {c.get('system')}#{c.get('code')} is not a FR Core code")
        for name in ("validationDate", "dateCollection", "dateInterrogationINSi"):
            for part in by_url(parts, name):
                if not DATE.match(part.get("valueDate", "")):
                    out.append(f"{name} is not a FHIR date")
        if by_url(parts, "validationMode") and not by_url(parts, "validationDate"):
            out.append("validationMode without validationDate")

    places = by_url(p.get("extension"), BIRTH_PLACE)
    if len(places) != 1:
        out.append(f"{len(places)} birthPlace extensions, expected 1")
    else:
        codes = by_url(places[0].get("valueAddress", {}).get("extension"), INSEE_CODE)
        if len(codes) != 1:
            out.append("birthPlace without exactly one fr-core-address-insee-code")
        else:
            c = codes[0].get("valueCoding", {})
            code = c.get("code", "")
            if not COG.match(code):
                out.append("birthPlace INSEE code is not a COG")
            elif c.get("system") != (TRE_R20 if code.startswith("99") else TRE_R13):
                out.append(f"birthPlace code {code} with system {c.get('system')}")

    names = [n for n in p.get("name", []) if n.get("use") == "official"]
    if len(names) != 1 or not names[0].get("family") or len(names[0].get("given", [])) != 1:
        out.append("no official name with the birth name and one first name")
    else:
        lists = by_url(names[0].get("extension"), BIRTH_LIST)
        if len(lists) != 1 or not lists[0].get("valueString", "").startswith(names[0]["given"][0]):
            out.append("birth-list-given-name missing or not starting with the first name")
    if p.get("gender") not in ("male", "female", "unknown"):
        out.append("gender")
    if not DATE.match(p.get("birthDate", "")):
        out.append("birthDate")
    return out


def main():
    if len(sys.argv) < 3:
        print("usage: fhir_patient.py FHIR_R4_SCHEMA PATIENT_JSON...", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        r4 = json.load(f)
    schema = {"$schema": r4["$schema"], "definitions": r4["definitions"],
              "$ref": "#/definitions/Patient"}
    validator = jsonschema.Draft6Validator(schema)
    failed = False
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            patient = json.load(f)
        problems = [f"R4 schema: {'/'.join(str(x) for x in e.absolute_path) or '(root)'}: {e.message}"
                    for e in validator.iter_errors(patient)]
        problems += [f"FR Core: {p}" for p in fr_core_problems(patient)]
        for p in problems:
            print(f"{path}: {p}", file=sys.stderr)
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

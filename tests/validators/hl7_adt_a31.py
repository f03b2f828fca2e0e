#!/usr/bin/python3
# Reads a spooled ADT^A31 with Debian's python3-hl7 (an HL7 v2 parser
# independent of the spool plugin) and checks it field by field:
#   hl7_adt_a31.py MESSAGE_FILE EXPECTED_JSON
#   hl7_adt_a31.py MESSAGE_FILE --leaves   (structural checks only; prints
#                                           {"segments": [...], "fields": {...}})
# EXPECTED_JSON: {"segments": ["MSH", "EVN", "PID", "ZFD"],
#                 "fields": {"PID.F3.R2.C4.S2": "1.2.250.1.213.1.4.8", ...}}
# "fields" lists EVERY non-empty leaf of the message except MSH-1/MSH-2,
# unescaped. A leaf is named SEG.F<n>[.R<r>][.C<c>][.S<s>], where R, C and S
# are written only when the field has several repetitions, the repetition
# several components, the component several subcomponents. A leaf that
# differs, is missing or is not expected fails. Also checked whatever the
# expectations: segments separated by CR only, MSH-1 "|", MSH-2 "^~\&",
# MSH-9 ADT^A31^ADT_A05, MSH-10 present and at most 20 characters (HL7 v2.5
# ST length of the message control id), MSH-12 version 2.5.
# Exit 0 when everything matches; 1 with one line per problem on stderr.
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys

import hl7


def leaves(message):
    """{name: unescaped value} of every non-empty leaf, and the segment order."""
    out, order = {}, []
    for segment in message:
        name = str(segment[0])
        order.append(name)
        for f in range(1, len(segment)):
            if name == "MSH" and f in (1, 2):
                continue  # the separator and the encoding characters
            reps = [r if isinstance(r, list) else [[r]] for r in segment[f]]
            for r, rep in enumerate(reps, 1):
                comps = [c if isinstance(c, list) else [c] for c in rep]
                for c, comp in enumerate(comps, 1):
                    for s, sub in enumerate(comp, 1):
                        value = message.unescape(str(sub))
                        if value == "":
                            continue
                        key = f"{name}.F{f}"
                        if len(reps) > 1:
                            key += f".R{r}"
                        if len(comps) > 1:
                            key += f".C{c}"
                        if len(comp) > 1:
                            key += f".S{s}"
                        if key in out:
                            raise ValueError(f"segment {name} repeated: not an ADT^A31 of the spool")
                        out[key] = value
    return out, order


def main():
    if len(sys.argv) != 3:
        print("usage: hl7_adt_a31.py MESSAGE_FILE EXPECTED_JSON", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
    dump = sys.argv[2] == "--leaves"
    expected = None
    if not dump:
        with open(sys.argv[2], encoding="utf-8") as f:
            expected = json.load(f)
    problems = []
    text = raw.decode("utf-8")
    if "\n" in text:
        problems.append("a line feed in the message (segments end with CR only)")
    if not text.endswith("\r"):
        problems.append("the last segment does not end with CR")
    message = hl7.parse(text)
    if message["MSH.F1"] != "|" or message["MSH.F2"] != "^~\\&":
        problems.append("MSH-1/MSH-2 are not | and ^~\\&")
    got, order = leaves(message)
    if dump:
        print(json.dumps({"segments": order, "fields": got}, ensure_ascii=False))
    elif order != expected["segments"]:
        problems.append(f"segments {order}, expected {expected['segments']}")
    if [got.get(k, "") for k in ("MSH.F9.C1", "MSH.F9.C2", "MSH.F9.C3")] != ["ADT", "A31", "ADT_A05"]:
        problems.append("MSH-9 is not ADT^A31^ADT_A05")
    control_id = got.get("MSH.F10", "")
    if not 0 < len(control_id) <= 20:
        problems.append(f"MSH-10 has {len(control_id)} characters (1 to 20 allowed)")
    if got.get("MSH.F12.C1", got.get("MSH.F12")) != "2.5":
        problems.append("MSH-12 version is not 2.5")
    want = got if dump else expected["fields"]
    for key in sorted(set(got) | set(want)):
        if key not in want:
            problems.append(f"{key}: unexpected value {got[key]!r}")
        elif key not in got:
            problems.append(f"{key}: missing, expected {want[key]!r}")
        elif got[key] != want[key]:
            problems.append(f"{key}: {got[key]!r}, expected {want[key]!r}")
    for p in problems:
        print(f"{sys.argv[1]}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
# Validates real answers of the local API against proto/openapi.yaml.
#
# Usage: openapi_validate.py OPENAPI_YAML ANSWERS_JSONL
# Each line of ANSWERS_JSONL: {"method", "path", "status", "content_type",
# "body"} (body: the raw text). The schema of an answer is the one of its
# operation and status (a $ref to components/responses is followed); a
# problem+json answer whose status the operation does not list (403, 503
# service_sature...) is checked against components/schemas/Problem. JSON
# Schema 2020-12 (OpenAPI 3.1), python3-jsonschema from Debian.
# Exit 0 when every answer validates, 1 otherwise (each failure printed).
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import sys

import jsonschema
import yaml

# Answers whose schema another change owns, listed here rather than skipped
# silently: each is reported on every run.
KNOWN_GAPS = {}


def follow(doc, node):
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def schema_for(doc, method, path, status, content_type):
    op = doc["paths"].get(path, {}).get(method)
    if op is None:
        return None, "operation not in openapi.yaml"
    resp = op.get("responses", {}).get(str(status))
    if resp is None:
        if content_type == "application/problem+json":
            return {"$ref": "#/components/schemas/Problem"}, None
        return None, "status %d not listed" % status
    resp = follow(doc, resp)
    content = resp.get("content")
    if content is None:
        return {}, None  # the contract gives no body schema
    media = content.get(content_type)
    if media is None:
        return None, "content type %s not listed for %d" % (content_type, status)
    return media.get("schema", {}), None


def main():
    doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    resolver = jsonschema.RefResolver.from_schema(doc)
    failures, checked, gaps = 0, 0, {}
    if not os.path.exists(sys.argv[2]):
        print("no answer was recorded in %s: run this check with the e2e tests "
              "that call the local API (ctest -L e2e)" % sys.argv[2])
        return 1
    with open(sys.argv[2], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            a = json.loads(line)
            method, path, status = a["method"], a["path"].split("?")[0], a["status"]
            ctype = a["content_type"].split(";")[0].strip()
            where = "%s %s -> %d (line %d)" % (method.upper(), path, status, n)
            key = (method, path, status)
            if key in KNOWN_GAPS:
                gaps[key] = gaps.get(key, 0) + 1
                continue
            schema, why = schema_for(doc, method, path, status, ctype)
            if schema is None:
                print("FAIL %s: %s" % (where, why))
                failures += 1
                continue
            if not ctype.endswith("json"):
                checked += 1
                continue
            try:
                body = json.loads(a["body"])
            except ValueError:
                print("FAIL %s: body is not JSON" % where)
                failures += 1
                continue
            validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
            errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
            for e in errors[:5]:
                print("FAIL %s: at /%s: %s" % (where, "/".join(map(str, e.path)), e.message))
            failures += 1 if errors else 0
            checked += 1
    for key, count in gaps.items():
        print("NOT VALIDATED %d answer(s) %s %s -> %d: %s" % (count, key[0].upper(), key[1], key[2],
                                                               KNOWN_GAPS[key]))
    print("openapi_validate: %d answer(s) checked, %d failure(s)" % (checked, failures))
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

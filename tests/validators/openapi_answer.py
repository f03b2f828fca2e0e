#!/usr/bin/python3
# Validates one JSON answer of the running daemon against the schema that
# proto/openapi.yaml gives for that operation and status, with Debian's
# python3-jsonschema (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
#   openapi_answer.py OPENAPI_YAML OPERATION_ID STATUS ANSWER_JSON
# Exit 0 when valid; 1 with every violation on stderr; 2 on bad usage.
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys

import jsonschema
import yaml


def response_schema(doc, operation_id, status):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                resp = op["responses"].get(status)
                if resp is None:
                    sys.exit(f"{operation_id}: no response {status} in the contract")
                if "$ref" in resp:
                    resp = doc["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
                content = resp.get("content", {})
                media = content.get("application/json") or content.get("application/problem+json")
                if media is None or "schema" not in media:
                    sys.exit(f"{operation_id} {status}: no JSON schema in the contract")
                return media["schema"]
    sys.exit(f"no operation {operation_id} in the contract")


def main():
    if len(sys.argv) != 5:
        print(__doc__ or "usage: openapi_answer.py SPEC OPERATION_ID STATUS ANSWER", file=sys.stderr)
        return 2
    spec, operation_id, status, answer = sys.argv[1:]
    with open(spec, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    with open(answer, encoding="utf-8") as f:
        body = json.load(f)
    # The components travel with the schema so that '#/components/...' resolves.
    schema = dict(response_schema(doc, operation_id, status))
    schema["components"] = doc["components"]
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        print(f"{operation_id} {status}: {where}: {e.message}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Validates a JSON document against a JSON Schema: validate.py SCHEMA DOCUMENT.

Exit 0 when valid; 1 with one line per error when not; 3 when the python3 jsonschema module is missing
(Debian: python3-jsonschema). The schema's own "$schema" picks the draft (SARIF 2.1.0: draft-04)."""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(3)

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
with open(sys.argv[2], encoding="utf-8") as f:
    doc = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print("/".join(str(p) for p in e.absolute_path) + ": " + e.message)
sys.exit(1 if errors else 0)

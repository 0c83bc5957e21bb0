"""The shape checker of the contract tests (python3 stdlib only).

A shape says what a JSON value must look like; tests/contract/README.md documents the language.
check(value, shape, defs) returns a list of Mismatch(path, expected, got); empty means it fits.
"""

import json
import os
import re

PRIMITIVES = ("string", "integer", "number", "boolean", "null", "object", "array", "any",
              "url", "datetime")

DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")
URL_RE = re.compile(r"^https?://[^/\s?#]+(/[^\s]*)?$")


class Mismatch:
    def __init__(self, path, expected, got):
        self.path, self.expected, self.got = path, expected, got

    def __str__(self):
        return "%s: expected %s, got %s" % (self.path, self.expected, self.got)

    __repr__ = __str__


def describe(value, limit=80):
    """A short text for a JSON value in a failure message: its JSON type and the value."""
    text = json.dumps(value, sort_keys=True)
    if len(text) > limit:
        text = text[:limit] + "..."
    return "%s %s" % (json_type(value), text)


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _primitive_ok(value, name):
    t = json_type(value)
    if name == "any":
        return True
    if name == "number":
        return t in ("number", "integer")
    if name == "url":
        return t == "string" and bool(URL_RE.match(value))
    if name == "datetime":
        return t == "string" and bool(DATETIME_RE.match(value))
    return t == name


def page_shape(item_shape):
    """The Django REST Framework page envelope around items of item_shape."""
    return {"count": "integer", "next": "url|null", "previous": "url|null", "results": [item_shape]}


def check(value, shape, defs=None, path="$"):
    defs = defs or {}
    out = []
    _check(value, shape, defs, path, out)
    return out


def _check(value, shape, defs, path, out):
    if isinstance(shape, str):
        names = shape.split("|")
        for n in names:
            if n not in PRIMITIVES:
                raise ValueError("unknown type %r in shape at %s" % (n, path))
        if not any(_primitive_ok(value, n) for n in names):
            out.append(Mismatch(path, shape, describe(value)))
        return
    if isinstance(shape, list):
        if len(shape) != 1:
            raise ValueError("an array shape has exactly one item shape (at %s)" % path)
        _check(value, {"$array": shape[0]}, defs, path, out)
        return
    if not isinstance(shape, dict):
        raise ValueError("bad shape %r at %s" % (shape, path))

    if "$ref" in shape:
        name = shape["$ref"]
        if name not in defs:
            raise ValueError("unknown $ref %r at %s" % (name, path))
        _check(value, defs[name], defs, path, out)
        return
    if "$const" in shape:
        if value != shape["$const"] or json_type(value) != json_type(shape["$const"]):
            out.append(Mismatch(path, "the value %s" % json.dumps(shape["$const"]), describe(value)))
        return
    if "$enum" in shape:
        if value not in shape["$enum"] or isinstance(value, bool):
            out.append(Mismatch(path, "one of %s" % json.dumps(shape["$enum"]), describe(value)))
        return
    if "$pattern" in shape:
        if not isinstance(value, str) or not re.search(shape["$pattern"], value):
            out.append(Mismatch(path, "a string matching /%s/" % shape["$pattern"], describe(value)))
        return
    if "$oneOf" in shape:
        best = None
        for alt in shape["$oneOf"]:
            sub = []
            _check(value, alt, defs, path, sub)
            if not sub:
                return
            if best is None or len(sub) < len(best):
                best = sub
        alts = [a if isinstance(a, str) else a.get("$ref", a.get("$const", "<shape>")) for a in shape["$oneOf"]]
        out.append(Mismatch(path, "one of the alternatives %s; closest miss: %s" % (
            json.dumps(alts, default=str), "; ".join(str(m) for m in best)), describe(value)))
        return
    if "$page" in shape:
        _check(value, page_shape(shape["$page"]), defs, path, out)
        return
    if "$array" in shape:
        if not isinstance(value, list):
            out.append(Mismatch(path, "array", describe(value)))
            return
        if len(value) < shape.get("$min", 0):
            out.append(Mismatch(path, "an array of at least %d items" % shape["$min"],
                                "%d items" % len(value)))
        for i, item in enumerate(value):
            _check(item, shape["$array"], defs, "%s[%d]" % (path, i), out)
        return
    if "$map" in shape:
        if not isinstance(value, dict):
            out.append(Mismatch(path, "object (a map)", describe(value)))
            return
        for k, v in value.items():
            _check(v, shape["$map"], defs, "%s.%s" % (path, k), out)
        return

    # An object shape: "name" required, "name?" optional; more keys are allowed unless "$closed".
    if not isinstance(value, dict):
        out.append(Mismatch(path, "object", describe(value)))
        return
    declared = set()
    for key, sub in shape.items():
        if key.startswith("$"):
            continue
        optional = key.endswith("?")
        name = key[:-1] if optional else key
        declared.add(name)
        if name not in value:
            if not optional:
                out.append(Mismatch("%s.%s" % (path, name), "a field of type %s" % _short(sub), "no such field"))
            continue
        _check(value[name], sub, defs, "%s.%s" % (path, name), out)
    for name in shape.get("$absent", []):
        if name in value:
            out.append(Mismatch("%s.%s" % (path, name), "no such field", describe(value[name])))
    one_of_keys = shape.get("$anyKeyOf")
    if one_of_keys and not any(k in value for k in one_of_keys):
        out.append(Mismatch(path, "at least one of the fields %s" % ", ".join(one_of_keys), "none of them"))
    if shape.get("$closed"):
        for name in value:
            if name not in declared:
                out.append(Mismatch("%s.%s" % (path, name), "no such field", describe(value[name])))


def _short(shape):
    if isinstance(shape, str):
        return shape
    if isinstance(shape, list):
        return "array"
    if isinstance(shape, dict):
        for k in ("$ref", "$page"):
            if k in shape:
                return "%s %s" % (k[1:], shape[k] if isinstance(shape[k], str) else "")
        if "$enum" in shape:
            return "one of %s" % json.dumps(shape["$enum"])
        if "$const" in shape:
            return json.dumps(shape["$const"])
        if "$pattern" in shape:
            return "string /%s/" % shape["$pattern"]
        if "$array" in shape:
            return "array"
        if "$oneOf" in shape:
            return "union"
    return "object"


def status_ok(status, spec):
    """spec: a list of ints and/or "4xx"/"5xx"-style strings, or one of those."""
    if not isinstance(spec, list):
        spec = [spec]
    for s in spec:
        if isinstance(s, int) and status == s:
            return True
        if isinstance(s, str) and len(s) == 3 and s.endswith("xx") and str(status)[0] == s[0]:
            return True
    return False


HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES_DIR = os.path.join(HERE, "examples")


def load_examples(directory=EXAMPLES_DIR):
    """All examples by name (file name without .json), and the shared definitions from _defs.json."""
    with open(os.path.join(directory, "_defs.json"), encoding="utf-8") as f:
        defs = json.load(f)
    defs.pop("$comment", None)
    examples = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json") and not name.startswith("_"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                ex = json.load(f)
            for field in ("method", "path", "status", "response", "source"):
                if field not in ex:
                    raise ValueError("%s: no %r" % (name, field))
            examples[name[:-5]] = ex
    return examples, defs

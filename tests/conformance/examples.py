#!/usr/bin/env python3
"""examples.py: the example response bodies of Pinterest's OpenAPI description
for the operations pinwarden calls, one JSON file each.

    examples.py [--variants] OPENAPI.yaml OUTDIR

writes OUTDIR/<parser>-<n>.json, where <parser> names the pinwarden parser
the body is for (tokens, user_account, board_page, section_page, pin_page,
pin); tests/conformance/parse_examples runs them through those parsers.

Where a 200/201 application/json response has an `example` or `examples`
(following $refs into components/examples), those are the bodies. Where it
has only a schema, the body is built from the schema the way a mock server
does: a schema's or property's `example`, else its `default`, else its first
`enum` value, else a placeholder of the right type ("string", 1, true; a
date-time for format date-time, digits for an id pattern). A oneOf, anyOf
or discriminator mapping gives one more body for each alternative, so every
alternative appears in some body.

--variants also writes, for the fuzzer's seed corpus, each body with only
the required properties and each body with every nullable property null.

The description is read from where it lies (../shared); it is never copied
into pinwarden's tree.
"""

import copy
import json
import os
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.stderr.write("examples.py: PyYAML is missing (Debian package python3-yaml)\n")
    sys.exit(2)

# (path, method) -> the parser its successful answer goes through.
OPERATIONS = [
    ("/oauth/token", "post", "tokens"),
    ("/user_account", "get", "user_account"),
    ("/boards", "get", "board_page"),
    ("/boards/{board_id}/sections", "get", "section_page"),
    ("/boards/{board_id}/pins", "get", "pin_page"),
    ("/pins", "post", "pin"),
    ("/pins/{pin_id}", "get", "pin"),
]
STATUSES = ("200", "201")
MAX_PER_OPERATION = 64


class Spec:
    def __init__(self, doc):
        self.doc = doc

    def pointer(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("only local $refs are supported: %s" % ref)
        node = self.doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[part]
        return node

    def deref(self, node, seen=()):
        """Follows $ref chains; returns (node, refs followed)."""
        refs = list(seen)
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in refs:
                raise ValueError("$ref loop at %s" % ref)
            refs.append(ref)
            node = self.pointer(ref)
        return node, refs


class Sampler:
    """Builds one body from a schema. `choices` maps a choice point (the
    id of a oneOf/anyOf/discriminator schema) to the alternative taken;
    every point met is recorded in `met` with its number of alternatives."""

    def __init__(self, spec, choices, mode="full"):
        self.spec = spec
        self.choices = choices
        self.mode = mode  # full, required, nulls
        self.met = {}

    def sample(self, schema, stack=(), required_hint=frozenset()):
        schema, refs = self.spec.deref(schema)
        stack = tuple(stack)
        for ref in refs:
            if ref in stack:
                return None  # a recursive schema: stop here
        stack = stack + tuple(refs)
        if not isinstance(schema, dict):
            return None
        if "example" in schema:
            return copy.deepcopy(schema["example"])
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return copy.deepcopy(schema["examples"][0])
        if "default" in schema and not _is_object_schema(schema):
            return copy.deepcopy(schema["default"])
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return copy.deepcopy(schema["enum"][0])

        alternatives = self.alternatives(schema)
        if alternatives:
            key = id(schema)
            self.met[key] = len(alternatives)
            pick = self.choices.get(key, 0)
            label, alt = alternatives[pick]
            if alt is None:  # the schema itself, without its mapping
                value = self.plain(schema, stack, skip_alternatives=True)
            else:
                value = self.sample(alt, stack)
                # What the schema says besides the oneOf/anyOf.
                own = self.plain(schema, stack, skip_alternatives=True)
                if isinstance(own, dict) and isinstance(value, dict):
                    value = _merge(own, value)
            disc = schema.get("discriminator") or {}
            if label is not None and isinstance(value, dict) and disc.get("propertyName"):
                value[disc["propertyName"]] = label
            return value
        return self.plain(schema, stack, required_hint=required_hint)

    def alternatives(self, schema):
        """[(discriminator value or None, schema or None)]."""
        for keyword in ("oneOf", "anyOf"):
            if isinstance(schema.get(keyword), list) and schema[keyword]:
                labels = {}
                mapping = (schema.get("discriminator") or {}).get("mapping") or {}
                for value, ref in mapping.items():
                    labels.setdefault(ref, value)
                return [(labels.get(alt.get("$ref")) if isinstance(alt, dict) else None, alt)
                        for alt in schema[keyword]]
        mapping = (schema.get("discriminator") or {}).get("mapping")
        if isinstance(mapping, dict) and mapping:
            # A base schema whose subtypes are named only in the mapping:
            # the base itself, then each subtype.
            alts = [(None, None)]
            for value, ref in mapping.items():
                target, _ = self.spec.deref({"$ref": ref})
                if target is not schema:
                    alts.append((value, {"$ref": ref}))
            return alts
        return []

    def plain(self, schema, stack, skip_alternatives=False, required_hint=frozenset()):
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or "properties" in schema or "allOf" in schema:
            return self.obj(schema, stack, required_hint)
        if kind == "array" or (kind is None and "items" in schema):
            item = self.sample(schema.get("items", {}), stack)
            return [] if item is None and self.mode == "required" else [item]
        if kind == "string":
            return _placeholder_string(schema)
        if kind == "integer":
            return max(1, int(schema.get("minimum", 1)))
        if kind == "number":
            return max(1.5, float(schema.get("minimum", 1.5)))
        if kind == "boolean":
            return True
        if skip_alternatives:
            return {}
        return None

    def obj(self, schema, stack, required_hint=frozenset()):
        value = {}
        props = schema.get("properties") or {}
        # What this schema, its allOf parts or the schema it is a part of
        # require: in an allOf, one part may require what another describes.
        required = set(schema.get("required") or []) | set(required_hint)
        for part in schema.get("allOf") or []:
            part, _ = self.spec.deref(part)
            if isinstance(part, dict):
                required |= set(part.get("required") or [])
        for name, sub in props.items():
            subschema, _ = self.spec.deref(sub)
            if isinstance(subschema, dict) and subschema.get("writeOnly"):
                continue
            if self.mode == "required" and name not in required:
                continue
            if self.mode == "nulls" and isinstance(subschema, dict) and subschema.get("nullable"):
                value[name] = None
                continue
            v = self.sample(sub, stack)
            if v is None and self.mode != "nulls":
                continue
            value[name] = v
        for part in schema.get("allOf") or []:
            v = self.sample(part, stack, frozenset(required))
            if isinstance(v, dict):
                value = _merge(value, v)
            elif v is not None and not value:
                return v  # allOf of a non-object (an enum, say)
        if self.mode == "required":
            value = {k: v for k, v in value.items() if k in required or _required_in_parts(self.spec, schema, k)}
        if not value and not props and not schema.get("allOf") and schema.get("type") != "object":
            return None
        return value


def _required_in_parts(spec, schema, name):
    for part in schema.get("allOf") or []:
        part, _ = spec.deref(part)
        if isinstance(part, dict) and (name in (part.get("required") or []) or _required_in_parts(spec, part, name)):
            return True
    return False


def _is_object_schema(schema):
    return schema.get("type") == "object" or "properties" in schema


def _merge(a, b):
    out = dict(a)
    for k, v in b.items():
        if isinstance(out.get(k), dict) and isinstance(v, dict):
            out[k] = _merge(out[k], v)
        elif isinstance(out.get(k), list) and isinstance(v, list) and v:
            # allOf of arrays: a later part's items refine an earlier's.
            old = out[k]
            out[k] = [_merge(old[i], x) if i < len(old) and isinstance(old[i], dict) and isinstance(x, dict) else x
                      for i, x in enumerate(v)]
        else:
            out[k] = v
    return out


def _placeholder_string(schema):
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2019-08-24T14:15:22Z"
    if fmt == "date":
        return "2019-08-24"
    if fmt in ("uri", "url"):
        return "https://example.com/"
    if fmt == "email":
        return "user@example.com"
    if schema.get("pattern") in ("^\\d+$", "^[0-9]+$"):
        return "1234567890"
    text = "string"
    min_len = int(schema.get("minLength", 0) or 0)
    if len(text) < min_len:
        text = text * (min_len // len(text) + 1)
    max_len = schema.get("maxLength")
    if max_len is not None:
        text = text[: int(max_len)]
    return text


def schema_bodies(spec, schema, mode):
    """One body with the first alternative everywhere, then more until
    every alternative of every choice point met has been taken once."""
    bodies = []
    covered = set()
    queue = [{}]
    while queue and len(bodies) < MAX_PER_OPERATION:
        choices = queue.pop(0)
        sampler = Sampler(spec, choices, mode)
        bodies.append(sampler.sample(schema))
        for point, count in sampler.met.items():
            covered.add((point, choices.get(point, 0)))
            for k in range(1, count):
                if (point, k) not in covered and point not in choices:
                    covered.add((point, k))
                    queue.append(_with(choices, point, k))
    return bodies


def _with(choices, point, k):
    out = dict(choices)
    out[point] = k
    return out


def operation_bodies(spec, path, method, variants):
    op = spec.doc["paths"][path][method]
    out = []
    for status in STATUSES:
        response = (op.get("responses") or {}).get(status)
        if response is None:
            continue
        response, _ = spec.deref(response)
        media = ((response.get("content") or {}).get("application/json")) or None
        if media is None:
            continue
        explicit = []
        if "example" in media:
            explicit.append(media["example"])
        for ex in (media.get("examples") or {}).values():
            ex, _ = spec.deref(ex)
            if isinstance(ex, dict) and "value" in ex:
                explicit.append(ex["value"])
        if explicit:
            out.extend(explicit)
        elif "schema" in media:
            out.extend(schema_bodies(spec, media["schema"], "full"))
            if variants:
                out.extend(schema_bodies(spec, media["schema"], "required"))
                out.extend(schema_bodies(spec, media["schema"], "nulls"))
    return out


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    variants = "--variants" in argv[1:]
    if len(args) != 2:
        sys.stderr.write("usage: examples.py [--variants] OPENAPI.yaml OUTDIR\n")
        return 2
    source, outdir = args
    with open(source, "rb") as f:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        spec = Spec(yaml.load(f, Loader=loader))
    os.makedirs(outdir, exist_ok=True)
    counts = {}
    seen = {}
    for path, method, parser in OPERATIONS:
        try:
            bodies = operation_bodies(spec, path, method, variants)
        except KeyError as e:
            sys.stderr.write("examples.py: %s %s is not in the description (%s)\n" % (method.upper(), path, e))
            return 1
        if not bodies:
            sys.stderr.write("examples.py: %s %s has no 200/201 JSON example or schema\n" % (method.upper(), path))
            return 1
        for body in bodies:
            text = json.dumps(body, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
            if text in seen.setdefault(parser, set()):
                continue
            seen[parser].add(text)
            counts[parser] = counts.get(parser, 0) + 1
            name = os.path.join(outdir, "%s-%d.json" % (parser, counts[parser]))
            with open(name, "w", encoding="utf-8") as f:
                f.write(text)
    for parser, n in counts.items():
        print("%s: %d" % (parser, n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""JSON Schema validation of loaded documents, with findings at the right line."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import findings as F
from .loader import MAX_BYTES, read_regular

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "a mapping of keys to values", "null": "nothing"}
_PLATFORM_PATHS = {("platforms",), ("variants",)}


@lru_cache(maxsize=None)
def validator(kind: str, schema_dir: str):
    """The compiled validator for a document kind (post, campaign, persona, settings...)."""
    import jsonschema     # imported here: the compiled validator answers for valid documents

    schema = _schema(kind, schema_dir)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_dir(root: Path) -> str:
    """The repository's own schemas/ when it has them, else the ones shipped with smm."""
    return _schema_dir(str(root))


@lru_cache(maxsize=16)
def _schema_dir(root: str) -> str:
    own = Path(root) / "schemas"
    return str(own if (own / "post.schema.json").is_file() else SCHEMA_DIR)


def fast_validator(kind: str, schema_dir: str):
    """A compiled validator (jsonschema-rs) that only answers valid or not; None if unavailable."""
    return _loaded(_schema_file(kind, schema_dir))[1]


class SchemaFileError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.line, self.column = line, column


def _schema(kind: str, schema_dir: str) -> dict:
    return _loaded(_schema_file(kind, schema_dir))[0]


@lru_cache(maxsize=None)
def _schema_file(kind: str, schema_dir: str) -> str:
    """The schema file of `kind`: the repository's, or the one smm ships when the repository has
    none for this kind or its file is broken (file_problems reports that)."""
    own = Path(schema_dir) / f"{kind}.schema.json"
    if Path(schema_dir) != SCHEMA_DIR:
        try:
            _loaded(str(own))
            return str(own)
        except (FileNotFoundError, SchemaFileError):
            pass
    return str(SCHEMA_DIR / f"{kind}.schema.json")


@lru_cache(maxsize=None)
def _loaded(file: str) -> tuple:
    """(the schema in `file`, its compiled fast validator or None); SchemaFileError says what is
    wrong with a file that is not a usable JSON Schema."""
    try:
        raw, size = read_regular(file, MAX_BYTES)
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaFileError(f"cannot be read as UTF-8 text ({error.__class__.__name__})") from None
    if size > MAX_BYTES:
        raise SchemaFileError(f"is {size:,} bytes; the limit is {MAX_BYTES:,}")
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        raise SchemaFileError(f"is not JSON: {error.msg}", error.lineno, error.colno) from None
    if not isinstance(schema, dict):
        raise SchemaFileError("is not a JSON Schema (a schema is a JSON object)")
    return schema, _compiled(schema)


def _compiled(schema: dict):
    try:
        import jsonschema_rs
    except ImportError:
        return None
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=True)
    except (jsonschema_rs.ValidationError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SchemaFileError(f"is not a valid JSON Schema: {first[:200]}") from None


def file_problems(root: Path) -> list:
    """Findings for the repository's schema files that cannot be used (smm checks those kinds
    with the schemas it ships instead)."""
    folder = Path(schema_dir(root))
    if folder == SCHEMA_DIR:
        return []
    out = []
    for file in sorted(folder.glob("*.schema.json")):
        try:
            _loaded(str(file))
        except FileNotFoundError:
            continue
        except SchemaFileError as error:
            out.append(F.make("schema.file", f"schemas/{file.name}", (error.line, error.column),
                              f"{file.name} {error}", kind=file.name.removesuffix(".schema.json")))
    return out


_FAST: dict = {}      # (kind, root) -> fast_validator(kind, schema_dir(root)): asked for each post (1.5 us)


def validate(doc, kind: str, root: Path) -> list:
    """Findings for every schema violation in `doc.data`. The compiled validator answers for the
    many valid documents; jsonschema explains the few invalid ones."""
    try:
        fast = _FAST[kind, root]
    except KeyError:
        fast = _FAST[kind, root] = fast_validator(kind, schema_dir(root))
    if fast is not None:
        try:
            if fast.is_valid(doc.data):
                return []
        except (ValueError, TypeError, OverflowError):
            pass                      # a value the compiled validator cannot take: let jsonschema decide
    check = validator(kind, schema_dir(root))
    out = []
    for error in check.iter_errors(doc.data):
        out.extend(_findings_for(_deepest(error), doc))
    return out


def _deepest(error):
    """For oneOf/anyOf, the sub-error that says most about what went wrong."""
    from jsonschema.exceptions import best_match
    while error.context:
        error = best_match(error.context)
    return error


def _findings_for(error, doc) -> list:
    path = tuple(error.absolute_path)
    if "propertyNames" in error.relative_schema_path:
        return _property_names(error, path, doc)
    handler = _HANDLERS.get(error.validator, _value)
    return handler(error, path, doc)


def _unknown_keys(error, path, doc):
    known = sorted(error.schema.get("properties", {}))
    extra = [k for k in error.instance if k not in known]
    rule = "platform.unknown" if path in _PLATFORM_PATHS else "schema.unknown-key"
    out = []
    for key in extra:
        suggestion = _did_you_mean(key, known)
        what = "platform" if rule == "platform.unknown" else "key"
        out.append(F.make(rule, doc.path, doc.where(*path, key), f'unknown {what} "{key}"{_at(path)}',
                          suggestion=suggestion))
    return out


def _property_names(error, path, doc):
    name = error.instance
    allowed = error.validator_value if error.validator == "enum" else []
    return [F.make("platform.unknown", doc.path, doc.where(*path, name), f'unknown platform "{name}"{_at(path)}',
                   suggestion=_did_you_mean(name, allowed))]


def _closest(word, choices) -> str | None:
    from difflib import get_close_matches     # imported for a finding only
    close = get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word, choices) -> str:
    close = _closest(word, choices)
    listing = ", ".join(str(c) for c in choices)
    if close:
        return f'Did you mean "{close}"? Known: {listing}.'
    return f"Known: {listing}."


def _required(error, path, doc):
    missing = [k for k in error.validator_value if k not in error.instance]
    return [F.make("schema.required", doc.path, doc.value_at(*path) if path else (1, 1),
                   f'missing required key "{key}"{_at(path)}', key=key) for key in missing]


def _type(error, path, doc):
    wanted = error.validator_value
    wanted = wanted if isinstance(wanted, list) else [wanted]
    expected = " or ".join(_TYPE_NAMES.get(t, t) for t in wanted)
    got = _describe(error.instance)
    expected_hint = expected
    if "boolean" in wanted and isinstance(error.instance, str):
        expected_hint = f'true or false; "{error.instance}" is text here'
    elif error.instance is None:
        expected_hint = f"{expected}; write the value after the colon, or remove the key"
    elif "string" in wanted and not isinstance(error.instance, (dict, list)):
        expected_hint = f'text; put the value in quotes, such as "{error.instance}"'
    return [F.make("schema.type", doc.path, doc.value_at(*path), f"{_name(path)} must be {expected}, not {got}",
                   expected=expected_hint)]


def _enum(error, path, doc):
    allowed = error.validator_value if error.validator == "enum" else [error.validator_value]
    is_platform = path[:1] in {("platforms",)} or (len(path) == 2 and path[0] == "platforms")
    if is_platform or (path and path[-1] == "platform") or (len(path) == 2 and path[0] == "variants"):
        return [F.make("platform.unknown", doc.path, doc.value_at(*path), f'unknown platform "{error.instance}"',
                       suggestion=_did_you_mean(error.instance, allowed))]
    listing = ", ".join(json.dumps(a) if not isinstance(a, str) else a for a in allowed)
    message = f'{_name(path)} is "{error.instance}", which is not allowed'
    close = _closest(error.instance, allowed)
    hint_list = f'{listing} (did you mean "{close}"?)' if close else listing
    return [F.make("schema.enum", doc.path, doc.value_at(*path), message, allowed=hint_list)]


def _format(error, path, doc):
    fmt = error.validator_value
    example = {"date": 'a date such as "2026-12-01"'}.get(fmt, fmt)
    return [F.make("schema.format", doc.path, doc.value_at(*path),
                   f'{_name(path)} "{error.instance}" is not a valid {fmt}', expected=f"Write {example}.")]


def _value(error, path, doc):
    description = error.schema.get("description", "")
    return [F.make("schema.value", doc.path, doc.value_at(*path), f"{_name(path)}: {_plain(error)}",
                   expected=description or "See the schema in schemas/ for what is allowed.")]


def _plain(error) -> str:
    kw, value, inst = error.validator, error.validator_value, error.instance
    texts = {
        "pattern": lambda: f'"{inst}" does not have the expected form',
        "minLength": lambda: "must not be empty" if value == 1 else f"needs at least {value} characters",
        "maxLength": lambda: f"is {len(inst)} characters; at most {value} allowed",
        "minItems": lambda: f"needs at least {value} item{'s' if value != 1 else ''}",
        "maxItems": lambda: f"has {len(inst)} items; at most {value} allowed",
        "uniqueItems": lambda: "lists the same item twice",
        "minimum": lambda: f"{inst} is below the minimum of {value}",
        "maximum": lambda: f"{inst} is above the maximum of {value}",
        "exclusiveMinimum": lambda: f"{inst} must be more than {value}",
    }
    return texts.get(kw, lambda: error.message)()


def _describe(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the text "{value[:40]}"'
    return _TYPE_NAMES.get({dict: "object", list: "array"}.get(type(value), ""), type(value).__name__)


def _name(path) -> str:
    if not path:
        return "front matter"
    parts = [str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in path]
    return '"' + ".".join(parts).replace(".[", "[") + '"'


def _at(path) -> str:
    return f" in {_name(path)}" if path else ""


_HANDLERS = {
    "additionalProperties": _unknown_keys,
    "unevaluatedProperties": _unknown_keys,
    "propertyNames": _property_names,
    "required": _required,
    "type": _type,
    "enum": _enum,
    "const": _enum,
    "format": _format,
}

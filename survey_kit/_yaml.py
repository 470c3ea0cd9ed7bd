"""Reading YAML the user wrote: bounded, strict, and with errors that name the place.

Shared by the questionnaire (:func:`survey_kit.load_questionnaire`), the report
spec (:func:`survey_kit.load_report_spec`) and YAML targets files. Every YAML
file goes through :func:`parse_yaml`, which

* refuses tags that construct Python objects (a safe loader),
* refuses a document whose aliases would expand to more than
  :data:`MAX_NODES` nodes (a "billion laughs" alias bomb) -- measured on the
  composed node graph, so nothing is expanded to find out,
* refuses nesting deeper than :data:`MAX_DEPTH` (instead of a RecursionError),
* refuses a mapping that repeats a key (YAML says keys are unique; PyYAML
  would silently keep the last one), naming both lines,

all before any value is formatted into a message. Schema faults found later
by pydantic are named by their YAML path (``questions[4].options[2].code``).

Example
-------
>>> from survey_kit.errors import QuestionnaireError
>>> parse_yaml("a: 1\\nb: [x, y]\\n", QuestionnaireError)
{'a': 1, 'b': ['x', 'y']}
>>> parse_yaml("a: 1\\na: 2\\n", QuestionnaireError)
Traceback (most recent call last):
...
survey_kit.errors.QuestionnaireError: line 2: key 'a' is repeated (first on line 1); keep one
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import SurveyKitError

#: most nodes a document may have once its aliases are expanded
MAX_NODES = 200_000
#: deepest nesting of mappings and sequences
MAX_DEPTH = 64
#: longest key shown in a message
_SHOW = 60


class _Refused(Exception):
    """A bound was hit while composing; carries the message and the line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _loader_class(keep_bool_words: bool):
    import yaml

    class BoundedLoader(yaml.SafeLoader):
        """SafeLoader with a depth limit and an alias-expansion budget."""

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self._depth = 0

        def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise _Refused(f"nesting deeper than {MAX_DEPTH} levels; flatten the "
                                   "file", mark.line + 1)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_mapping(self, node, deep=False):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:
                    continue
                if first is not None:
                    shown = str(key)[:_SHOW]
                    raise _Refused(f"key {shown!r} is repeated (first on line {first}); "
                                   "keep one", line)
                seen[key] = line
            return super().construct_mapping(node, deep=deep)

        def construct_real_timestamp(self, node):
            """A date or time that exists (2024-02-30 is refused, naming its line)."""
            try:
                return yaml.SafeLoader.construct_yaml_timestamp(self, node)
            except ValueError as exc:
                raise _Refused(f"{str(node.value)[:_SHOW]!r} is not a real date or time "
                               f"({exc}); correct it", node.start_mark.line + 1) from None

    BoundedLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                  BoundedLoader.construct_real_timestamp)
    if keep_bool_words:
        BoundedLoader.yaml_implicit_resolvers = {
            ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
            for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    return BoundedLoader


def _expanded_size(root) -> int:
    """Nodes of the document once every alias is expanded, without expanding it."""
    import yaml

    memo: dict[int, int] = {}
    opened: set[int] = set()       # nodes whose children are being counted: the current path
    # iterative post-order over the node graph (shared nodes = aliases)
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in memo:
            continue
        if isinstance(node, yaml.ScalarNode):
            memo[id(node)] = 1
            continue
        children = ([c for pair in node.value for c in pair]
                    if isinstance(node, yaml.MappingNode) else list(node.value))
        if done:
            total = 1 + sum(memo[id(c)] for c in children)
            memo[id(node)] = min(total, MAX_NODES + 1)
        elif id(node) in opened:   # an alias inside the node it names: endless expansion
            raise _Refused("an alias (*name) refers to a mapping or list that contains it, "
                           "so it never ends; write the values out",
                           node.start_mark.line + 1)
        else:
            opened.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in memo)
    return memo[id(root)]


def parse_yaml(text: str, error: type[SurveyKitError], *, file: Path | None = None,
               keep_bool_words: bool = False) -> Any:
    """The data of one YAML document, within the bounds above.

    ``error`` is raised (with ``file``) for invalid YAML or a bound that is hit.
    ``keep_bool_words`` keeps ``yes``/``no``/``on``/``off`` as strings (level
    keys of a targets file).
    """
    import yaml

    try:        # the reader checks the characters at once: a DEL or NUL is a YAMLError too
        loader = _loader_class(keep_bool_words)(text)
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML ({str(exc).splitlines()[0][:200]}); remove the control "
                    "character", file=file) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node) > MAX_NODES:
            raise _Refused(f"the document expands to more than {MAX_NODES:,} values through "
                           "its aliases (&anchor / *alias); write the values out or use "
                           "fewer aliases")
        return loader.construct_document(node)
    except _Refused as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise error(f"{where}{exc.message}", file=file) from None
    except RecursionError:
        raise error(f"nesting too deep; flatten the file (at most {MAX_DEPTH} levels)",
                    file=file) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = str(getattr(exc, "problem", None) or exc)[:200]
        raise error(f"{where}not valid YAML ({problem})", file=file) from None
    finally:
        loader.dispose()


def read_yaml(path: Path, error: type[SurveyKitError], what: str, hint: str,
              *, keep_bool_words: bool = False) -> Any:
    """The parsed YAML of ``path``; ``error`` naming the file when it cannot be read.

    ``what`` names the file in messages ("file", "report spec"); ``hint`` says
    what to give instead when it does not exist.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} not found; {hint}", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read the {what} ({exc}); save it as UTF-8 text", file=path) from None
    return parse_yaml(text, error, file=Path(path), keep_bool_words=keep_bool_words)


def node_line(text: str, path: tuple) -> int | None:
    """The line (1-based) of the value at ``path`` (keys and list positions) in YAML
    ``text``, or None when the text does not hold it.

    >>> node_line("a:\\n  b: [x, yes]\\n", ("a", "b", 1))
    2
    """
    import yaml

    loader = _loader_class(False)(text)
    try:
        node = loader.get_single_node()
    except (yaml.YAMLError, _Refused, RecursionError):
        return None
    finally:
        loader.dispose()
    for part in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value
                         if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None
        if node is None:
            return None
    return None if node is None else node.start_mark.line + 1


def yaml_path(loc: tuple) -> str:
    """A pydantic error location as a YAML path: ``("questions", 4, "code")`` ->
    ``questions[4].code``."""
    out = ""
    for part in loc:
        if isinstance(part, str) and part in _UNION_TAGS or "[" in str(part):
            continue                     # which member of a union failed: not a YAML key
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


#: location parts pydantic adds for the members of a union (``str | int``)
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "constrained-str", "constrained-int",
                         "constrained-float", "list", "dict", "none", "date", "datetime"})


def schema_error(exc: Any, error: type[SurveyKitError], file: Path | None,
                 unknown_key: str) -> SurveyKitError:
    """``error`` for the first fault of a pydantic ``ValidationError``.

    An unknown key gets the message ``unknown_key``; a missing one "required
    key is missing"; the offending value is named when it is a scalar.
    """
    err = exc.errors()[0]
    kind = err["type"]
    msg = err["msg"]
    if kind == "extra_forbidden":
        msg = unknown_key
    elif kind == "missing":
        msg = "required key is missing"
    value = err.get("input")
    return error(msg, file=file, path=yaml_path(err["loc"]),
                 value=None if kind == "missing" or isinstance(value, dict) else value)

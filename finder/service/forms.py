"""Forms generated from the parameter declarations (finder.service.params).

A form ("search", "staff", "widget") shows, section by section, every parameter of an
endpoint that declares a ``Field`` for it, in declaration order. ``bind`` gives the templates
plain data: id, name, label, widget, options with the selected ones, the value typed (shown
again even when invalid) and the French error of the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from finder.service.params import Codes, Endpoint, Param


@dataclass(frozen=True)
class Option:
    code: str
    label: str
    selected: bool
    id: str


@dataclass(frozen=True)
class Bound:
    name: str
    id: str
    widget: str
    label: str
    hint: str | None
    empty: str | None
    value: str  # the first value typed ("" when none), or what a checkbox sends
    checked: bool
    options: tuple[Option, ...]
    attrs: tuple[tuple[str, str], ...]
    error: str | None


def _values(args, name: str, multi: bool) -> list[str]:
    raw = list(args.getlist(name)) if args is not None else []
    if multi:
        return [code.strip() for value in raw for code in value.split(",") if code.strip()]
    return raw[:1]


def bind_param(form: str, p: Param, args, errors: dict, geo) -> Bound | None:
    field = p.form_field(form)
    if field is None:
        return None
    multi = isinstance(p.kind, Codes) or field.widget == "checkboxes"
    given = _values(args, p.name, multi)
    first = given[0] if given else ""
    pairs = field.options(geo) if field.options else getattr(p.kind, "choices", lambda g: ())(geo)
    options = tuple(Option(str(code), label, str(code) in given, f"{p.name}-{code}") for code, label in (pairs or ()))
    if field.widget == "checkbox":
        value, checked = (
            field.value,
            first.lower() == field.value.lower()
            or (field.value == "true" and first.lower() in ("true", "1", "on", "oui")),
        )
    elif field.widget == "color":
        value, checked = first or field.value, False
    else:
        value, checked = first, False
    return Bound(
        name=p.name,
        id=p.name,
        widget=field.widget,
        label=field.label or p.label,
        hint=field.hint,
        empty=field.empty,
        value=value,
        checked=checked,
        options=options,
        attrs=field.attrs,
        error=errors.get(p.name),
    )


def bind(
    form: str, endpoint: Endpoint, args, errors: dict, geo, defaults: dict | None = None
) -> dict[str, list[Bound]]:
    """Bound fields by section. ``defaults``: values shown when a parameter is not given."""
    sections: dict[str, list[Bound]] = {}
    for p in endpoint.params:
        field = p.form_field(form)
        if field is None:
            continue
        source = args
        if defaults and p.name in defaults and not (args is not None and args.getlist(p.name)):
            source = _Defaults(defaults)
        bound = bind_param(form, p, source, errors, geo)
        sections.setdefault(field.section, []).append(bound)
    return sections


class _Defaults:
    def __init__(self, values: dict):
        self.values = values

    def getlist(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, (list, tuple, set, frozenset)) else [str(value)]

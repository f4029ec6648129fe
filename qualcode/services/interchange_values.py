"""Attributes and their values as REFI-QDA variables, both ways.

qualcode stores every attribute value as text under a typed ``AttributeDef``; REFI-QDA types
each variable and each value. The mapping:

=========================  ======================================================
REFI-QDA variable          qualcode attribute
=========================  ======================================================
Text                       text (choice, when its description lists ``Choices:``)
Integer, Float             number (exported as Integer when every value is whole)
Date, DateTime             date (the time of day is not kept)
Boolean                    choice of ``yes`` / ``no``
=========================  ======================================================

A choice attribute other than yes/no travels as a Text variable whose description lists its
choices, one ``- value`` line each under a ``Choices:`` line, so other tools show them and a
round trip restores the choice list.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from qualcode.interop.snapshot import VariableRec, VarValue
from qualcode.models import AttributeDef, AttributeType

CHOICES_HEADER = "Choices:"
YES_NO = ("yes", "no")
ATTRIBUTE_TYPES = {
    "Text": AttributeType.TEXT,
    "Integer": AttributeType.NUMBER,
    "Float": AttributeType.NUMBER,
    "Date": AttributeType.DATE,
    "DateTime": AttributeType.DATE,
    "Boolean": AttributeType.CHOICE,
}


def attribute_type(var: VariableRec) -> tuple[AttributeType, list[str]]:
    """The attribute type and choices for a variable."""
    if var.type == "Boolean":
        return AttributeType.CHOICE, list(YES_NO)
    choices = choices_of(var)
    if choices is not None:
        return AttributeType.CHOICE, choices
    return ATTRIBUTE_TYPES.get(var.type, AttributeType.TEXT), []


def choices_of(var: VariableRec) -> list[str] | None:
    """The choices a ``Choices:`` description lists, or None if it lists none."""
    lines = var.description.split("\n")
    if var.type != "Text" or lines[0].strip() != CHOICES_HEADER:
        return None
    return [line.strip()[2:] for line in lines[1:] if line.strip().startswith("- ")]


def stored_value(value: VarValue) -> str:
    """How a value is stored: ``yes``/``no``, ``3``, ``2.5``, ``2005-06-14``, or the text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def variable_for(attr: AttributeDef, values: Sequence[str]) -> VariableRec:
    """The variable an attribute exports as, given its stored values."""
    if attr.type is AttributeType.NUMBER:
        numbers = [_number(v) for v in values]
        whole = all(isinstance(n, int) for n in numbers if n is not None)
        return VariableRec(attr.guid, attr.name, "Integer" if whole else "Float")
    if attr.type is AttributeType.DATE:
        return VariableRec(attr.guid, attr.name, "Date")
    if attr.type is AttributeType.CHOICE:
        if sorted(c.lower() for c in attr.choices) == sorted(YES_NO):
            return VariableRec(attr.guid, attr.name, "Boolean")
        listed = "\n".join(f"- {choice}" for choice in attr.choices)
        return VariableRec(attr.guid, attr.name, "Text", f"{CHOICES_HEADER}\n{listed}")
    return VariableRec(attr.guid, attr.name, "Text")


def exported_value(var: VariableRec, stored: str) -> VarValue | None:
    """A stored value typed for its variable, or None if it does not fit the type."""
    if var.type in ("Integer", "Float"):
        number = _number(stored)
        if number is None:
            return None
        return number if var.type == "Integer" else float(number)
    if var.type == "Date":
        try:
            return date.fromisoformat(stored.strip()[:10])
        except ValueError:
            return None
    if var.type == "Boolean":
        word = stored.strip().lower()
        return True if word in ("yes", "true") else False if word in ("no", "false") else None
    return stored


def _number(text: str) -> int | float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number

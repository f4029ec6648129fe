"""REFI-QDA variable values: ``<VariableValue><VariableRef/><IntegerValue>3</...>`` and back.

A value's Python type follows its element (``TextValue`` -> str, ``BooleanValue`` -> bool,
``IntegerValue`` -> int, ``FloatValue`` -> float, ``DateValue`` -> date, ``DateTimeValue`` ->
datetime); on export the variable's declared type decides the element and the value is
converted to it.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

from qualcode.interop.snapshot import VARIABLE_TYPES, VarValue

VALUE_ELEMENTS = {f"{kind}Value": kind for kind in VARIABLE_TYPES}


def parse_value(element_name: str, text: str) -> VarValue:
    """The Python value of a typed value element; ``ValueError`` if the text does not fit."""
    kind = VALUE_ELEMENTS.get(element_name)
    text = text.strip() if kind != "Text" else text
    if kind == "Text":
        return text
    if kind == "Boolean":
        if text.lower() in ("true", "1"):
            return True
        if text.lower() in ("false", "0"):
            return False
        raise ValueError(f"{text!r} is not a boolean")
    if kind == "Integer":
        return int(text)
    if kind == "Float":
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text!r} is not a finite number")
        return value
    if kind == "Date":
        return date.fromisoformat(text[:10])
    if kind == "DateTime":
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    raise ValueError(f"{element_name} is not a REFI-QDA value element")


def format_value(var_type: str, value: VarValue) -> tuple[str, str]:
    """``(element name, text)`` for a value of a variable declared as ``var_type``.

    Raises ``ValueError`` when the value cannot be expressed in that type.
    """
    if var_type not in VARIABLE_TYPES:
        raise ValueError(f"unknown variable type {var_type!r}")
    return f"{var_type}Value", _format(var_type, value)


def _format(var_type: str, value: VarValue) -> str:
    if var_type == "Text":
        return value.isoformat() if isinstance(value, date) else _plain(value)
    if var_type == "Boolean":
        if isinstance(value, str):
            value = parse_value("BooleanValue", value)
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a boolean")
        return "true" if value else "false"
    if var_type == "Integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"{value!r} is not an integer")
        return str(int(value))
    if var_type == "Float":
        if isinstance(value, bool | date):
            raise ValueError(f"{value!r} is not a number")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        return format(Decimal(repr(number)), "f")  # xsd:decimal: no exponent
    if var_type == "Date":
        if isinstance(value, str):
            value = date.fromisoformat(value[:10])
        if not isinstance(value, date):
            raise ValueError(f"{value!r} is not a date")
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        raise ValueError(f"{value!r} is not a date and time")
    return value.isoformat()


def _plain(value: VarValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

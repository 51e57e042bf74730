"""Livy's statement outputs, built by pure functions (no Spark, no I/O).

The shapes follow Apache Livy's REPL (facts, not its code):
- ok:    {"status": "ok", "execution_count": N, "data": {mime: value}}
- error: {"status": "error", "execution_count": N, "ename", "evalue", "traceback": [lines]}
- Python: text/plain is the magic's text + stdout + stderr, right-stripped, and is left
  out when empty and another mime type is present. Scala keeps the REPL's text as is
  (with its trailing newline). SQL answers application/json {"schema", "data"}.
- A Python traceback drops the driver's own frames and the statement's top frame,
  as Livy does: what is left is the header, the frames inside user functions and
  the exception line.
"""

import ast
import datetime
import decimal
import json
import math
import traceback as tb_module

TEXT_PLAIN = "text/plain"
APPLICATION_JSON = "application/json"
LIVY_TABLE_JSON = "application/vnd.livy.table.v1+json"
SQL_MAX_ROWS = 1000          # Livy's default (livy.rsc.sql.num-rows)
STATEMENT_FILENAME = "<stdin>"  # the file name user code is compiled under


def ok_output(execution_count, data):
    return {"status": "ok", "execution_count": execution_count, "data": data}


def error_output(execution_count, ename, evalue, traceback):
    return {"status": "error", "execution_count": execution_count, "ename": ename, "evalue": evalue,
            "traceback": list(traceback)}


def python_ok_data(result, stdout, stderr):
    """The data of a Python statement: `result` ({mime: value}, maybe with its own
    text/plain) merged with what the statement printed."""
    data = dict(result or {})
    text = (data.pop(TEXT_PLAIN, "") + stdout + stderr).rstrip()
    if text or not data:
        data[TEXT_PLAIN] = text
    return data


def python_error(exc_type, exc, tb):
    """(ename, evalue, traceback lines) of an exception raised by a statement."""
    lines = tb_module.format_exception(exc_type, exc, tb, chain=False)
    top = f'  File "{STATEMENT_FILENAME}"'
    for i, line in enumerate(lines):
        if line.startswith(top) and line.split("\n", 1)[0].endswith("in <module>"):
            lines = lines[:1] + lines[i + 1:]
            break
    return exc_type.__name__, str(exc), lines


# ----------------------------------------------------------- Python statements --

class Magic:
    """A `%name rest` line of a Python statement."""

    def __init__(self, name, arg):
        self.name, self.arg = name, arg

    def __eq__(self, other):
        return isinstance(other, Magic) and (self.name, self.arg) == (other.name, other.arg)

    def __repr__(self):
        return f"Magic({self.name!r}, {self.arg!r})"


def parse_magic(line):
    name, _, arg = line[1:].partition(" ")
    return Magic(name, arg.strip())


def split_statement(code):
    """The statement as a list of parts: ast.Module for Python code, Magic for a
    `%` line. Code that parses as a whole is one part; otherwise (as Livy) lines
    starting with `%` are magics and the runs between them Python. Raises
    SyntaxError when a Python part does not parse."""
    try:
        return [ast.parse(code, STATEMENT_FILENAME)]
    except SyntaxError:
        if not any(line.startswith("%") for line in code.split("\n")):
            raise
    parts, normal = [], []
    for line in code.rstrip().split("\n"):
        if line.startswith("%"):
            if normal:
                parts.append(ast.parse("\n".join(normal), STATEMENT_FILENAME))
                normal = []
            parts.append(parse_magic(line))
        else:
            normal.append(line)
    if normal:
        parts.append(ast.parse("\n".join(normal), STATEMENT_FILENAME))
    return parts


def split_trailing_expression(module):
    """(code object for all statements but a trailing expression, code object of
    that expression or None)."""
    body, last = module.body, None
    if body and isinstance(body[-1], ast.Expr):
        body, last = body[:-1], ast.Expression(body[-1].value)
    head = compile(ast.Module(body=body, type_ignores=[]), STATEMENT_FILENAME, "exec")
    return head, (compile(last, STATEMENT_FILENAME, "eval") if last is not None else None)


# ---------------------------------------------------------------- JSON values --

def _json_number(value):
    """Non-finite floats become strings, as Spark's own JSON writer does: NaN is not JSON."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def json_value(value, strict=False):
    """A Spark or Python value as JSON: rows become objects, dates ISO strings,
    timestamps UTC millis ISO strings (Livy's json4s default), decimals numbers,
    binary a list of bytes. Unknown types become str(value), or raise TypeError
    when `strict`."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return _json_number(value)
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else _json_number(float(value))
    if isinstance(value, datetime.datetime):
        utc = value.astimezone(datetime.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if hasattr(value, "asDict") and isinstance(value, tuple):  # pyspark Row
        return {k: json_value(v, strict) for k, v in value.asDict().items()}
    if isinstance(value, dict):
        return {str(k): json_value(v, strict) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(v, strict) for v in value]
    if strict:
        raise TypeError(f"cannot json-ify a {type(value).__name__}")
    return str(value)


def sql_data(schema_json, rows):
    """Livy's SQL output data: the DataFrame schema (as Spark writes it) and the rows as lists."""
    return {"schema": json.loads(schema_json), "data": [[json_value(v) for v in row] for row in rows]}


# --------------------------------------------------------------- %table magic --

class TableError(Exception):
    """A %table value whose columns have different types in different rows."""


def _table_cell(value):
    """(Livy table type, JSON value) of one cell; exact types, as Livy looks them up."""
    kind = type(value)
    if value is None:
        return "NULL_TYPE", None
    if kind is bool:
        return "BOOLEAN_TYPE", value
    if kind is int:
        return "INT_TYPE", value
    if kind is float:
        return "DOUBLE_TYPE", _json_number(value)
    if kind is datetime.date:
        return "DATE_TYPE", str(value)
    if kind is datetime.datetime:
        return "TIMESTAMP_TYPE", str(value)
    if kind is decimal.Decimal:
        return "DECIMAL_TYPE", str(value)
    if kind in (list, tuple):
        return "ARRAY_TYPE", _same_typed([_table_cell(v) for v in value])
    if kind is dict:
        keys = _same_typed([_table_cell(k) for k in value])
        values = _same_typed([_table_cell(v) for v in value.values()])
        return "MAP_TYPE", {str(k): v for k, v in zip(keys, values)}
    return "STRING_TYPE", str(value)


def _same_typed(cells):
    if len({t for t, _ in cells}) > 1:
        raise TableError("value has inconsistent types")
    return [v for _, v in cells]


def _row_items(row):
    if hasattr(row, "asDict") and isinstance(row, tuple):
        row = row.asDict()
    if isinstance(row, dict):
        return sorted(row.items(), key=lambda kv: str(kv[0]))
    if isinstance(row, (list, tuple)):
        return list(enumerate(row))
    return [(0, row)]


def table_data(value):
    """The application/vnd.livy.table.v1+json payload of a value (a list of rows,
    each a Row, dict, list/tuple or scalar): {"headers": [{name, type}], "data"}."""
    rows = value if isinstance(value, (list, tuple)) else [value]
    headers, data = {}, []
    for row in rows:
        cols = []
        for name, cell in _row_items(row):
            col_type, col = _table_cell(cell)
            header = headers.setdefault(name, {"name": str(name), "type": col_type})
            if col_type != "NULL_TYPE" and header["type"] != col_type:
                if header["type"] != "NULL_TYPE":
                    raise TableError("table rows have different types")
                header["type"] = col_type
            cols.append(col)
        data.append(cols)
    ordered = sorted(headers.items(), key=lambda kv: (isinstance(kv[0], str), kv[0]))
    return {"headers": [h for _, h in ordered], "data": data}

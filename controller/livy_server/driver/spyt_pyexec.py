"""Python statements: exec in one persistent namespace, with what they print
captured per thread, a trailing expression shown like the Python REPL, and the
%json / %table magics of Livy.

sys.stdout and sys.stderr are replaced once by ThreadRouter: writes from the
thread running a statement go to that statement's buffers, every other write
(the driver's log, threads the statement started) to the process's streams.
"""

import io
import json
import sys
import threading

import spyt_output as out


class ThreadRouter(io.TextIOBase):
    """A text stream that writes to the capture buffer of the current thread, if
    it has one, else to `fallback`."""

    def __init__(self, fallback):
        super().__init__()
        self.fallback = fallback
        self._local = threading.local()

    def capture(self, buffer):
        self._local.buffer = buffer

    def release(self):
        self._local.buffer = None

    def _target(self):
        return getattr(self._local, "buffer", None) or self.fallback

    def write(self, s):
        if isinstance(s, bytes):
            s = s.decode("utf-8", "replace")
        return self._target().write(s)

    def flush(self):
        self._target().flush()

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return self.fallback.fileno()

    @property
    def encoding(self):
        return getattr(self.fallback, "encoding", "utf-8")


def install_routers():
    """Replaces sys.stdout/sys.stderr with ThreadRouters (once) and returns them."""
    if not isinstance(sys.stdout, ThreadRouter):
        sys.stdout = ThreadRouter(sys.stdout)
    if not isinstance(sys.stderr, ThreadRouter):
        sys.stderr = ThreadRouter(sys.stderr)
    return sys.stdout, sys.stderr


class MagicError(Exception):
    """A magic that is unknown or misused; reported with this class's name as ename."""


class UnknownMagic(MagicError):
    pass


# Tracebacks name these classes without a module, as Livy's do.
MagicError.__module__ = UnknownMagic.__module__ = "__main__"


def _run_magic(magic, namespace, materialize):
    if magic.name not in ("json", "table"):
        raise UnknownMagic(f"unknown magic command '{magic.name}'" if magic.name else
                           "magic command not specified")
    if not magic.arg:
        raise MagicError(f"%{magic.name} needs an expression")
    value = materialize(eval(compile(magic.arg, out.STATEMENT_FILENAME, "eval"), namespace))
    if magic.name == "table":
        return {out.LIVY_TABLE_JSON: out.table_data(value)}
    try:
        value = out.json_value(value, strict=True)
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"cannot json-ify the value: {e}") from None
    return {out.APPLICATION_JSON: value}


def _run_parts(parts, namespace, materialize, stdout):
    result = None
    for part in parts:
        if isinstance(part, out.Magic):
            result = _run_magic(part, namespace, materialize)
            continue
        head, tail = out.split_trailing_expression(part)
        exec(head, namespace)
        result = None
        if tail is not None:
            value = eval(tail, namespace)
            if value is not None:  # shown where the REPL shows it: after what the code printed
                stdout.write(repr(value) + "\n")
    return result


def run_python(code, namespace, routers, materialize=lambda v: v):
    """Runs one statement in `namespace` on the calling thread and returns
    ("ok", data) or ("error", (ename, evalue, traceback)). `routers` are the
    ThreadRouters of stdout and stderr; `materialize` turns a magic's value into
    plain data (e.g. a DataFrame into its rows). Never raises, not even for
    KeyboardInterrupt (how a cancel interrupts a statement)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    routers[0].capture(stdout)
    routers[1].capture(stderr)
    try:
        try:
            parts = out.split_statement(code)
        except SyntaxError as e:
            return "error", out.python_error(type(e), e, None)
        try:
            result = _run_parts(parts, namespace, materialize, routers[0])
        except MagicError as e:
            return "error", out.python_error(type(e), e, None)
        except BaseException as e:  # noqa: B036 - user code may raise anything, SystemExit included
            return "error", out.python_error(type(e), e, e.__traceback__)
        return "ok", out.python_ok_data(result, stdout.getvalue(), stderr.getvalue())
    except BaseException as e:  # noqa: B036 - a late KeyboardInterrupt from a cancel lands here
        return "error", (type(e).__name__, str(e), [])
    finally:
        routers[0].release()
        routers[1].release()

"""Run a student's notebook code in a separate, limited process and call into
it.

The grader (trusted) starts one child process per submission with
:class:`Sandbox`. The child runs in its own temporary folder (its working
directory, ``HOME`` and ``TMPDIR``), with a small environment, no standard
input or output, and resource limits it sets on itself before any student code
runs (address space, CPU seconds, file size, no core files); the grader also
enforces a wall-clock deadline and kills the child's whole process group.

Requests go to the child as pickles (grader to child is the safe direction: the
child can only hurt itself with them); replies come back as JSON of **plain
data** only, decoded by :func:`decode` in the grader: ``None``, ``...``, bools,
ints, floats, strings, lists, tuples and str-keyed dicts of them, numpy
scalars, numeric numpy arrays, and pcbook's own dataclasses of such values
(rebuilt as the grader's class). Nothing else can cross, so an object made in
the student's process (a float subclass, an array whose ``==`` is always true,
a patched ``pcbook.check``) never reaches the checks that judge it.
"""

from __future__ import annotations

import base64
import builtins
import dataclasses
import importlib
import json
import os
import pickle
import re
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "Limits",
    "Sandbox",
    "SandboxTimeout",
    "SandboxCrash",
    "Refused",
    "decode",
    "encode",
]

_HEADER = struct.Struct("!Q")
#: largest reply the grader reads from a child (bytes)
MAX_REPLY = 64 * 2**20
_NUMERIC_KINDS = "biuf"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one child: wall-clock seconds per step, memory, file
    size."""

    timeout: float = 120.0  # seconds for the cells, then again for each check
    memory_mb: int = 4096  # address space (RLIMIT_AS)
    cpu_seconds: int = 3600  # total CPU time of the child (RLIMIT_CPU)
    file_mb: int = 64  # largest file the child may write (RLIMIT_FSIZE)

    def __post_init__(self):
        # imported here: the child runs this file as a script and imports no pcbook module
        from pcbook.validate import check_int, check_positive

        check_positive("Limits timeout", self.timeout)
        for name in ("memory_mb", "cpu_seconds", "file_mb"):
            check_int(f"Limits {name}", getattr(self, name), 1)


class SandboxTimeout(BaseException):
    """The child did not answer before the deadline (it has been killed).

    A BaseException, so that it passes through the answer-check wrapper, which
    reports ordinary exceptions as the student's, straight to the grader."""


class SandboxCrash(BaseException):
    """The child process ended, or sent something the grader cannot read."""


class Refused(BaseException):
    """The child returned something that is not plain data."""


# ---------------------------------------------------------------- plain data


def encode(value, depth: int = 0):
    """``value`` as JSON-ready plain data; raises :class:`Refused` for anything
    else."""
    if depth > 32:
        raise Refused("a value nested more than 32 levels deep")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if value is Ellipsis:
        return {"$": "..."}
    if kind is tuple or kind is list:
        items = [encode(v, depth + 1) for v in value]
        return {"$": "tuple", "items": items} if kind is tuple else items
    if isinstance(value, np.generic) and value.dtype.kind in _NUMERIC_KINDS:
        return {"$": "np", "dtype": value.dtype.str, "v": value.item()}
    if kind is np.ndarray and value.dtype.kind in _NUMERIC_KINDS:
        data = np.ascontiguousarray(value).tobytes()
        return {
            "$": "nd",
            "dtype": value.dtype.str,
            "shape": list(value.shape),
            "b64": base64.b64encode(data).decode("ascii"),
        }
    if kind is dict and all(type(k) is str for k in value):
        items = [[k, encode(v, depth + 1)] for k, v in value.items()]
        return {"$": "dict", "items": items}
    book = _book_dataclass(kind)
    if book is not None:
        state = {
            f.name: encode(getattr(value, f.name), depth + 1)
            for f in dataclasses.fields(value)
        }
        return {"$": "dc", "type": book, "fields": state}
    raise Refused(f"an object of type {kind.__name__}")


def _book_dataclass(kind) -> list | None:
    """[module, name] of a dataclass defined in pcbook, else None."""
    module = kind.__dict__.get("__module__")
    if (
        isinstance(module, str)
        and module.split(".")[0] == "pcbook"
        and "__dataclass_fields__" in kind.__dict__
    ):
        return [module, kind.__qualname__]
    return None


def book_object(entry):
    """The grader's own pcbook object [module, qualified name], or None."""
    if not (
        type(entry) is list
        and len(entry) == 2
        and all(type(x) is str for x in entry)
        and re.fullmatch(r"pcbook(\.\w+)*", entry[0])
    ):
        return None
    try:
        obj = importlib.import_module(entry[0])
    except ImportError:
        return None
    for part in filter(None, entry[1].split(".")):
        if not part.isidentifier():
            return None  # a function defined inside another
        obj = getattr(obj, part, None)
    return obj


def _dataclass(obj, depth: int):
    """A pcbook dataclass rebuilt from plain fields (__init__ is not run)."""
    cls = book_object(obj["type"])
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise ValueError("not a pcbook dataclass")
    state = obj["fields"]
    names = {f.name for f in dataclasses.fields(cls)}
    if type(state) is not dict or set(state) != names:
        raise ValueError(f"fields of {cls.__name__} do not match")
    value = object.__new__(cls)
    for key, item in state.items():
        object.__setattr__(value, key, decode(item, depth + 1))
    return value


def _dtype(text) -> np.dtype:
    if not isinstance(text, str) or len(text) > 8:
        raise ValueError("bad dtype")
    dtype = np.dtype(text)
    if dtype.kind not in _NUMERIC_KINDS or dtype.itemsize > 16:
        raise ValueError(f"dtype {dtype} is not numeric")
    return dtype


def _array(obj) -> np.ndarray:
    dtype = _dtype(obj["dtype"])
    shape = obj["shape"]
    if not (
        type(shape) is list
        and len(shape) <= 32
        and all(type(n) is int and n >= 0 for n in shape)
    ):
        raise ValueError("bad array shape")
    data = base64.b64decode(obj["b64"], validate=True)
    if len(data) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise ValueError("array data does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()


def decode(obj, depth: int = 0):
    """The value that :func:`encode` encoded, rebuilt from JSON in the grader's
    process.

    Strict: raises ValueError for anything :func:`encode` cannot have written.
    """
    if depth > 33:
        raise ValueError("too deeply nested")
    kind = type(obj)
    if obj is None or kind in (bool, int, float, str):
        return obj
    if kind is list:
        return [decode(v, depth + 1) for v in obj]
    if kind is dict:
        tag = obj.get("$")
        keys = set(obj)
        if tag == "..." and keys == {"$"}:
            return Ellipsis
        if tag == "tuple" and keys == {"$", "items"}:
            if type(obj["items"]) is not list:
                raise ValueError("bad tuple")
            return tuple(decode(v, depth + 1) for v in obj["items"])
        if tag == "np" and keys == {"$", "dtype", "v"}:
            if type(obj["v"]) not in (bool, int, float):
                raise ValueError("bad numpy scalar")
            return _dtype(obj["dtype"]).type(obj["v"])
        if tag == "nd" and keys == {"$", "dtype", "shape", "b64"}:
            return _array(obj)
        if tag == "dict" and keys == {"$", "items"}:
            pairs = obj["items"]
            if type(pairs) is not list or not all(
                type(p) is list and len(p) == 2 and type(p[0]) is str
                for p in pairs
            ):
                raise ValueError("bad dict")
            return {k: decode(v, depth + 1) for k, v in pairs}
        if tag == "dc" and keys == {"$", "type", "fields"}:
            return _dataclass(obj, depth)
    raise ValueError(f"not plain data: {kind.__name__}")


# ---------------------------------------------------------------- framing


def _write_frame(fd: int, payload: bytes) -> None:
    data = _HEADER.pack(len(payload)) + payload
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise SandboxTimeout("no answer before the deadline")
        chunk = os.read(fd, min(left, 2**20))
        if not chunk:
            raise SandboxCrash("the process ended")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None, limit: int) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > limit:
        raise SandboxCrash(f"a reply of {size} bytes (the limit is {limit})")
    return _read_exact(fd, size, deadline)


# ---------------------------------------------------------------- the child


class _NoIPython:
    """What ``get_ipython()`` returns in the child: magics and shell commands
    do nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _error(err: BaseException) -> dict:
    """A plain description of an exception raised by the student's code."""
    line, message = None, str(err)
    if isinstance(err, SyntaxError):
        line, message = err.lineno, str(err.msg)
    else:
        for frame in traceback.extract_tb(err.__traceback__):
            if frame.filename.startswith("<cell"):
                line = frame.lineno
    return {
        "type": type(err).__name__,
        "builtin": getattr(builtins, type(err).__name__, None) is type(err),
        "message": message[:2000],
        "line": line,
    }


_PCBOOK = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _book_object(value) -> list | None:
    """[module, qualified name] of a pcbook module, function or class, else
    None."""
    if type(value).__name__ == "module":
        name = getattr(value, "__name__", "")
        return [name, ""] if name.split(".")[0] == "pcbook" else None
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if type(module) is str and module.split(".")[0] == "pcbook":
        if type(qualname) is str:
            return [module, qualname]
    return None


def _book_names(func) -> dict:
    """The global names a function's code refers to, and those bound to pcbook
    objects.

    What a check that inspects the student's function statically (does it call
    the package's own answer?) needs to see on the stand-in the grader gives
    it."""
    code = getattr(getattr(func, "__wrapped__", func), "__code__", None)
    names, stack = set(), [code] if code is not None else []
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    scope = getattr(func, "__globals__", {})
    bound = {n: _book_object(scope.get(n)) for n in names}
    return {
        "names": sorted(names)[:1000],
        "bound": {n: b for n, b in bound.items() if b is not None},
    }


class _Child:
    """The request loop of the child process (runs the student's code)."""

    def __init__(self, fd_in: int, fd_out: int, trusted: bool):
        self.fd_in, self.fd_out, self.trusted = fd_in, fd_out, trusted
        self.ns = {"__name__": "__main__", "get_ipython": _NoIPython}

    def send(self, message: dict) -> None:
        _write_frame(self.fd_out, json.dumps(message).encode())

    def run(self, cells) -> dict:
        for index, source in cells:
            self.send({"start": index})
            try:
                exec(compile(source, f"<cell {index}>", "exec"), self.ns)
            except BaseException as err:  # the student's error, reported
                self.send({"cell": index, "error": _error(err)})
            else:
                self.send({"cell": index, "error": None})
        return {"done": True}

    def value(self, expr: str) -> dict:
        try:
            value = eval(expr, self.ns)
        except NameError as err:
            return {"undefined": str(err)}
        except BaseException as err:
            return {"raised": _error(err)}
        if callable(value):
            try:
                return {"function": _book_names(value)}
            except BaseException:
                return {"function": {"names": [], "bound": {}}}
        return self.plain(value)

    def call(self, expr: str, args: tuple, kwargs: dict) -> dict:
        seen = {}

        def profile(frame, event, arg):
            code = frame.f_code
            if event == "call" and code.co_filename.startswith(_PCBOOK):
                name = frame.f_globals.get("__name__", "")
                seen[code] = [name, code.co_qualname]

        try:
            func = eval(expr, self.ns)
            sys.setprofile(profile)
            try:
                result = func(*args, **kwargs)
            finally:
                sys.setprofile(None)
        except BaseException as err:
            return {"raised": _error(err), "book_calls": list(seen.values())}
        reply = self.plain(result)
        reply["args"] = [self.array(a) for a in args]
        reply["book_calls"] = list(seen.values())
        return reply

    @staticmethod
    def array(value):
        """An array argument as the student's function left it (None for other
        values)."""
        try:
            return encode(value) if type(value) is np.ndarray else None
        except Refused:
            return None

    def plain(self, value) -> dict:
        try:
            return {"value": encode(value)}
        except Refused as err:
            return {"refused": str(err)}

    def pickled(self, exprs: list[str]) -> dict:
        """Trusted reference runs only: values the grader needs as context,
        pickled."""
        data = pickle.dumps([eval(e, self.ns) for e in exprs])
        return {"pickle": base64.b64encode(data).decode("ascii")}

    def loop(self) -> None:
        while True:
            request = pickle.loads(_read_frame(self.fd_in, None, 2**40))
            op = request.pop("op")
            if op == "pickled" and not self.trusted:
                reply = {"refused": "pickle"}
            else:
                reply = getattr(self, op)(**request)
            self.send(reply)


def _limit(which: int, value: int) -> None:
    resource.setrlimit(which, (value, value))


def child_main(argv: list[str]) -> None:
    """Entry point of the child: ``fd_in fd_out memory_mb cpu_s file_mb
    trusted``."""
    fd_in, fd_out, memory_mb, cpu_s, file_mb, trusted = map(int, argv)
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_CPU, cpu_s)
    _limit(resource.RLIMIT_FSIZE, file_mb * 2**20)
    _limit(resource.RLIMIT_AS, memory_mb * 2**20)
    sys.argv = ["notebook"]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path = [os.getcwd()] + [p for p in sys.path if p != here]
    _Child(fd_in, fd_out, bool(trusted)).loop()


# ---------------------------------------------------------------- the grader's


def _environment(home: str) -> dict:
    """The child's whole environment: nothing of the teacher's but PATH and the
    locale."""
    keep = {
        k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL") if k in os.environ
    }
    return {
        **keep,
        "HOME": home,
        "TMPDIR": home,
        "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
        "MPLBACKEND": "Agg",
        "PCBOOK_QUIET": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _matplotlib_cache() -> Path:
    """The teacher's matplotlib cache folder (where its font list is)."""
    if os.environ.get("MPLCONFIGDIR"):
        return Path(os.environ["MPLCONFIGDIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "matplotlib"


def _copy_font_list(home: str) -> None:
    """Give the child a copy of matplotlib's font list (building one takes
    seconds)."""
    target = Path(home) / ".matplotlib"
    target.mkdir()
    for path in _matplotlib_cache().glob("fontlist-*.json"):
        shutil.copy(path, target / path.name)


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class Sandbox:
    """One child process with its own temporary folder; use as a context
    manager."""

    def __init__(self, limits: Limits, trusted: bool = False):
        from pcbook.validate import check_bool, check_instance

        check_instance("limits", limits, Limits, "a sandbox.Limits")
        check_bool("trusted", trusted)
        self.limits = limits
        self._closed = False
        self.home = tempfile.mkdtemp(prefix="pcbook-grade-")
        _copy_font_list(self.home)
        to_child, self._to_child = os.pipe()
        self._from_child, from_child = os.pipe()
        self._stderr = open(os.path.join(self.home, ".stderr"), "wb")
        command = [
            sys.executable,
            "-I",
            __file__,  # run as a script: the child imports no pcbook module
            str(to_child),
            str(from_child),
            str(limits.memory_mb),
            str(limits.cpu_seconds),
            str(limits.file_mb),
            str(int(trusted)),
        ]
        self.process = subprocess.Popen(
            command,
            cwd=self.home,
            env=_environment(self.home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            pass_fds=(to_child, from_child),
            start_new_session=True,
        )
        os.close(to_child)
        os.close(from_child)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Kill the child's process group and delete its folder (once)."""
        if self._closed:
            return
        self._closed = True
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._stderr.close()
        shutil.rmtree(self.home, ignore_errors=True)

    def how_it_ended(self) -> str:
        """Why the child is gone, in words (call after a SandboxCrash)."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if code < 0:
            name = _signal_name(code)
            why = {
                "SIGXCPU": " (the CPU-time limit)",
                "SIGXFSZ": " (the file-size limit)",
                "SIGKILL": " (killed, for example when out of memory)",
                "SIGSEGV": " (a crash)",
            }.get(name, "")
            return f"it was killed by {name}{why}"
        return (
            f"it exited with status {code} "
            "(os._exit, sys.exit outside a cell, or a crash)"
        )

    def request(self, deadline: float, **message) -> dict:
        """Send one request and return the child's JSON reply (a dict)."""
        try:
            _write_frame(self._to_child, pickle.dumps(message))
        except (BrokenPipeError, OSError):
            raise SandboxCrash("the process ended") from None
        return self.reply(deadline)

    def reply(self, deadline: float) -> dict:
        """The child's next message; the child is killed if it does not come in
        time."""
        try:
            frame = _read_frame(self._from_child, deadline, MAX_REPLY)
        except SandboxTimeout:
            self.close()
            raise
        try:
            message = json.loads(frame)
        except (ValueError, RecursionError):
            self.close()
            raise SandboxCrash("it sent a reply that is not JSON") from None
        if type(message) is not dict:
            self.close()
            raise SandboxCrash("it sent a reply that is not a JSON object")
        return message

    def run_cells(self, cells, deadline: float, on_start=None) -> dict:
        """Run ``cells`` [(index, source)]; returns {index: error dict or
        None}.

        ``on_start(index)`` is called as each cell starts, so that a timeout or
        a crash can be pinned on the cell that was running."""
        _write_frame(
            self._to_child, pickle.dumps({"op": "run", "cells": list(cells)})
        )
        errors = {}
        while True:
            message = self.reply(deadline)
            if message.get("done") is True:
                return errors
            if type(message.get("start")) is int and on_start is not None:
                on_start(message["start"])
            elif type(message.get("cell")) is int:
                error = message.get("error")
                errors[message["cell"]] = (
                    error if type(error) is dict else None
                )


if __name__ == "__main__":
    child_main(sys.argv[1:])

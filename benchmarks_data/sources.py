"""Where benchmark data comes from: a local file, a data dir, the cache dir, or a public copy.

Resolution order for a dataset file (`locate`):
  1. the benchmark's `data_path` (flag `--data-dir` / `--benchmark PATH`): a file, or a dir laid
     out like the shared data dir (e.g. `<dir>/mbpp/mbpp.jsonl`);
  2. `$CODEHARNESS_DATA_DIR`, laid out the same way;
  3. a public copy (Hugging Face dataset id or release URL), fetched by the caller, unless
     `$CODEHARNESS_OFFLINE` is set.
Readers give DataErrors with file:line, never tracebacks.
"""
from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path
from typing import Callable, Optional

from benchmarks_data.base import DataError

DATA_DIR_ENV = "CODEHARNESS_DATA_DIR"
CACHE_DIR_ENV = "CODEHARNESS_CACHE_DIR"
OFFLINE_ENV = "CODEHARNESS_OFFLINE"


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "codeharness")


def offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")


def locate(data_path: Optional[str], relative: str) -> Optional[str]:
    """The local file for `relative` (e.g. "mbpp/mbpp.jsonl"), or None when no local copy is configured.

    An explicitly given path that does not exist is an error, not a reason to go online.
    """
    if data_path:
        p = Path(data_path).expanduser()
        if p.is_file():
            return str(p)
        if p.is_dir():
            for cand in (p / relative, p / Path(relative).name):
                if cand.is_file():
                    return str(cand)
            raise DataError(f"{p}: no {relative} in this data dir")
        raise DataError(f"{p}: no such file or directory (--data-dir)")
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        p = Path(env).expanduser() / relative
        if not p.is_file():
            raise DataError(f"{p}: not found (${DATA_DIR_ENV}={env})")
        return str(p)
    return None


def missing(name: str, relative: str, why: str = "") -> DataError:
    extra = f" ({why})" if why else ""
    return DataError(f"{name}: no local data{extra}; pass --data-dir DIR or set ${DATA_DIR_ENV} "
                     f"to a dir holding {relative}")


def read_jsonl(path: str) -> list[dict]:
    """Rows of a .jsonl or .jsonl.gz file; a bad line is a DataError naming file:line."""
    return [row for _, row in numbered_jsonl(path)]


def loads_json(text: str):
    """json.loads, where a value JSON allows but Python will not build (an integer past Python's
    int-digits limit, nesting past the recursion limit) is a ValueError naming the top-level field it sits
    in ("field 'completion': ..."), not a bare ValueError or RecursionError. Malformed JSON stays a
    json.JSONDecodeError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as e:
        reason = ("nested too deeply to read" if isinstance(e, RecursionError)
                  else f"an integer longer than Python reads ({sys.get_int_max_str_digits()} digits)")
        key = _field_holding_unreadable(text)
        raise ValueError(f"field {key!r}: {reason}" if key is not None else reason) from None


def _field_holding_unreadable(text: str) -> Optional[str]:
    """The key of the top-level object's member whose value json cannot build, if `text` is an object."""
    decoder, ws = json.JSONDecoder(), " \t\r\n"
    i = len(text) - len(text.lstrip(ws))
    if text[i:i + 1] != "{":
        return None
    i += 1
    try:
        while True:
            while text[i] in ws:
                i += 1
            if text[i] != '"':
                return None
            key, i = json.decoder.scanstring(text, i + 1)
            while text[i] in ws:
                i += 1
            if text[i] != ":":
                return None
            i += 1
            while text[i] in ws:
                i += 1
            try:
                _, i = decoder.raw_decode(text, i)
            except json.JSONDecodeError:
                return None
            except (ValueError, RecursionError):
                return key
            while text[i] in ws:
                i += 1
            if text[i] != ",":
                return None
            i += 1
    except IndexError:
        return None


def numbered_jsonl(path: str) -> list[tuple[int, dict]]:
    """(line number, row) for each non-blank line."""
    opener = gzip.open if path.endswith(".gz") else open
    rows = []
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = loads_json(line)
                except json.JSONDecodeError as e:
                    raise DataError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
                except ValueError as e:
                    raise DataError(f"{path}:{lineno}: {e}") from None
                if not isinstance(row, dict):
                    raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
                rows.append((lineno, row))
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise DataError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    return rows


def read_json_list(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise DataError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None
    except (ValueError, RecursionError) as e:   # a value json can write but Python will not build
        raise DataError(f"{path}: not readable as JSON "
                        f"({'nested too deeply' if isinstance(e, RecursionError) else e})") from None
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON list of problems")
    return data


def required(row: dict, key: str, where: str):
    if key not in row:
        raise DataError(f"{where}: missing field {key!r}")
    return row[key]


# --- public copies (need network; not exercised by the offline test suite) ---------------------

def from_hub(dataset_id: str, split: str, config: Optional[str] = None, name: str = "") -> list[dict]:
    """Rows of a Hugging Face dataset, via `datasets` (its own cache applies)."""
    if offline():
        raise missing(name or dataset_id, "", f"${OFFLINE_ENV} is set, not fetching {dataset_id}")
    try:
        from datasets import load_dataset
        ds = load_dataset(dataset_id, config, split=split)
    except Exception as e:  # network, auth, unknown id: all mean "no data" to the user
        raise DataError(f"{name or dataset_id}: cannot load public dataset {dataset_id!r} ({type(e).__name__}: "
                        f"{str(e)[:200]}); pass --data-dir DIR or set ${DATA_DIR_ENV}") from None
    return [dict(r) for r in ds]


def from_url(url: str, cache_name: str, name: str = "") -> str:
    """Download `url` once into the cache dir; return the local path."""
    dest = cache_dir() / "downloads" / cache_name
    if dest.is_file():
        return str(dest)
    if offline():
        raise missing(name or cache_name, cache_name, f"${OFFLINE_ENV} is set, not fetching {url}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    import urllib.request     # here, not at import: it costs every command ~25 ms of start-up

    try:
        with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
            f.write(r.read())
    except OSError as e:
        raise DataError(f"{name or cache_name}: cannot download {url} ({e}); pass --data-dir DIR or "
                        f"set ${DATA_DIR_ENV}") from None
    tmp.replace(dest)
    return str(dest)


def rows_from(data_path: Optional[str], relative: str, public: Callable[[], list[dict]],
              reader: Callable[[str], list[dict]] = read_jsonl) -> list[dict]:
    """Local rows when configured, else the public copy."""
    path = locate(data_path, relative)
    return reader(path) if path else public()

"""Bundle specifications: ``<compression>-<type>[;key=value...]`` (hg-formats.md §7.8)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

from amalgam.error import InputError

#: user-facing compression name -> bundle compression code
COMPRESSIONS = {"none": "UN", "gzip": "GZ", "bzip2": "BZ", "zstd": "ZS"}
_TYPES = {"v2": "02", "bundle2": "02", "v3": "03"}
_BOOLS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


@dataclass(frozen=True)
class BundleSpec:
    compression: str          # "UN", "GZ", "BZ" or "ZS"
    version: str              # "v2" (HG20)
    cgversion: str            # "02" or "03"
    phases: bool = False
    stream: bool = False      # a stream2 bundle: the store files themselves
    params: dict[str, str] = field(default_factory=dict)


def _hint() -> str:
    return ("use COMPRESSION-v2 or -v3 with COMPRESSION one of "
            f"{', '.join(COMPRESSIONS)} (e.g. zstd-v2)")


def parse(spec: str) -> BundleSpec:
    """Parse *spec*; a bare type means bzip2, a bare compression means v2, like hg."""
    head, *rawparams = spec.split(";")
    params: dict[str, str] = {}
    for item in rawparams:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"invalid bundle specification '{spec}': parameter '{item}' "
                             "has no value", hint="write parameters as key=value")
        params[unquote(key)] = unquote(value)
    comp, sep, kind = head.partition("-")
    if not sep:
        comp, kind = (comp, "v2") if comp in COMPRESSIONS else ("bzip2", comp)
    if comp == "stream" or kind.startswith("stream"):
        raise InputError(f"unsupported bundle type '{spec}'",
                         hint="stream bundles are written with -t 'none-v2;stream=v2'")
    if comp not in COMPRESSIONS:
        raise InputError(f"unknown bundle compression '{comp}' in '{spec}'", hint=_hint())
    if kind not in _TYPES:
        raise InputError(f"unsupported bundle type '{kind}' in '{spec}'", hint=_hint())
    cgversion = params.pop("cg.version", _TYPES[kind])
    if cgversion not in ("02", "03"):
        raise InputError(f"unsupported changegroup version '{cgversion}'",
                         hint="use cg.version=02 or cg.version=03")
    phases_value = params.pop("phases", "yes" if kind == "v3" else "no").lower()
    if phases_value not in _BOOLS:
        raise InputError(f"invalid value '{phases_value}' for bundle parameter 'phases'",
                         hint="use yes or no")
    stream = params.pop("stream", None)
    if stream not in (None, "v2"):
        raise InputError(f"unsupported stream version '{stream}'", hint="use stream=v2")
    if stream and comp != "none":
        raise InputError("stream bundles cannot be compressed",
                         hint="use -t 'none-v2;stream=v2'")
    params.pop("requirements", None)  # hg prints them in specs; we compute our own
    for key in list(params):
        if key not in ("revbranchcache", "tagsfnodescache", "obsolescence"):
            raise InputError(f"unsupported bundle parameter '{key}' in '{spec}'")
    return BundleSpec(COMPRESSIONS[comp], "v2", cgversion, _BOOLS[phases_value], bool(stream),
                      params)

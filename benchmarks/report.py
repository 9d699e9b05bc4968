"""Output: ``RESULTS.md`` (the table) and ``results.json`` beside it."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

from .tools import Tools


def machine(tools: Tools, env: dict[str, str]) -> dict[str, object]:
    """What the numbers were measured on."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass

    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, env=env).stdout
        except OSError:
            return "not installed"
        return out.strip().splitlines()[0] if out.strip() else "unknown"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "ram_bytes": ram,
        "load_average": os.getloadavg(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "hg": version([*tools.hg, "version", "-q"]) + (" (C extensions)" if tools.hg_cext
                                                        else " (pure Python)"),
        "hg_path": tools.hg_source,
        "amg_path": tools.amg_source,
        "tools_mode": tools.mode,
        "git": version([tools.git, "--version"]) if tools.git else "not installed",
        "amg": version([*tools.amg, "version"]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


_MODES = {
    "venv": "each side in its own virtualenv (same base interpreter, no system "
            "site-packages; amg installed non-editable from the working tree)",
    "installed": "the installed tools on PATH (`--installed`)",
}


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _mib(value: int | None) -> str:
    return "—" if value is None else f"{value / 2**20:.0f} MiB"


def _cell(side: dict | str | None) -> str:
    if side is None:
        return "—"
    if isinstance(side, str):
        return side
    return (f"{_seconds(side['median'])} ({_seconds(side['min'])}–"
            f"{_seconds(side['max'])}, n={side['runs']})")


def markdown(rows: list[dict], info: dict[str, object], repos: dict[str, dict],
             command: str) -> str:
    ram = info["ram_bytes"]
    lines = [
        "# Benchmark results: amg vs hg, side by side",
        "",
        f"Reproduce: `{command}` (from the repository root).",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, "
        f"{(ram or 0) / 2**30:.1f} GiB RAM, {info['os']}; Python {info['python']}; "
        f"{info['hg']}; {info['git']}; amg: {info['amg']}. "
        f"Written {info['date']}, load average then {info['load_average'][0]:.2f} "
        "(the machine is shared: compare ratios, not absolute times).",
        "",
        f"Tools: {_MODES[str(info['tools_mode'])]}; "
        f"amg {info['amg_path']}, hg {info['hg_path']}.",
        "",
        "A = amg unless the scenario says otherwise, B = hg 7.2.4. Times are medians "
        "(min–max, n counted runs) after warm-up; A and B ran interleaved, and "
        "A/B is the median of the per-round ratios. RSS is the peak resident set "
        "of the child (`os.wait4`). Floors are for perspective only.",
        "",
        "| scenario | A median | B median | A/B | A RSS | B RSS | floors | target | met? |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        a, b = row["a"], row["b"]
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "—"
        floors = "; ".join(f"{label} {_seconds(f['median'])}"
                           for label, f in row["floors"].items()) or "—"
        lines.append(
            f"| {row['name']} | {_cell(a)} | {_cell(b)} | {ratio} | "
            f"{_mib(a['peak_rss']) if isinstance(a, dict) else '—'} | "
            f"{_mib(b['peak_rss']) if isinstance(b, dict) else '—'} | {floors} | "
            f"{row['target']} | {row['met']} |")
    lines += ["", "## Notes", "",
              "- Scenarios whose amg command is not implemented yet show `n/a` and record "
              "hg's figure from at most 3 runs as a reference; they light up by "
              "themselves when the command lands in `amalgam.commands.TABLE`.",
              "- `update/big` and `addcommit/big` rebuild their state in an untimed setup "
              "before every run (`hg update null`; removing `.hg`/`.git` and `init`) and "
              "run `--heavy-runs` times after the usual warm-up.",
              "- `storage/*` and `write/*` rows are timed inside a child Python process "
              "(amg side through `amalgam.repo`/`amalgam.storage`, hg side through "
              "`mercurial`'s API with its C extensions); interpreter start-up and imports "
              "are excluded, peak RSS covers the whole child.",
              "- Repositories are generated deterministically (`benchmarks/streams.py`) "
              "through amg's commit API (hg's `memctx` until amg's lands), then the "
              "working copies of `small` and `big` are checked out with ONE `hg update` "
              "call; the git equivalents come from one `git fast-import` of the same stream.",
              "", "## Repositories", ""]
    for name, meta in repos.items():
        facts = ", ".join(f"{k}={meta[k]}" for k in
                          ("backend", "files", "tip", "hot_file", "hot_file_revisions",
                           "generate_seconds") if k in meta)
        lines.append(f"- **{name}**: {facts}")
    return "\n".join(lines) + "\n"

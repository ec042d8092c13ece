"""The sitegen command line as a user runs it, plus one last line with the build's phases.

    python bench/phases.py build --no-search      (any `sitegen` arguments)

prints, after the command's own output, `PHASES {"read": 1.2, ..., "cpu": 20.3, "load": 3.1}`:
each step's wall seconds as the build reports them, the CPU seconds (user + system) of this
process and the workers it waited for, and the load average over the last minute when the
build ended. With PHASES_CPU=1 the steps are timed in CPU seconds of the building process
instead (work done by worker processes then left out): on a busy machine wall seconds say
more about the neighbours than about the build. It imports whichever sitegen comes first on the path, so the same line can
time another checkout (PYTHONPATH=/path/to/checkout).
"""

from __future__ import annotations

import atexit
import json
import os
import resource
import time
import types

from sitegen.site import build

_reports: list = []
_build_site = build.build_site


def _recording_build_site(*args, **kwargs):
    report = _build_site(*args, **kwargs)
    _reports.append(report)
    return report


def _print_phases() -> None:
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    phases = {name: round(seconds, 3) for name, seconds in (_reports[-1].phases if _reports else {}).items()}
    phases["cpu"] = round(sum(u.ru_utime + u.ru_stime for u in usage), 2)
    phases["load"] = os.getloadavg()[0]
    print("PHASES " + json.dumps(phases, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    build.build_site = _recording_build_site  # the command looks it up when it runs
    if os.environ.get("PHASES_CPU") == "1":  # the build times its steps with time.perf_counter
        build.time = types.SimpleNamespace(perf_counter=time.process_time)
    atexit.register(_print_phases)
    from sitegen.cli import main

    main(prog_name="sitegen")

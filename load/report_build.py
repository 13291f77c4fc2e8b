"""The board report's build, timed: the active strategy's 2022/23 Q3 report, as
report_build makes it (the HTML, then the tagged PDF), minus storing the file.

    python load/report_build.py   (DATABASE_URL: the load database)

Run by load_test.py in a fresh interpreter after the load, so the report holds every
update the officers stored. Prints one JSON line: pages, seconds (HTML and PDF, not
the interpreter's start) and the process's peak resident memory in MB (VmHWM, which
exec resets, unlike getrusage's maxrss).
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ictstrategy.settings")

import django  # noqa: E402

django.setup()

from core.quarters import Quarter  # noqa: E402
from reporting import pdf, services  # noqa: E402
from reporting.models import BoardReport  # noqa: E402
from themes import selectors  # noqa: E402

QUARTER = Quarter(2022, 3)


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    report = BoardReport(strategy=selectors.active_strategy(), period=QUARTER.code)
    begin = time.perf_counter()
    rendered = pdf.render(services.report_html(report))
    seconds = time.perf_counter() - begin
    print(
        json.dumps(
            {
                "quarter": QUARTER.label,
                "pages": rendered.page_count,
                "seconds": round(seconds, 2),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )

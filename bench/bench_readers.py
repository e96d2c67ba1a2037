"""The readers alone (no graph): the synthetic ecoinvent-sized database (bench/synthetic_database.py,
20,000 processes, 600,000 exchanges) read from JSON-LD (one zip) and from EcoSpold2 (one .spold per
activity), serially and with the worker pools (loaders/jsonld_pool.py, loaders/ecospold2_pool.py).

    .venv/bin/python bench/bench_readers.py [--dir DIR] [--workers 2]

The files are written once into --dir (not timed). Columns: wall time, CPU of the main process,
CPU of the workers (RUSAGE_CHILDREN). The machine is shared: wall times vary with its load.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic_database import synthetic_database
from bench.synthetic_ecospold2 import write_ecospold2
from lcagraph.records import Database, DatabaseContent
from loaders.ecospold2 import read_ecospold2
from loaders.exporters.jsonld import write_jsonld
from loaders.jsonld import read_jsonld


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, read: Callable[[], DatabaseContent]) -> None:
    wall, cpu, kids = time.perf_counter(), time.process_time(), children_cpu()
    content = read()
    spent, main_cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {label:<28} {spent:6.1f} s wall  {main_cpu:6.1f} s CPU main  "
          f"{children_cpu() - kids:6.1f} s CPU workers  ({len(content.exchanges):,} exchanges)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lcg-readers-") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        package, spold = folder / "synthetic_jsonld.zip", folder / "spold"
        if not package.exists() or not spold.is_dir():
            content = synthetic_database()
            write_jsonld(content, package)
            write_ecospold2(content, spold)
        db = Database("synthetic", "synthetic")
        print(f"readers on the synthetic database ({args.workers} workers where pooled):")
        timed("JSON-LD, serial", lambda: read_jsonld(package, db, workers=1))
        timed("JSON-LD, pool", lambda: read_jsonld(package, db, workers=args.workers))
        timed("EcoSpold2, serial", lambda: read_ecospold2(spold, db, workers=1))
        timed("EcoSpold2, pool", lambda: read_ecospold2(spold, db, workers=args.workers))


if __name__ == "__main__":
    main()

"""EcoSpold2 import of the synthetic ecoinvent-sized database: lcagraph vs bw2io + bw2data on the
same files.

    .venv/bin/python bench/bench_ecospold2.py [--processes 20000] [--exchanges 600000]
        [--folder DIR] [--bw-python /path/to/venv/bin/python]

The records of bench/synthetic_database.py are written as one ``.spold`` per activity
(bench/synthetic_ecospold2.py; not timed, kept in --folder). lcagraph imports the folder into a
fresh embedded FalkorDB (api/services/importing.py: read, link, write, characterise in one unit
of work); bw2io's SingleOutputEcospold2Importer imports it into a fresh bw2data project in its
own environment (``--bw-python``: a venv with bw2io and bw2data; bench/bw2io_import.py), skipped
when none is given. Wall times on a shared 2-core machine vary with its load.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.services.importing import import_database
from bench.synthetic_database import synthetic_database
from bench.synthetic_ecospold2 import write_ecospold2
from graph.connect import open_embedded


def lcagraph_import(folder: Path) -> dict[str, float]:
    phases: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lcg-es2-") as tmp:
        store = open_embedded(Path(tmp) / "graph")
        store.ensure_schema()
        last = time.perf_counter()
        start, cpu = last, time.process_time()

        def step(name: str, _rows: int) -> None:
            nonlocal last
            now = time.perf_counter()
            phases[name] = now - last
            last = now

        report = import_database(store, folder, "synthetic", fmt="ecospold2", progress=step)
        phases["total"] = time.perf_counter() - start
        phases["cpu_main"] = time.process_time() - cpu
        phases["exchanges"] = report.exchanges
        store.close()
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--exchanges", type=int, default=600_000)
    parser.add_argument("--folder", type=Path, help="where the .spold files are kept (written if empty)")
    parser.add_argument("--bw-python", help="python of a venv with bw2io and bw2data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lcg-es2-files-") as tmp:
        folder = args.folder or Path(tmp) / "spold"
        if not folder.is_dir() or not any(folder.glob("*.spold")):
            start = time.perf_counter()
            count = write_ecospold2(synthetic_database(args.processes, args.exchanges), folder)
            spent = time.perf_counter() - start
            print(f"wrote {count:,} .spold files to {folder} in {spent:.1f} s (not timed)")
        ours = lcagraph_import(folder)
        steps = " + ".join(f"{k} {v:.1f}" for k, v in ours.items()
                           if k not in ("total", "cpu_main", "exchanges"))
        print(f"lcagraph  EcoSpold2 import: {ours['total']:6.1f} s wall ({steps}); "
              f"{ours['cpu_main']:.1f} s CPU in the importing process; {int(ours['exchanges']):,} exchanges")
        if args.bw_python:
            script = str(Path(__file__).with_name("bw2io_import.py"))
            done = subprocess.run([args.bw_python, script, str(folder)], check=True, capture_output=True,
                                  text=True)
            bw = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"bw2io     EcoSpold2 import: {bw['total']:6.1f} s wall (read {bw['read']:.1f} + link "
                  f"{bw['link']:.1f} + write {bw['write']:.1f}; biosphere set-up {bw['biosphere']:.1f} "
                  "not counted); "
                  f"{bw['cpu_main']:.1f} s CPU in the main process; {bw['activities']:,} activities, "
                  f"{bw['exchanges']:,} exchanges")


if __name__ == "__main__":
    main()

"""bw2io + bw2data side of bench/bench_ecospold2.py: import a folder of EcoSpold2 files the way
Brightway users import ecoinvent, and print the phase times as one JSON line.

    <venv with bw2io, bw2data>/bin/python bench/bw2io_import.py FOLDER

Runs in its own environment (bw2io pins versions lcagraph does not use) with a throw-away project
folder (BRIGHTWAY2_DIR in a temporary directory). Phases: ``read`` = SingleOutputEcospold2Importer
(bw2io's extractor, a multiprocessing pool over the files, one worker per CPU); ``biosphere`` =
writing the elementary flows the files use as the biosphere database (ecoinvent users have
biosphere3 already: reported apart, not in the total); ``link`` = apply_strategies; ``write`` =
write_database (SQLite + processed arrays). Unlinked exchanges (the cut-offs) are dropped.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time


def main() -> None:
    folder = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="bw-bench-") as tmp:
        os.environ["BRIGHTWAY2_DIR"] = tmp
        import bw2data as bd
        from bw2io import SingleOutputEcospold2Importer

        bd.projects.set_current("bench")
        times: dict[str, float] = {}
        cpu = time.process_time()
        start = time.perf_counter()
        importer = SingleOutputEcospold2Importer(
            folder, "synthetic", biosphere_database_name="bench-biosphere")
        times["read"] = time.perf_counter() - start
        start = time.perf_counter()
        flows = {}
        for ds in importer.data:
            for exc in ds["exchanges"]:
                if exc["type"] == "biosphere":
                    flows[exc["flow"]] = {"name": exc["name"], "unit": exc.get("unit", ""),
                                          "categories": tuple(exc.get("categories") or ()),
                                          "type": "emission"}
        bd.Database("bench-biosphere").write({("bench-biosphere", k): v for k, v in flows.items()})
        times["biosphere"] = time.perf_counter() - start
        start = time.perf_counter()
        importer.apply_strategies()
        importer.drop_unlinked(i_am_reckless=True)
        times["link"] = time.perf_counter() - start
        start = time.perf_counter()
        importer.write_database()
        times["write"] = time.perf_counter() - start
        db = bd.Database("synthetic")
        exchanges = sum(len(ds["exchanges"]) for ds in importer.data)
        print(json.dumps({**times, "total": times["read"] + times["link"] + times["write"],
                          "cpu_main": time.process_time() - cpu, "activities": len(db),
                          "exchanges": exchanges}))


if __name__ == "__main__":
    main()

"""Regenerate loaders/data/olca_units.json from the USLCI FY17 Q4 JSON-LD unit groups.

The openLCA reference unit groups are shared by every openLCA database; JSON-LD 2.x packages
that ship no unit groups refer to them by UUID, so lcagraph carries this table built in.
Usage: python scripts/make_unit_table.py [path/to/uslci_fy17q4_jsonld.zip]
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    default = ROOT.parent / "shared/data/uslci/uslci_fy17q4_jsonld.zip"
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    groups, props = [], []
    with zipfile.ZipFile(src) as zf:
        for name in sorted(zf.namelist()):
            if name.startswith("unit_groups/") and name.endswith(".json"):
                d = json.loads(zf.read(name))
                units = [
                    {
                        "id": u["@id"],
                        "name": u["name"],
                        "factor": float(u.get("conversionFactor", 1.0)),
                        "reference": bool(u.get("referenceUnit", False)),
                        "synonyms": list(u.get("synonyms", [])),
                    }
                    for u in d.get("units", [])
                ]
                groups.append({
                    "id": d["@id"],
                    "name": d["name"],
                    "default_property": (d.get("defaultFlowProperty") or {}).get("@id", ""),
                    "units": units,
                })
            elif name.startswith("flow_properties/") and name.endswith(".json"):
                d = json.loads(zf.read(name))
                props.append({"id": d["@id"], "name": d["name"], "unit_group": d["unitGroup"]["@id"]})
    out = ROOT / "loaders/data/olca_units.json"
    table = {"source": "USLCI FY17 Q4 JSON-LD (CC0), unit_groups/ and flow_properties/",
             "unit_groups": groups, "flow_properties": props}
    out.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
    units = sum(len(g["units"]) for g in groups)
    print(f"wrote {out}: {len(groups)} unit groups, {units} units, {len(props)} flow properties")


if __name__ == "__main__":
    main()

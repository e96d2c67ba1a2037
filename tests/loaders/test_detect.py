"""loaders.detect and loaders.xml: formats from content, EcoSpold1 refused, unsafe XML refused."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from lcagraph.config import find_data_dir
from lcagraph.errors import MalformedDataset, UnsafeArchive, UnsupportedFormat
from loaders.detect import detect_format, detect_supported_format
from loaders.ecospold2 import read_ecospold2
from loaders.ilcd import read_ilcd
from loaders.xml import parse_xml

DATA = find_data_dir()

ECOSPOLD1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold01" validationId="1">
  <dataset number="1" generator="openLCA">
    <metaInformation><processInformation>
      <referenceFunction name="Diesel, at refinery" unit="l" amount="1" category="Petroleum"/>
    </processInformation></metaInformation>
    <flowData><exchange number="1" name="Diesel, at refinery" unit="l" meanValue="1">
      <outputGroup>0</outputGroup></exchange></flowData>
  </dataset>
</ecoSpold>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02"><activityDataset>&lol4;</activityDataset></ecoSpold>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<processDataSet xmlns="http://lca.jrc.it/ILCD/Process">&secret;</processDataSet>
"""


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(("relative", "expected"), [
    ("uslci/uslci_fy18q1_ecospold2.zip", "ecospold2"),
    ("uslci/uslci_fy17q4_jsonld.zip", "jsonld"),
    ("flcac/uslci-transport_v1.1_jsonld.zip", "jsonld"),
    ("methods/fedefl_ipcc_v1.0.3_jsonld.zip", "jsonld"),
    ("samples/jsonld/beef-cattle-finishing", "jsonld"),
    ("samples/ilcd/ilcd_example.zip", "ilcd"),
    ("samples/ilcd/olca_abs_granulate", "ilcd"),
    ("samples/ecospold2/sample_ecospold2.xml", "ecospold2"),
])
def test_real_data(relative: str, expected: str) -> None:
    assert detect_format(DATA / relative) == expected


def test_content_wins_over_name(tmp_path: Path) -> None:
    lying = tmp_path / "release_ecospold2.zip"
    shutil.copy(DATA / "samples/ilcd/ilcd_example.zip", lying)
    assert detect_format(lying) == "ilcd"
    spold_named_json = tmp_path / "dataset.json"
    shutil.copy(DATA / "samples/ecospold2/sample_ecospold2.xml", spold_named_json)
    assert detect_format(spold_named_json) == "ecospold2"


def test_ecospold1_in_a_zip_named_ecospold2(tmp_path: Path) -> None:
    z = _zip(tmp_path / "uslci_fy18_q1_01_olca1_5_ecospold2.zip", {"Diesel_at_refinery.xml": ECOSPOLD1})
    assert detect_format(z) == "ecospold1"
    with pytest.raises(UnsupportedFormat, match=r"EcoSpold1.*EcoSpold01.*not EcoSpold2"):
        detect_supported_format(z)
    with pytest.raises(UnsupportedFormat, match=r"Diesel_at_refinery\.xml holds EcoSpold1"):
        read_ecospold2(z, "USLCI")


def test_unknown_content(tmp_path: Path) -> None:
    z = _zip(tmp_path / "x.zip", {"readme.txt": b"hello", "data.csv": b"a,b\n1,2\n"})
    with pytest.raises(UnsupportedFormat, match=r"found no JSON-LD, EcoSpold2 or ILCD datasets.*2 files"):
        detect_format(z)
    with pytest.raises(MalformedDataset, match="no such file"):
        detect_format(tmp_path / "missing.zip")


UTF16_BOMB = BILLION_LAUGHS.decode().encode("utf-16")  # no ASCII "<!DOCTYPE" in the bytes


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY, UTF16_BOMB])
def test_entity_declarations_refused_naming_the_file(tmp_path: Path, payload: bytes) -> None:
    z = _zip(tmp_path / "bomb.zip", {"datasets/evil.spold": payload})
    with pytest.raises(UnsafeArchive, match=r"bomb\.zip!datasets/evil\.spold.*DTD or entity"):
        detect_format(z)
    with pytest.raises(UnsafeArchive, match=r"evil\.spold"):
        read_ecospold2(z, "x")
    folder = tmp_path / "ilcd" / "processes"
    folder.mkdir(parents=True)
    (folder / "evil.xml").write_bytes(payload)
    with pytest.raises(UnsafeArchive, match=r"processes/evil\.xml"):
        read_ilcd(tmp_path / "ilcd", "x")


def test_readers_refuse_other_formats() -> None:
    with pytest.raises(UnsupportedFormat, match="no EcoSpold2 activity datasets"):
        read_ecospold2(DATA / "samples/ilcd/ilcd_example.zip", "x")
    with pytest.raises(UnsupportedFormat, match="no EcoSpold2 activity datasets"):
        read_ecospold2(DATA / "samples/jsonld/beef-cattle-finishing", "x")
    with pytest.raises(UnsupportedFormat, match="no ILCD datasets"):
        read_ilcd(DATA / "samples/ecospold2/sample_ecospold2.xml", "x")


def test_malformed_xml_names_the_file(tmp_path: Path) -> None:
    z = _zip(tmp_path / "broken.zip", {"a.spold": b"<ecoSpold><activityDataset></ecoSpold>"})
    with pytest.raises(MalformedDataset, match=r"broken\.zip!a\.spold.*not well-formed XML at line 1"):
        read_ecospold2(z, "x")


def test_parse_keeps_bom_and_strips_namespaces() -> None:
    data = (DATA / "samples/ecospold2/sample_ecospold2.xml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    root = parse_xml(data, "sample")
    assert root.tag == "ecoSpold"
    assert root.find("activityDataset/activityDescription/activity") is not None
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><a>Zürich</a>'.encode("latin-1")
    assert parse_xml(latin, "latin").text == "Zürich"

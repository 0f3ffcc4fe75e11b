"""GetCapabilities parameters of WMS and WMTS: UPDATESEQUENCE in both, and
the OWS Common parameters AcceptVersions, Sections and AcceptFormats of the
WMTS KVP form, with the exception codes of each standard."""

import unittest
import xml.etree.ElementTree as ET
from urllib.parse import quote

import harness

WMS = "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION="
WMTS = "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"
OWS = "{http://www.opengis.net/ows/1.1}"
WMTS_NS = "{http://www.opengis.net/wmts/1.0}"


def ows_exception(test, response, code, locator):
    """Assert an OWS ExceptionReport with `code` and `locator`; return its text."""
    test.assertEqual(response.status, 400, response.describe())
    root = ET.fromstring(response.body)
    test.assertEqual(root.tag, OWS + "ExceptionReport", response.describe())
    exception = root.find(OWS + "Exception")
    test.assertEqual(exception.get("exceptionCode"), code, response.describe())
    test.assertEqual(exception.get("locator"), locator, response.describe())
    return exception.findtext(OWS + "ExceptionText")


class CapabilitiesParameters(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = harness.server()

    def sequence(self, path):
        response = self.srv.get(path)
        self.assertEqual(response.status, 200, response.describe())
        value = ET.fromstring(response.body).get("updateSequence")
        self.assertIsNotNone(value, "no updateSequence in " + path)
        self.assertTrue(value.isdigit(), value)
        return int(value)

    def test_wms_update_sequence(self):
        for version in ("1.3.0", "1.1.1"):
            with self.subTest(version=version):
                path = WMS + version
                current = self.sequence(path)
                self.assertEqual(self.sequence(path), current)
                for lower in (current - 1, 0, -5):
                    older = self.srv.get(f"{path}&UPDATESEQUENCE={lower}")
                    self.assertEqual(older.status, 200, older.describe())
                    self.assertIn(b"<Capability>", older.body)
                _, locator, text = harness.service_exception(
                    self, self.srv.get(f"{path}&UPDATESEQUENCE={current}"),
                    "CurrentUpdateSequence")
                self.assertEqual(locator, "UPDATESEQUENCE")
                self.assertIn(str(current), text)
                for value in (current + 1, "abc", "1.5", "+5", "-", "0x10"):
                    response = self.srv.get(f"{path}&updatesequence={quote(str(value))}",
                                            headers={"Accept-Language": "en"})
                    _, locator, text = harness.service_exception(
                        self, response, "InvalidUpdateSequence")
                    self.assertEqual(locator, "UPDATESEQUENCE")
                    self.assertIn(f'"{value}"', text)

    def test_wmts_update_sequence(self):
        current = self.sequence(WMTS)
        self.assertEqual(self.sequence("/wmts/1.0.0/WMTSCapabilities.xml"), current)
        self.assertEqual(self.sequence(WMS + "1.3.0"), current)
        older = self.srv.get(f"{WMTS}&UpdateSequence={current - 1}")
        self.assertEqual(older.status, 200, older.describe())
        self.assertIsNotNone(ET.fromstring(older.body).find(WMTS_NS + "Contents"))
        # An equal sequence gets the root element alone (OWS Common 1.1).
        same = self.srv.get(f"{WMTS}&UpdateSequence={current}")
        self.assertEqual(same.status, 200, same.describe())
        root = ET.fromstring(same.body)
        self.assertEqual(root.tag, WMTS_NS + "Capabilities")
        self.assertEqual(root.get("version"), "1.0.0")
        self.assertEqual(root.get("updateSequence"), str(current))
        self.assertEqual(len(root), 0)
        for value in (current + 1, "soon"):
            text = ows_exception(self, self.srv.get(f"{WMTS}&UPDATESEQUENCE={value}"),
                                 "InvalidUpdateSequence", "UpdateSequence")
            self.assertIn(f'"{value}"', text)

    def test_wmts_accept_versions(self):
        for versions in ("2.0.0,1.0.0", "1.0.0,", "", ",,"):
            accepted = self.srv.get(f"{WMTS}&AcceptVersions={versions}")
            self.assertEqual(accepted.status, 200, accepted.describe())
        text = ows_exception(self, self.srv.get(f"{WMTS}&AcceptVersions=2.0.0,1.1.0"),
                             "VersionNegotiationFailed", "AcceptVersions")
        self.assertIn("2.0.0,1.1.0", text)

    def test_wmts_sections(self):
        names = ("ServiceIdentification", "ServiceProvider", "OperationsMetadata")
        cases = {
            "ServiceIdentification,Contents": {"ServiceIdentification", "Contents"},
            "OperationsMetadata": {"OperationsMetadata"},
            "Themes": set(),
            ",Contents,,": {"Contents"},
            ",,": set(names) | {"Contents", "ServiceMetadataURL"},
            "All": set(names) | {"Contents", "ServiceMetadataURL"},
        }
        for sections, expected in cases.items():
            with self.subTest(sections=sections):
                response = self.srv.get(f"{WMTS}&Sections={sections}")
                self.assertEqual(response.status, 200, response.describe())
                children = {child.tag.split("}")[-1] for child in ET.fromstring(response.body)}
                self.assertEqual(children, expected)
        text = ows_exception(self, self.srv.get(f"{WMTS}&Sections=Contents,Layers"),
                             "InvalidParameterValue", "Sections")
        self.assertIn("Contents,Layers", text)

    def test_wmts_accept_formats(self):
        cases = {"text/xml": "text/xml", "application/xml,text/xml": "application/xml",
                 "application/json": "application/xml"}
        for formats, expected in cases.items():
            with self.subTest(formats=formats):
                response = self.srv.get(f"{WMTS}&AcceptFormats={formats}")
                self.assertEqual(response.status, 200, response.describe())
                self.assertEqual(response.header("content-type"), expected)


if __name__ == "__main__":
    harness.main()

"""Records linked to restricted features, on the Can Tho sample.

samples/vnsdi.yaml links legal documents and inspections to parcels by
MaThua, and parcels back to both. A document whose MaThua is the key of a
parcel dropped for a restricted area tells what that parcel was, so it must
be dropped as well, whether or not it has a geometry. The expected sets are
computed here with OGR from the generated GeoPackage, independently of the
server; the controls show that records linked to served parcels stay.
"""

import json
import os
import shutil
import unittest
import urllib.parse

import harness
import secrecy_util as su

GPKG = "cantho_sample.gpkg"
ID_ATTRIBUTE = {"parcels": "MaThua", "legal_documents": "MaVanBan",
                "inspections": "MaVuViec"}
# (layer, key, target layer, target key) as declared in samples/vnsdi.yaml.
LINKS = [("parcels", "MaThua", "legal_documents", "MaThua"),
         ("parcels", "MaThua", "inspections", "MaThua"),
         ("legal_documents", "MaThua", "parcels", "MaThua"),
         ("inspections", "MaThua", "parcels", "MaThua")]


class LinkedSecrecy(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(harness.workdir(), "sample")
        cls.data = os.path.join(cls.root, "data")
        os.makedirs(cls.root)
        result = harness.run([os.path.join(harness.BUILD, "vnsdi-samplegen"), cls.data],
                             timeout=300)
        if result.returncode != 0:
            raise RuntimeError("vnsdi-samplegen failed: " + result.stderr[-2000:])
        cls.config = os.path.join(cls.root, "vnsdi.yaml")
        shutil.copyfile(os.path.join(harness.SOURCE, "samples", "vnsdi.yaml"), cls.config)
        cls.gpkg = os.path.join(cls.data, GPKG)
        cls.area = su.polygon_crs84(cls.gpkg, "restricted_areas")
        cls.records = {layer: [(items, g) for items, g, _ in su.layer_features(cls.gpkg, layer)]
                       for layer in ID_ATTRIBUTE}
        cls.geometry_dropped, cls.linked = cls.expected_drops()
        cls.srv = harness.start_server(cls.config, harness.free_port())

    @classmethod
    def expected_drops(cls):
        """Ids dropped for their geometry, and ids dropped through links."""
        dropped = {}
        for layer, records in cls.records.items():
            dropped[layer] = {items[ID_ATTRIBUTE[layer]] for items, g in records
                              if g is not None and g.Intersects(cls.area)}
        geometry = {layer: set(ids) for layer, ids in dropped.items()}
        changed = True
        while changed:
            changed = False
            for layer, key, target, target_key in LINKS:
                keys = {str(items[target_key]) for items, _ in cls.records[target]
                        if items[ID_ATTRIBUTE[target]] in dropped[target]
                        and items[target_key] is not None}
                for items, _ in cls.records[layer]:
                    fid = items[ID_ATTRIBUTE[layer]]
                    if fid not in dropped[layer] and str(items[key]) in keys:
                        dropped[layer].add(fid)
                        changed = True
        linked = {layer: dropped[layer] - geometry[layer] for layer in dropped}
        return geometry, linked

    def dropped_parcel_keys(self):
        return sorted(self.geometry_dropped["parcels"])

    def test_sample_has_linked_records(self):
        # The sample must exercise the rule: documents of dropped parcels.
        self.assertEqual(len(self.geometry_dropped["parcels"]), 4)
        self.assertGreaterEqual(len(self.linked["legal_documents"]), 1)

    def test_items_by_dropped_parcel_key(self):
        for key in self.dropped_parcel_keys():
            for layer in ("legal_documents", "inspections"):
                with self.subTest(layer=layer, MaThua=key):
                    r = self.srv.get(f"/collections/{layer}/items?f=json&MaThua={key}")
                    self.assertEqual(r.status, 200, r.describe())
                    self.assertEqual(r.json()["features"], [], r.describe())
                    self.assertEqual(r.json()["numberMatched"], 0)

    def test_linked_records_never_listed(self):
        for layer in ("legal_documents", "inspections", "parcels"):
            with self.subTest(layer=layer):
                ids, matched = su.all_item_ids(self, self.srv, layer)
                self.assertEqual(matched, len(ids))
                self.assertFalse(set(ids) & self.linked[layer])
                expected = len(self.records[layer]) - len(self.geometry_dropped[layer]) \
                    - len(self.linked[layer])
                self.assertEqual(len(ids), expected)
                for fid in self.linked[layer]:
                    r = self.srv.get(f"/collections/{layer}/items/{fid}?f=json")
                    self.assertEqual(r.status, 404, r.describe())

    def test_cql2_filter_by_dropped_key(self):
        keys = ",".join(str(k) for k in self.dropped_parcel_keys())
        query = urllib.parse.quote(f"MaThua IN ({keys})")
        r = self.srv.get(f"/collections/legal_documents/items?f=json&filter={query}")
        self.assertEqual(r.status, 200, r.describe())
        self.assertEqual(r.json()["features"], [])

    def test_control_served_parcel_keeps_documents(self):
        served = {items["MaThua"] for items, _ in self.records["legal_documents"]
                  if items["MaVanBan"] not in self.geometry_dropped["legal_documents"]
                  and items["MaVanBan"] not in self.linked["legal_documents"]
                  and items["MaThua"] is not None}
        key = min(served)
        r = self.srv.get(f"/collections/legal_documents/items?f=json&MaThua={key}")
        self.assertEqual(r.status, 200, r.describe())
        self.assertGreaterEqual(len(r.json()["features"]), 1, r.describe())

    def test_metrics_count_linked_drops(self):
        text = self.srv.get("/metrics").text
        n = len(self.geometry_dropped["legal_documents"]) + len(self.linked["legal_documents"])
        self.assertIn('vnsdi_secrecy_drops{layer="legal_documents",kind="feature",'
                      f'reason="restricted_area"}} {n}', text)

    def test_audit_log_linked_event(self):
        path = os.path.join(self.data, "var", "audit.log")
        with open(path, encoding="utf-8") as f:
            events = [json.loads(line) for line in f if line.strip()]
        linked = [e for e in events if e.get("reason") == "linked_restricted"
                  and e.get("layer") == "legal_documents"]
        self.assertEqual(len(linked), 1, events)
        self.assertEqual(linked[0]["count"], len(self.linked["legal_documents"]))
        self.assertEqual(linked[0]["event"], "features_dropped")

    def test_check_reports_linked_drops(self):
        result = harness.vnsdi("check", "--config", self.config)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        n_linked = len(self.linked["legal_documents"])
        n = len(self.geometry_dropped["legal_documents"]) + n_linked
        self.assertIn(f"{n} dropped by restricted areas ({n_linked} of them linked to a "
                      "restricted feature)", result.stdout)


if __name__ == "__main__":
    harness.require_environment()
    harness.main()

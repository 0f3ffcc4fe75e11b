"""Durability of a publish: the server is killed during a publish, at each
named stage (the VNSDI_TEST_CRASH_AT test hook ends the process there as a
kill -9 would) and 20 times with SIGKILL at random moments. After each
restart it serves version 1 or version 2, complete, and lists no partial
version.
"""

import os
import random
import signal
import threading
import time
import unittest

import harness
import publish_util as pu

STAGES_OLD = ["uploaded", "validated", "data-written", "data-renamed",
              "manifest-writing", "manifest-renaming"]
STAGES_NEW = ["committed", "swapped"]


class Crash(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        work = harness.workdir()
        cls.empty = pu.make_empty(os.path.join(work, "empty.gpkg"))
        cls.v2_path = os.path.join(work, "ward_v2.gpkg")
        pu.make_version2(pu.WARD_GPKG, cls.v2_path)
        cls.data_dir = os.path.join(work, "var")
        os.makedirs(cls.data_dir, exist_ok=True)
        cls.port = harness.free_port()
        cls.config = harness.write_config(pu.config_text(cls.port, cls.data_dir, cls.empty))
        cls.n = 0

    def start(self, crash_at=None):
        Crash.n += 1
        workdir = os.path.join(harness.workdir(), f"run{Crash.n}")
        os.makedirs(workdir, exist_ok=True)
        if crash_at:
            os.environ["VNSDI_TEST_CRASH_AT"] = crash_at
        try:
            server = harness.Server(self.config, self.port, workdir)
            server.start()
        finally:
            os.environ.pop("VNSDI_TEST_CRASH_AT", None)
        return server

    def check_state(self, server, allowed):
        """The live version is one of `allowed`, complete, with no partial
        folder on disk; returns it."""
        listing = pu.admin_get(server, "/admin/layers/parcels/versions").json()
        live = listing["live_version"]
        self.assertIn(live, allowed)
        self.assertEqual([v["version"] for v in listing["versions"]],
                         list(range(1, live + 1)))
        count = server.get("/collections/parcels/items?f=json&limit=1").json()["numberMatched"]
        self.assertEqual(count, {1: 1955, 2: 1953}[live])
        folder = os.path.join(self.data_dir, "versions", "parcels")
        for name in os.listdir(folder):
            self.assertTrue(os.path.exists(os.path.join(folder, name, "manifest.json")),
                            f"partial version folder {name} left")
        return live

    def kill(self, server):
        server.process.kill()
        server.process.wait()

    def rollback_to_1(self, server):
        """Back to exactly one version on disk for the next round."""
        folder = os.path.join(self.data_dir, "versions", "parcels")
        for name in os.listdir(folder):
            if name != "1":
                import shutil
                shutil.rmtree(os.path.join(folder, name))

    def test_1_named_stages(self):
        server = self.start()
        r = pu.upload(server, "parcels", pu.WARD_GPKG)
        self.assertEqual(r.status, 201, r.describe())
        server.stop()
        for stage in STAGES_OLD + STAGES_NEW:
            with self.subTest(stage):
                server = self.start(crash_at=stage)
                try:
                    pu.upload(server, "parcels", self.v2_path)
                except OSError:
                    pass
                server.process.wait(timeout=60)
                self.assertEqual(server.process.returncode, 99, stage)
                server = self.start()
                live = self.check_state(server, [1, 2])
                self.assertEqual(live, 1 if stage in STAGES_OLD else 2, stage)
                problems = server.stop()
                self.assertEqual(problems, [])
                self.rollback_to_1(server)

    def test_2_random_kill9(self):
        rng = random.Random(7)
        seen = {1: 0, 2: 0}
        for round_ in range(20):
            server = self.start()
            self.check_state(server, [1, 2])
            self.rollback_to_1(server)
            server.stop()
            server = self.start()
            result = {}

            def publish():
                try:
                    result["r"] = pu.upload(server, "parcels", self.v2_path)
                except OSError as exc:
                    result["r"] = exc

            t = threading.Thread(target=publish)
            t.start()
            time.sleep(rng.uniform(0.0, 0.4))
            self.kill(server)
            t.join(timeout=60)
            server = self.start()
            seen[self.check_state(server, [1, 2])] += 1
            server.stop()
        print(f"\nafter 20 kill -9: version 1 served {seen[1]} times, version 2 {seen[2]} times")


if __name__ == "__main__":
    harness.main()

"""Loading, overrides and validation from Python: errors carry file, line and key like the CLI's."""
import unittest

import deepsim
from support import DEFAULT, SMALL


class LoadTest(unittest.TestCase):
    def test_load_reads_the_file(self):
        s = deepsim.load(SMALL)
        self.assertEqual(s.name, "small-h100")
        self.assertEqual(s.gpu, "H100")
        self.assertEqual(s.gpus, 16)
        self.assertEqual(s.get("parallel.schedule"), "1f1b")
        self.assertEqual(s.overrides, {})
        self.assertEqual(s.path, SMALL)

    def test_overrides_as_a_dict(self):
        s = deepsim.load(SMALL, overrides={"cluster.nodes": 4, "parallel.dp": 16, "parallel.micro_batches": 4,
                                           "parallel.schedule": "zb1p",
                                           "moe.balancing": False, "pricing.usd_per_gpu_hour": 3.25})
        self.assertEqual(s.gpus, 32)
        self.assertEqual(s.get("parallel.dp"), "16")
        self.assertEqual(s.get("parallel.schedule"), "zb1p")
        self.assertEqual(s.get("moe.balancing"), "false")
        self.assertEqual(s.get("pricing.usd_per_gpu_hour"), "3.25")
        self.assertEqual(s.overrides["cluster.nodes"], "4")

    def test_with_overrides_leaves_the_original(self):
        base = deepsim.load(SMALL)
        more = base.with_overrides({"cluster.nodes": 4, "parallel.dp": 16, "parallel.micro_batches": 4})
        self.assertEqual(base.gpus, 16)
        self.assertEqual(more.gpus, 32)
        # An empty value removes the override again.
        back = more.with_overrides({"cluster.nodes": "", "parallel.dp": "", "parallel.micro_batches": ""})
        self.assertEqual(back.gpus, 16)
        self.assertEqual(back.overrides, {})

    def test_error_in_the_text_names_file_line_and_key(self):
        with open(SMALL) as f:
            text = f.read()
        lines = text.splitlines()
        line = next(i for i, l in enumerate(lines, 1) if l.strip().startswith("nodes:"))
        bad = "\n".join(l.replace("nodes: 2", "nodes: -3") if i == line else l for i, l in enumerate(lines, 1))
        with self.assertRaises(deepsim.InputError) as ctx:
            deepsim.loads(bad, name="edited.yaml")
        e = ctx.exception
        self.assertIsInstance(e, ValueError)
        self.assertEqual(e.file, "edited.yaml")
        self.assertEqual(e.line, line)
        self.assertEqual(e.key, "cluster.nodes")
        self.assertTrue(str(e).startswith(f"edited.yaml:{line}:"), str(e))
        self.assertIn("cluster.nodes", str(e))

    def test_unknown_override_key_suggests_the_right_one(self):
        with self.assertRaises(deepsim.InputError) as ctx:
            deepsim.load(SMALL, overrides={"cluster.nodez": 4})
        e = ctx.exception
        self.assertIn("nodez", e.key + e.message)
        self.assertIn("'nodes'", e.hint)

    def test_bad_override_value(self):
        with self.assertRaises(deepsim.InputError) as ctx:
            deepsim.load(SMALL, overrides={"cluster.nodes": "many"})
        self.assertEqual(ctx.exception.key, "cluster.nodes")
        with self.assertRaises(deepsim.InputError):
            deepsim.load(SMALL, overrides={"cluster.nodes": [1, 2]})
        with self.assertRaises(deepsim.InputError):
            deepsim.load(SMALL, overrides=["cluster.nodes=4"])

    def test_missing_file(self):
        with self.assertRaises(deepsim.InputError) as ctx:
            deepsim.load("no/such/scenario.yaml")
        self.assertEqual(ctx.exception.file, "no/such/scenario.yaml")

    def test_validate_runs_the_checks_beyond_loading(self):
        self.assertTrue(deepsim.load(DEFAULT).validate())
        s = deepsim.load(SMALL, overrides={"calibration.profile": "no-such-profile"})
        with self.assertRaises(deepsim.InputError) as ctx:
            s.validate()
        self.assertEqual(ctx.exception.key, "calibration.profile")

    def test_unknown_key_in_get(self):
        with self.assertRaises(deepsim.InputError):
            deepsim.load(SMALL).get("cluster.nodez")

    def test_fields_are_the_schema(self):
        rows = deepsim.fields("cluster")
        paths = [r["path"] for r in rows]
        self.assertIn("cluster.nodes", paths)
        self.assertTrue(all(p.startswith("cluster.") for p in paths))
        nodes = next(r for r in rows if r["path"] == "cluster.nodes")
        self.assertEqual(nodes["type"], "integer")
        self.assertGreaterEqual(nodes["min"], 1)
        gpu = next(r for r in rows if r["path"] == "cluster.gpu")
        self.assertIn("H800", gpu["choices"])

    def test_resolved_yaml_reloads_to_the_same_scenario(self):
        s = deepsim.load(SMALL, overrides={"cluster.nodes": 4, "parallel.dp": 16, "parallel.micro_batches": 4})
        again = deepsim.loads(s.resolved_yaml(), name="saved.yaml")
        self.assertEqual(again.gpus, 32)
        self.assertEqual(again.get("parallel.dp"), "16")


if __name__ == "__main__":
    unittest.main()

"""What-if sweeps from Python: rows in point order, infeasible and failed points kept, progress per point."""
import unittest

import deepsim
from support import SMALL


class SweepTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.base = deepsim.load(SMALL)
        cls.progress = []
        cls.rows = deepsim.run_sweep(cls.base, {"parallel.schedule": ["1f1b", "zb1p"], "parallel.ep": [8, 4, 3]},
                                     threads=2, progress=lambda *a: cls.progress.append(a))

    def test_rows_in_point_order_last_axis_fastest(self):
        rows = deepsim.table(self.rows)
        self.assertEqual(len(rows), 6)
        self.assertEqual([r["index"] for r in rows], list(range(6)))
        self.assertEqual([r["parallel.schedule"] for r in rows], ["1f1b"] * 3 + ["zb1p"] * 3)
        self.assertEqual([r["parallel.ep"] for r in rows], ["8", "4", "3"] * 2)

    def test_a_point_that_cannot_run_keeps_its_error(self):
        for r in self.rows:
            if r["parallel.ep"] == "3":  # 8 experts per group do not split over 3 ranks
                self.assertFalse(r["ran"])
                self.assertFalse(r["feasible"])
                self.assertIn("ep", r["error"])
                self.assertIsNone(r["gpu_hours"])
            else:
                self.assertTrue(r["ran"], r["error"])
                self.assertIsNone(r["error"])
                self.assertGreater(r["gpu_hours"], 0)

    def test_a_point_is_the_run_of_its_overrides(self):
        r = self.rows[4]  # zb1p, ep 4
        run = deepsim.run_forecast(self.base.with_overrides({"parallel.schedule": "zb1p", "parallel.ep": 4}))
        self.assertEqual(r["gpu_hours"], run["headline"]["gpu_hours"])
        self.assertEqual(r["step_s"], run["headline"]["step_s"])

    def test_progress_once_a_point(self):
        self.assertEqual(len(self.progress), 6)
        self.assertEqual(sorted(d for _, d, _ in self.progress), list(range(1, 7)))
        self.assertTrue(all(t == 6 for _, _, t in self.progress))

    def test_bad_axes(self):
        with self.assertRaises(deepsim.InputError) as ctx:
            deepsim.run_sweep(self.base, {"parallel.shedule": ["zb1p"]})
        self.assertIn("parallel.schedule", ctx.exception.hint)
        with self.assertRaises(deepsim.InputError):
            deepsim.run_sweep(self.base, {"parallel.ep": "8"})
        with self.assertRaises(deepsim.InputError):
            deepsim.run_sweep(self.base, {})

    def test_cancel_stops_handing_out_points(self):
        with self.assertRaises(deepsim.Cancelled):
            deepsim.run_sweep(self.base, {"parallel.ep": [8, 4] * 4}, threads=1, progress=lambda *a: False)


if __name__ == "__main__":
    unittest.main()

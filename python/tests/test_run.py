"""Runs from Python: the same figures as the CLI, progress and cancel, the GIL released while computing."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import deepsim
from support import CLI, DEFAULT, SMALL


class StepTest(unittest.TestCase):
    def test_step_rows_per_rank(self):
        s = deepsim.load(SMALL)
        step = deepsim.run_step(s)
        self.assertGreater(step["step_s"], 0)
        self.assertGreaterEqual(step["step_s"], step["compute_busy_s"])
        self.assertGreaterEqual(step["step_s"], step["step_lower_bound_s"])
        ranks = deepsim.table(step["ranks"])
        self.assertEqual(len(ranks), int(s.get("parallel.pp")))
        for r in ranks:
            # busy + idle is the step, and the idle time splits into exposed comm, bubble and the rest.
            self.assertAlmostEqual(r["busy_s"] + r["idle_s"], step["step_s"], places=9)
            self.assertLessEqual(r["exposed_comm_s"] + r["bubble_s"], r["idle_s"] + 1e-9)
            self.assertLessEqual(r["exposed_dp_s"], r["exposed_comm_s"] + 1e-12)  # a part of it
        self.assertTrue(any(k.endswith("_s") and k not in ("busy_s", "idle_s") for k in ranks[0]))


class ForecastTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scenario = deepsim.load(SMALL)
        cls.progress = []
        cls.result = deepsim.run_forecast(cls.scenario, progress=lambda *a: cls.progress.append(a))

    def test_headline_adds_up_over_the_phases(self):
        h = self.result["headline"]
        phases = deepsim.table(self.result["phases"])
        self.assertGreater(h["gpu_hours"], 0)
        self.assertAlmostEqual(sum(p["gpu_hours"] for p in phases), h["gpu_hours"], delta=1e-6 * h["gpu_hours"])
        self.assertAlmostEqual(h["rental_usd"], h["gpu_hours"] * 2.5, delta=1e-6 * h["rental_usd"])
        self.assertEqual(h["gpus"], 16)
        self.assertEqual(len(deepsim.table(self.result["ranks"])), 2)
        self.assertEqual(len(deepsim.table(self.result["memory"])), 2)

    def test_reference_rows_beside_the_prediction(self):
        self.assertEqual(self.result["reference"], [])
        s = self.scenario.with_overrides({"reference.kind": "measured", "reference.gpu_hours": 100,
                                          "reference.gpu_hours_source": "our cluster's accounting"})
        run = deepsim.run_forecast(s)
        (row,) = deepsim.table(run["reference"])
        self.assertEqual(row["key"], "gpu_hours")
        self.assertEqual(row["predicted"], run["headline"]["gpu_hours"])
        self.assertAlmostEqual(row["error_pct"], 100 * (row["predicted"] - 100) / 100)
        self.assertEqual(run["result"]["reference"]["kind"], "measured")
        self.assertEqual(run["result"]["reference"]["gpu_hours"]["source"], "our cluster's accounting")

    def test_result_is_the_cli_result_json(self):
        if not CLI:
            self.skipTest("DEEPSIM_CLI not set (CTest sets it)")
        out = subprocess.run([CLI, "run", SMALL, "--json"], capture_output=True, text=True, timeout=600, check=True)
        self.assertEqual(json.loads(out.stdout), self.result["result"])
        self.assertEqual(self.result["result"]["run"]["gpu_hours"], self.result["headline"]["gpu_hours"])

    def test_progress_reports_in_order(self):
        self.assertGreater(len(self.progress), 1)
        for stage, done, total in self.progress:
            self.assertIsInstance(stage, str)
            self.assertGreaterEqual(done, 0)
        dones = [d for _, d, _ in self.progress]
        self.assertEqual(dones, sorted(dones))
        self.assertEqual(self.progress[-1][0], "done")

    def test_out_dir_writes_the_report_set(self):
        with tempfile.TemporaryDirectory() as d:
            r = deepsim.run_forecast(self.scenario, out_dir=d)
            for f in ("report.md", "report.html", "result.json", "phases.csv", "ranks.csv", "trace.json"):
                self.assertTrue(os.path.getsize(os.path.join(d, f)) > 0, f)
            with open(os.path.join(d, "result.json")) as f:
                self.assertEqual(json.load(f), r["result"])
            with open(os.path.join(d, "trace.json")) as f:
                self.assertIn("traceEvents", json.load(f))


class ProgressTest(unittest.TestCase):
    def test_returning_false_cancels(self):
        calls = []

        def stop(stage, done, total):
            calls.append(stage)
            return False

        with self.assertRaises(deepsim.Cancelled):
            deepsim.run_forecast(deepsim.load(SMALL), progress=stop)
        self.assertEqual(len(calls), 1)  # nothing after the first report

    def test_callback_exception_propagates(self):
        def boom(stage, done, total):
            raise KeyError("from the callback")

        with self.assertRaises(KeyError):
            deepsim.run_step(deepsim.load(SMALL), progress=boom)


class GilTest(unittest.TestCase):
    def test_other_threads_run_during_a_run(self):
        # While a forecast runs on a worker thread, this thread keeps ticking. With the GIL held for the
        # whole run, the largest gap between two ticks would be about the run's length.
        s = deepsim.load(DEFAULT)  # DeepSeek-V3 on 2048 GPUs: a step of a second or more of compute
        done = threading.Event()
        span = {}

        def work():
            t0 = time.perf_counter()
            deepsim.run_step(s)
            span["s"] = time.perf_counter() - t0
            done.set()

        t = threading.Thread(target=work)
        t.start()
        ticks, last, gap = 0, time.perf_counter(), 0.0
        while not done.is_set():
            now = time.perf_counter()
            gap = max(gap, now - last)
            last = now
            ticks += 1
        t.join()
        self.assertGreater(span["s"], 0.05, "the run is too short to tell")
        self.assertGreater(ticks, 1000)
        self.assertLess(gap, 0.5 * span["s"], f"largest gap {gap:.3f} s of a {span['s']:.3f} s run")


class PandasTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.result = deepsim.run_forecast(deepsim.load(SMALL))

    def test_dataframe_of_ranks(self):
        try:
            import pandas  # noqa: F401
        except ImportError:
            self.skipTest("pandas not installed (optional: python3-pandas)")
        df = deepsim.to_pandas(self.result["ranks"])
        self.assertEqual(len(df), len(self.result["ranks"]))
        self.assertEqual(list(df.columns), list(self.result["ranks"][0].keys()))
        self.assertAlmostEqual(float(df["busy_s"].max()), max(r["busy_s"] for r in self.result["ranks"]))

    def test_without_pandas_the_rows_still_work(self):
        saved = sys.modules.get("pandas")
        sys.modules["pandas"] = None  # import pandas now raises ImportError
        try:
            with self.assertRaises(ImportError) as ctx:
                deepsim.to_pandas(self.result["phases"])
            self.assertIn("python3-pandas", str(ctx.exception))
        finally:
            if saved is None:
                del sys.modules["pandas"]
            else:
                sys.modules["pandas"] = saved
        rows = deepsim.table(self.result["phases"])
        self.assertEqual(rows[0]["key"], "pre_training")

    def test_table_refuses_ragged_rows(self):
        with self.assertRaises(ValueError):
            deepsim.table([{"a": 1}, {"b": 2}])
        with self.assertRaises(ValueError):
            deepsim.table([{"a": [1]}])


if __name__ == "__main__":
    unittest.main()

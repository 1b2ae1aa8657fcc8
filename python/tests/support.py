"""Shared by the tests: where the repository and the built CLI are (CTest sets both)."""
import os
import pathlib

SOURCE_DIR = pathlib.Path(os.environ.get("DEEPSIM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("DEEPSIM_CLI", "")
SMALL = str(SOURCE_DIR / "scenarios" / "examples" / "small-h100.yaml")
DEFAULT = str(SOURCE_DIR / "scenarios" / "default.yaml")

"""deepsim: a simulator of LLM training on GPU clusters, from Python (docs/python.md).

    import deepsim
    s = deepsim.load("scenarios/default.yaml", overrides={"cluster.nodes": 128})
    run = deepsim.run_forecast(s)
    run["headline"]["gpu_hours"]
    deepsim.to_pandas(run["phases"])        # needs pandas; the rows are plain dicts without it

Results are plain dicts and lists: tables (ranks, phases, memory, links, sweep rows) are lists of dicts
with the same keys in every row.
"""

from ._core import (  # noqa: F401  (the public API)
    Cancelled,
    InputError,
    Scenario,
    __version__,
    fields,
    load,
    loads,
    run_forecast,
    run_step,
    run_sweep,
)

__all__ = [
    "Cancelled",
    "InputError",
    "Scenario",
    "__version__",
    "fields",
    "load",
    "loads",
    "run_forecast",
    "run_step",
    "run_sweep",
    "table",
    "to_pandas",
]


def table(rows):
    """Check that `rows` is a table (a list of dicts with the same keys, scalar values) and return it.

    Raises ValueError naming the first row that differs; this is what to_pandas() needs, and what a CSV
    writer (csv.DictWriter(f, rows[0].keys())) needs without pandas.
    """
    rows = list(rows)
    if not rows:
        return rows
    keys = list(rows[0].keys())
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValueError(f"row {i} is a {type(row).__name__}, not a dict")
        if list(row.keys()) != keys:
            raise ValueError(f"row {i} has keys {sorted(row)}, row 0 has {sorted(keys)}")
        for k, v in row.items():
            if v is not None and not isinstance(v, (bool, int, float, str)):
                raise ValueError(f"row {i}, column {k!r}: {type(v).__name__} is not a scalar")
    return rows


def to_pandas(rows):
    """A pandas.DataFrame of a table (run["ranks"], run["phases"], run_sweep(...) rows, ...).

    pandas is optional: without it this raises ImportError with the package to install, and the rows
    themselves remain usable as a list of dicts.
    """
    try:
        import pandas
    except ImportError as e:
        raise ImportError(
            "deepsim.to_pandas needs pandas (Debian: apt-get install python3-pandas); "
            "the rows are plain dicts without it"
        ) from e
    return pandas.DataFrame(table(rows))

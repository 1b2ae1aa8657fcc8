"""docs/python.md's example runs as written: every ```python block, in order, in one namespace."""
import os
import re
import unittest

from support import SOURCE_DIR


class DocsExampleTest(unittest.TestCase):
    def test_python_md_blocks_run(self):
        text = (SOURCE_DIR / "docs" / "python.md").read_text()
        blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
        self.assertGreaterEqual(len(blocks), 3)
        here = os.getcwd()
        os.chdir(SOURCE_DIR)  # the example's paths are relative to the repository root
        try:
            namespace = {"__name__": "docs_python_md"}
            for i, block in enumerate(blocks):
                with self.subTest(block=i):
                    exec(compile(block, f"docs/python.md block {i + 1}", "exec"), namespace)
        finally:
            os.chdir(here)


if __name__ == "__main__":
    unittest.main()

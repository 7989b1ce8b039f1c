"""Build hook: the wheel carries the top-level ``models/`` and ``simulations/`` TOML files.

They are edited in one place, the repository's top-level folders, and copied into
``biornn/_data/`` only when a wheel is built (an editable install reads them where
they are; see ``biornn.specs``).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithPresets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in ("models", "simulations"):
            target = Path(self.build_lib) / "biornn" / "_data" / folder
            target.mkdir(parents=True, exist_ok=True)
            for path in sorted((ROOT / folder).glob("*.toml")):
                self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildWithPresets})

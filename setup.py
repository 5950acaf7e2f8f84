"""Ship the lesson notebooks inside the wheel (as ``ecgteach/lessons``) for ``ecgteach lab``.

All metadata lives in pyproject.toml; this only adds the top-level ``lessons/``
folder to the built package.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithLessons(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "lessons"
        target = Path(self.build_lib) / "ecgteach" / "lessons"
        if source.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            for notebook in sorted(source.glob("*.ipynb")):
                shutil.copy2(notebook, target / notebook.name)


setup(cmdclass={"build_py": BuildWithLessons})

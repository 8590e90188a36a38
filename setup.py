"""Compiles the translation catalogues while building, so that `pip install .` and every wheel carry them.

The rest of the metadata is in pyproject.toml.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithCatalogues(build_py):
    """Writes each poltwt/locale/*/LC_MESSAGES/django.mo next to its .po before the files are copied.

    The .mo files land in the source tree too, so a checkout that ran `pip install .` serves translations
    from manage.py and gunicorn started there (the README's production steps).
    """

    def run(self) -> None:
        # Loaded by path: importing the poltwt package would import Django, which the build does not have.
        spec = importlib.util.spec_from_file_location("poltwt_catalogues", HERE / "poltwt" / "catalogues.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.compile_all()
        super().run()


setup(cmdclass={"build_py": BuildPyWithCatalogues})

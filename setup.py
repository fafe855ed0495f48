"""Compiles the translations into the wheel: every gallery/translations/*/LC_MESSAGES/*.po
gets its .mo beside it in the build, as `pybabel compile` makes them for a checkout (the .mo
files are not kept in git). Everything else about the package is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(
            Path(self.build_lib, "gallery", "translations").glob("*/LC_MESSAGES/*.po")
        ):
            with po.open("rb") as source:
                catalogue = read_po(source, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as compiled:
                write_mo(compiled, catalogue, use_fuzzy=False)


setup(cmdclass={"build_py": BuildPyWithCatalogues})

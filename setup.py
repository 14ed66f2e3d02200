"""Packaging that setup.cfg cannot say: the shipped weights travel inside the package.

The repository keeps them in the top-level ``models/`` (weights, model cards, training
configs), which is not inside ``evfocus_live``: ``pip install .``, a wheel or an sdist
would install the code without its default model. ``models/`` is therefore mapped onto
the data-only package ``evfocus_live._models`` (``package_dir``), so that a wheel holds
``evfocus_live/_models/*.pt`` and an editable install keeps reading ``models/`` itself,
without a copy in the tree that could drift. ``nn.registry.models_dir()`` looks in both.
Everything else is in setup.cfg; MANIFEST.in puts ``models/`` into the sdist.
"""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py as _build_py

MODELS_PACKAGE = "evfocus_live._models"


class build_py(_build_py):
    """Copies ``models/`` afresh: ``pip wheel .`` builds in ``build/lib``, which keeps every
    file an earlier build put there, so a weight deleted or renamed in ``models/`` (up to
    12 MB) would still ship in the next wheel and be listed by ``available_models()``."""

    def run(self):
        if not getattr(self, "editable_mode", False):
            shutil.rmtree(Path(self.build_lib, *MODELS_PACKAGE.split(".")), ignore_errors=True)
        super().run()


setup(
    packages=find_packages(include=["evfocus_live", "evfocus_live.*"]) + [MODELS_PACKAGE],
    package_dir={MODELS_PACKAGE: "models"},
    package_data={
        "evfocus_live": ["py.typed"],
        # the loadable weights, their cards and the configs they were trained with (evfocus bench
        # times an untrained built-in from its config); not the evaluation plots or GPU scripts
        MODELS_PACKAGE: ["*.pt", "*.md", "configs/*.toml"],
    },
    cmdclass={"build_py": build_py},
)

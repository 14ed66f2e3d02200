"""A non-editable install carries the shipped models (README: "Install without -e").

The weights live in the repository's top-level ``models/``, outside the package; setup.py
maps them onto ``evfocus_live._models``. Before that, ``pip install .``, a wheel or an sdist
installed the code without any weights, and ``evfocus-live`` failed on its default model.
The sdist and the wheel are built once per module, from a copy of the build inputs (an
in-tree build would leave ``build/`` in the checkout), with the packaging tools already in
this environment (no index: ``--no-build-isolation --no-deps``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from evfocus_live.nn import registry

REPO = Path(__file__).resolve().parents[2]
MODELS = REPO / "models"
#: what a build reads: the packaging files, the package, the models and the README
#: (setup.cfg's long_description)
BUILD_INPUTS = ("setup.py", "setup.cfg", "pyproject.toml", "MANIFEST.in", "README.md", "evfocus_live", "models")
MAX_WEIGHT_BYTES = 20 * 1024 * 1024
#: the weights are ~28 MB, deflated to ~25 MB; far more means something unintended came along
MAX_WHEEL_BYTES = 40 * 1024 * 1024


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("EVFOCUS_MODELS_DIR", "PYTHONPATH")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def dists(tmp_path_factory) -> dict[str, Path]:
    """{"sdist": .tar.gz, "wheel": .whl built from that sdist, "target": the wheel installed
    with ``pip install --target``}: what ``pip install <sdist>`` does, so the sdist missing a
    weight shows as the wheel missing it."""
    base = tmp_path_factory.mktemp("s19_dist")
    src = base / "src"
    src.mkdir()
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "*.part", "*.tmp")
    for name in BUILD_INPUTS:
        p = REPO / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=junk)
        else:
            shutil.copy2(p, src / name)
    out = base / "dist"
    proc = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
                           "print(b.build_sdist(sys.argv[1]))", str(out)],
                          cwd=src, capture_output=True, text=True, timeout=300, env=_env())
    assert proc.returncode == 0, f"sdist build failed:\n{proc.stderr[-3000:]}"
    sdist = out / proc.stdout.strip().splitlines()[-1]
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(sdist), cwd=base)
    (wheel,) = out.glob("*.whl")
    target = base / "target"
    _pip("install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel), cwd=base)
    return {"sdist": sdist, "wheel": wheel, "target": target}


def test_wheel_carries_the_shipped_weights_cards_and_configs(dists):
    with zipfile.ZipFile(dists["wheel"]) as z:
        names = set(z.namelist())
        for fname in filter(None, registry.SHIPPED.values()):
            member = f"evfocus_live/_models/{fname}"
            assert member in names, f"{fname} is not in the wheel"
            data = z.read(member)
            assert len(data) < MAX_WEIGHT_BYTES, f"{fname}: {len(data)} bytes"
            assert _sha256(data) == registry.sha256_file(MODELS / fname), f"{fname} differs from models/"
            card = f"evfocus_live/_models/{Path(fname).stem}.md"
            assert z.read(card) == (MODELS / card.rsplit("/", 1)[1]).read_bytes()
        configs = {n.rsplit("/", 1)[1] for n in names if n.startswith("evfocus_live/_models/configs/")}
        assert configs == {p.name for p in (MODELS / "configs").glob("*.toml")}
        assert z.read("evfocus_live/_models/configs/evfocus.toml") == (MODELS / "configs/evfocus.toml").read_bytes()
        # the console scripts and the built-in model entry points come with it
        eps = next(z.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "evfocus-live = evfocus_live.gui.app:main" in eps and "evfocus = evfocus_live.nn.registry:load_shipped" in eps
    assert dists["wheel"].stat().st_size < MAX_WHEEL_BYTES, f"wheel is {dists['wheel'].stat().st_size} bytes"


def test_sdist_carries_models_and_the_packaging_that_maps_them(dists):
    with tarfile.open(dists["sdist"]) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    shipped = {f"models/{f}" for f in filter(None, registry.SHIPPED.values())}
    configs = {f"models/configs/{p.name}" for p in (MODELS / "configs").glob("*.toml")}
    assert shipped | configs | {"setup.py", "MANIFEST.in", "models/evfocus.md"} <= names, sorted(
        (shipped | configs) - names)


def test_installed_wheel_finds_its_packaged_models_away_from_the_repo(dists, tmp_path):
    """The wheel's own copy, not the checkout's models/ (run from elsewhere, the installed
    package first on the path); $EVFOCUS_MODELS_DIR still wins."""
    target = dists["target"]
    script = (
        "import json, os, sys\n"
        "from evfocus_live.nn import registry as r\n"
        "m = r.load_model()\n"
        "out = dict(file=r.__file__, models=str(r.models_dir()), configs=str(r.configs_dir()),\n"
        "           names=r.available_models(), default=type(m).__name__, arch=m.arch)\n"
        "os.environ['EVFOCUS_MODELS_DIR'] = sys.argv[1]\n"
        "out['env_models'] = str(r.models_dir())\n"
        "out['env_names'] = [n for n in r.available_models() if n in r.SHIPPED]\n"
        "print(json.dumps(out))\n")
    empty = tmp_path / "mine"
    empty.mkdir()
    proc = subprocess.run([sys.executable, "-c", script, str(empty)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env=_env(PYTHONPATH=str(target)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    packaged = target / "evfocus_live" / "_models"
    assert Path(got["file"]).resolve().is_relative_to(target.resolve())
    assert Path(got["models"]) == packaged.resolve()
    assert Path(got["configs"]) == packaged.resolve() / "configs" and (packaged / "configs" / "evfocus.toml").is_file()
    assert got["names"][:len(registry.SHIPPED)] == list(registry.SHIPPED)
    assert (got["default"], got["arch"]) == ("EvFocus", "evfocus")
    assert Path(got["env_models"]) == empty and got["env_names"] == []


def test_checkout_reads_models_in_place(monkeypatch):
    """An editable install or a checkout reads the repository's models/ (no copy to drift)."""
    monkeypatch.delenv("EVFOCUS_MODELS_DIR", raising=False)
    if not Path(registry.__file__).resolve().is_relative_to(REPO):
        pytest.fail(f"tests expect the checkout's package (pip install -e .), got {registry.__file__}")
    assert registry.models_dir() == MODELS
    assert registry.configs_dir() == MODELS / "configs"
    assert not (REPO / "evfocus_live" / "_models").exists(), "a copy of models/ in the tree would shadow models/"
    monkeypatch.setenv("EVFOCUS_MODELS_DIR", "/elsewhere")
    assert registry.models_dir() == Path("/elsewhere") and registry.configs_dir() == MODELS / "configs"


def test_plugin_packages_build_as_wheels(tmp_path):
    srcs = []
    for plugin in sorted((REPO / "plugins").iterdir()):
        if (plugin / "setup.cfg").is_file():
            dst = tmp_path / plugin.name
            shutil.copytree(plugin, dst, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
            srcs.append(dst)
    assert {s.name for s in srcs} == {"evfocus-plugin-median", "evfocus-plugin-pattern", "evfocus-plugin-integrator"}
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path / "out"),
         *map(str, srcs), cwd=tmp_path)
    for src in srcs:
        module = src.name.replace("-", "_")
        (wheel,) = (tmp_path / "out").glob(f"{module}-*.whl")
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
            eps = next(z.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert f"{module}/__init__.py" in names
        assert f"= {module}:" in eps and "[evfocus_live." in eps

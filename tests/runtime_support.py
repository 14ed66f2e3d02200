"""Small models and runs the inference-runtime tests share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from evfocus_live.nn.registry import build_model, save_checkpoint


ATOL = 1e-5


SMALL = {"evfocus": dict(base=4, kernel=3, num_deblur_blocks=1), "e2vid": dict(base=4),
         "firenet": dict(base=4)}


def small(arch="evfocus"):
    torch.manual_seed(0)
    return build_model(arch, dict(SMALL[arch])).eval()


#: a light evfocus config, every option of it given
LIGHT = {"base": 4, "kernel": 3, "rec_kernel": 3, "num_residual_blocks": 1, "num_deblur_blocks": 1}


def edited_checkpoint(tmp_path, edit=None):
    """A checkpoint of a LIGHT evfocus in ``tmp_path``, its dict changed by ``edit`` (another
    version's file, say) before it is saved again."""
    path = save_checkpoint(tmp_path / "m.pt", build_model("evfocus", LIGHT))
    ck = torch.load(path, weights_only=True)
    if edit:
        edit(ck)
    torch.save(ck, path)
    return path


def voxels(n, h=30, w=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(1, 5, h, w, generator=g) for _ in range(n)]


def plain_run(model, vox):
    with torch.inference_mode():
        return [{k: v.clone() for k, v in model(x).items()} for x in vox]


def assert_same(outs, ref):
    assert len(outs) == len(ref)
    for o, r in zip(outs, ref):
        assert set(r) <= set(o)
        for k in r:
            assert o[k].shape == r[k].shape
            assert float((o[k].float() - r[k].float()).abs().max()) <= ATOL, k


ROOT = Path(__file__).resolve().parents[1]


def _run_script(script: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests")]))
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script], cwd=ROOT / "tests",
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "ok"
    return done.stdout

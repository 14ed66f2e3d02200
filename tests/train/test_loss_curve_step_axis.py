"""loss.png named only the last step under its x axis ("step 40"): where the curve starts (step
1, or a resumed run's log beginning later) was a guess. Both ends are now labelled."""

from __future__ import annotations

import cv2

from evfocus_live.train.trainer import draw_loss_curve


def test_the_step_axis_names_both_ends(tmp_path, monkeypatch):
    said = []
    real = cv2.putText
    monkeypatch.setattr(cv2, "putText", lambda img, txt, *a, **k: said.append(txt) or real(img, txt, *a, **k))
    rows = [{"step": s, "loss": 1.0 / s} for s in (10, 20, 30, 40)]
    draw_loss_curve(rows, tmp_path / "loss.png")
    assert "step 10" in said and "step 40" in said
    assert (tmp_path / "loss.png").stat().st_size > 0

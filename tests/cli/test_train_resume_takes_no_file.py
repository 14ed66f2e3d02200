"""`evfocus train my.toml --resume runs/b/last.pt` (the checkpoint given to the flag, as to
--init) said only "unrecognized arguments: runs/b/last.pt". It now says --resume takes no file
and gives the --out that goes on from that one."""

from __future__ import annotations

import pytest

from evfocus_live.cli import main


def test_a_checkpoint_after_resume_gives_its_out(tmp_path, capsys):
    cfg = tmp_path / "my.toml"
    cfg.write_text('[model]\narch = "evfocus"\n')
    with pytest.raises(SystemExit) as exc:
        main(["train", str(cfg), "--resume", "runs/b run/last.pt"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--resume takes no file" in err and "--resume --out 'runs/b run'" in err

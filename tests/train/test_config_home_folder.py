"""`train = "~/data/train"` and `out = "~/runs/a"` in a config: "~" is not expanded by any
shell there, so the data was looked for in a folder named "~" under the current one ("data path
not found: ~/data/train") and the output would have gone into one. "~" now means the home
folder in a config's paths, as on the command line."""

from __future__ import annotations

from evfocus_live.train.trainer import load_config


def test_home_in_a_configs_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg_path = tmp_path / "my.toml"
    cfg_path.write_text('[model]\narch = "evfocus"\n[data]\ntrain = ["~/data/train", "data/more"]\n'
                        '[train]\nout = "~/runs/a"\ninit = "~/runs/base/final.pt"\n')
    cfg = load_config(cfg_path)
    home = tmp_path / "home"
    assert cfg["data"]["train"] == [str(home / "data/train"), "data/more"]
    assert cfg["train"]["out"] == str(home / "runs/a")
    assert cfg["train"]["init"] == str(home / "runs/base/final.pt")

"""A headless run names the model, device and precision it runs once at start: on a GPU nothing
said whether fp16 or fp32 ran (a lent H200 run of `--precision fp32` logged no such line)."""

from headless_support import headless_lines


def test_headless_names_device_and_precision(tmp_path, tiny_ckpt, caplog):
    lines = headless_lines(tmp_path, tiny_ckpt, caplog, "running ", "--precision", "fp32", "--device", "cpu",
                           "--exit-after", "30")
    assert len(lines) == 1
    assert lines[0].endswith("on cpu in fp32"), lines[0]
    assert str(tiny_ckpt) in lines[0] or tiny_ckpt.name in lines[0]

"""APS frames through the Pipeline: each window's last APS frame, APS frame times as a window config,
cropped and binned with the ROI and downsample."""

from __future__ import annotations


import numpy as np
import pytest
from aps_support import (SYN_APS_US, SYN_H, SYN_W, aps_of, block_means, davis_synth, expected_frames,
    roi_file, syn_aps_image)  # noqa: F401 (fixtures)
from conftest import REAL_FILES

from evfocus_live.config import ModelConfig, PostConfig, SourceConfig, WindowConfig
from evfocus_live.errors import ConfigError, InputError
from evfocus_live.pipeline import Pipeline


DAVIS = REAL_FILES["davis346"]


#: the DAVIS file's APS frame times, µs after its first event
APS_REL_US = (568, 40_568, 80_568)


def test_pipeline_timestamps_aps_follows_the_source_range(shared_data):
    t0 = DAVIS["t_first_us"]
    path = str(shared_data / DAVIS["path"].name)
    window = WindowConfig(mode="timestamps", timestamps_aps=True, roi=(0, 0, 64, 64))
    with Pipeline(SourceConfig(spec=path, speed=0, start_s=0.03), window,
                  ModelConfig(name="firenet", device="cpu", precision="fp32")) as pipe:
        frames = list(pipe.frames())
    assert [fr.t_us for fr in frames] == [t0 + APS_REL_US[1], t0 + APS_REL_US[2]]
    assert [fr.aps_t_us for fr in frames] == [fr.t_us for fr in frames]
    assert all(fr.aps.shape == fr.image.shape == (64, 64) for fr in frames)
    assert min(fr.n_events for fr in frames) > 0
    with pytest.raises(InputError, match="none of its 3 APS frames"):
        Pipeline(SourceConfig(spec=path, speed=0, start_s=0.09), window,
                 ModelConfig(name="firenet", device="cpu", precision="fp32"))


def _frames_with_switch(path, first: WindowConfig, then: WindowConfig, at_index: int):
    with Pipeline(SourceConfig(spec=path, speed=0), first, ModelConfig(name="firenet", device="cpu",
                                                                       precision="fp32")) as pipe:
        out = []
        for fr in pipe.frames():
            out.append(fr)
            if fr.index == at_index:
                pipe.set_window(then)
    return out


def test_set_window_to_aps_times_mid_recording_goes_on_from_there(shared_data):
    """A switch to APS (or given) times mid-recording made a frame at every earlier time, with
    no event, back in time from the last frame; now the times after the stream's position."""
    t0 = DAVIS["t_first_us"]
    frames = _frames_with_switch(str(shared_data / DAVIS["path"].name), WindowConfig(mode="duration", window_ms=10),
                                 WindowConfig(mode="timestamps", timestamps_aps=True), at_index=4)
    assert [fr.t_us - t0 for fr in frames[5:]] == [APS_REL_US[2]]
    assert frames[5].n_events > 0 and frames[5].aps_t_us == frames[5].t_us
    # a new ROI while on APS times goes on too (it started over at the first APS time)
    aps = WindowConfig(mode="timestamps", timestamps_aps=True)
    frames = _frames_with_switch(str(shared_data / DAVIS["path"].name), aps,
                                 WindowConfig(mode="timestamps", timestamps_aps=True, roi=(0, 0, 64, 64)), at_index=0)
    ts = [fr.t_us for fr in frames]
    assert ts == sorted(set(ts)) and ts[0] == t0 + APS_REL_US[0]
    assert frames[-1].image.shape == frames[-1].aps.shape == (64, 64)


def test_pipeline_attaches_the_last_aps_frame_at_or_before_each_window(davis_synth, tiny_model):
    aps = aps_of(davis_synth)
    times = np.array([t for t, _ in aps])
    pipe = Pipeline(str(davis_synth), WindowConfig(mode="duration", window_ms=7), model_obj=tiny_model,
                    post=PostConfig(steps=()))
    frames = list(pipe.frames())
    assert len(frames) > 10
    seen = set()
    for fr in frames:
        k = int(np.searchsorted(times, fr.t_us, side="right"))
        if k == 0:
            assert fr.aps is None and fr.aps_t_us is None
        else:
            assert fr.aps_t_us == times[k - 1] and np.array_equal(fr.aps, aps[k - 1][1])
            seen.add(fr.aps_t_us)
    assert seen == set(SYN_APS_US)
    # a seek back follows: the frame after it shows the earlier APS frame again
    pipe.seek(30_000)
    fr = next(pipe.frames())
    assert fr.aps_t_us == 20_000
    pipe.close()
    # aps=False: nothing attached (reconstruct without --save-aps)
    with Pipeline(str(davis_synth), WindowConfig(mode="duration", window_ms=30), model_obj=tiny_model,
                  post=PostConfig(steps=()), aps=False) as pipe:
        assert all(fr.aps is None for fr in pipe.frames())


def test_timestamps_from_aps_window_config(davis_synth, tiny_model):
    with pytest.raises(ConfigError, match="exclude each other"):
        WindowConfig(mode="timestamps", timestamps_path="ts.txt", timestamps_aps=True)
    with Pipeline(str(davis_synth), WindowConfig(mode="timestamps", timestamps_aps=True), model_obj=tiny_model,
                  post=PostConfig(steps=())) as pipe:
        frames = list(pipe.frames())
    assert [fr.t_us for fr in frames] == list(SYN_APS_US)
    assert [fr.aps_t_us for fr in frames] == list(SYN_APS_US)


@pytest.mark.usefixtures("one_torch_thread")
@pytest.mark.parametrize("roi, n", [(None, 1), ((5, 3, 40, 30), 1), ((5, 3, 41, 29), 3), (None, 2)])
def test_crop_and_bin(roi, n):
    from evfocus_live.config import model_size
    from evfocus_live.core.render import crop_and_bin
    img = syn_aps_image(1)
    x, y, w, h = roi or (0, 0, SYN_W, SYN_H)
    out = crop_and_bin(img, roi, n)
    assert np.array_equal(out, block_means(img[y:y + h, x:x + w], n))
    assert out.shape[::-1] == model_size(SYN_W, SYN_H, roi, n)  # the reconstruction's size


@pytest.mark.usefixtures("one_torch_thread")
def test_pipeline_aps_follows_roi_and_downsample(davis_synth, tiny_model):  # noqa: F811
    from evfocus_live.config import PostConfig, WindowConfig
    from evfocus_live.pipeline import Pipeline
    roi = (6, 4, 37, 33)
    with Pipeline(str(davis_synth), WindowConfig(mode="timestamps", timestamps_aps=True, roi=roi, downsample=2),
                  model_obj=tiny_model, post=PostConfig(steps=())) as pipe:
        frames = list(pipe.frames())
        assert [fr.aps_t_us for fr in frames] == list(SYN_APS_US)
        for k, fr in enumerate(frames):
            assert fr.aps.shape == fr.image.shape == (17, 19)
            assert np.array_equal(fr.aps, block_means(syn_aps_image(k)[4:37, 6:43], 2))
        # a new ROI (the viewer's box): the next frames' APS frame is cut anew
        pipe.set_window(WindowConfig(mode="duration", window_ms=5, roi=(0, 0, 32, 24)))
        pipe.seek(SYN_APS_US[1] + 1_000)
        fr = next(pipe.frames())
        assert fr.aps_t_us == SYN_APS_US[1] and np.array_equal(fr.aps, syn_aps_image(1)[:24, :32])


def test_pipeline_frames_carry_the_placed_aps_frame(roi_file, tiny_model):
    exp = dict(expected_frames())
    with Pipeline(str(roi_file), WindowConfig(mode="timestamps", timestamps_aps=True), model_obj=tiny_model,
                  post=PostConfig(steps=())) as pipe:
        frames = list(pipe.frames())
    assert [fr.aps_t_us for fr in frames] == list(exp)
    assert all(np.array_equal(fr.aps, exp[fr.aps_t_us]) for fr in frames)

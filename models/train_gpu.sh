#!/usr/bin/env bash
# Train the GPU models side by side on one GPU within a wall-time budget, then pack them.
#
#   bash models/train_gpu.sh OUTDIR [BUDGET_S] [SEQUENCES]
#
# 1. simulates the training set (the command in the configs' comment: 48 sequences, 256x192,
#    seed 1000) on all CPU cores, unless data_sim/train already holds it; SEQUENCES and RES=WxH
#    make another set (in data_sim/train-N-WxH): the full models overfit the 48 sequences
#    after ~5000 steps (models/EVALUATION.md), so longer runs want more sequences (smaller
#    frames are cheaper but sparser: 5.7 vs 13.9 events/px/s at 160x128 vs 256x192); SEED=N
#    (default 1000) makes a set of other scenes, in data_sim/train-N-WxH-sSEED;
# 2. trains the models named in $MODELS (default: evfocus-full and e2vid-full at the paper's
#    widths, and the light evfocus / e2vid with the GPU recipe: models/configs/*-full.toml,
#    *-gpu.toml) side by side on the one GPU, all stopping at the same wall time so that the
#    budget BUDGET_S (default 540 s) holds (MARGIN_S, default 75 s, is kept for caching the
#    data, the final save, packing and timing);
# 3. writes each model's weights as fp16 to OUTDIR (split into 15 MB parts for transfer,
#    joined with cat), the logs to OUTDIR/logs.tar.gz, and times the full models' inference.
# A further stage: MODELS=evfocus-full INIT_DIR=DIR LR=1e-4 bash models/train_gpu.sh ... starts
# from DIR/evfocus-full.pt (INIT_DIR=models: the shipped weights) or DIR/evfocus-full/final.pt
# (INIT_DIR=runs: the last call's run, for one more stage on the same warm machine; last.pt
# when the wall time, not the step budget, ended it) with a
# fresh optimiser and a lower peak rate; a model with neither stops the script before any work.
# STEPS=N gives every model the same step budget (the cosine then ends at N steps, or at the
# wall time if sooner).
# 4. times the end-to-end pipeline of the trained full models (bench/bench_gpu.py: fp16 / fp32,
#    346x260 and 1280x720, real recordings from $EVFOCUS_SHARED_DATA when carried); BENCH_S
#    (default 100) bounds it, BENCH_S=0 skips it.
# Ship with: python -m evfocus_live.train.card NAME CKPT CONFIG --int8 (the full models).
set -u
OUTDIR=${1:?usage: train_gpu.sh OUTDIR [BUDGET_S] [SEQUENCES]}
BUDGET_S=${2:-540}
SEQS=${3:-48}
T0=$(date +%s)
PY=${PYTHON:-python3}
CFG_DIR=${CFG_DIR:-$(dirname "$0")/configs}  # models/configs, wherever it is called from
MODELS=${MODELS:-evfocus-full e2vid-full evfocus-gpu e2vid-gpu}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
mkdir -p "$OUTDIR" runs
LOG=runs/device.log
say() { echo "[$(( $(date +%s) - T0 )) s] $*" | tee -a "$LOG"; }

say "start: $(nproc) cores; $(nvidia-smi -L 2>/dev/null | head -1)"
# every model's config, before any work: a missing one used to surface only after the simulation
for NAME in $MODELS; do
  [ -f "$CFG_DIR/$NAME.toml" ] || { say "no config $CFG_DIR/$NAME.toml for $NAME"; exit 1; }
done
# a further stage's starting weights, copied aside (runs/NAME is the new stage's output folder)
if [ -n "${INIT_DIR:-}" ]; then
  for NAME in $MODELS; do
    rm -f "runs/$NAME.init.pt"
    for f in "$INIT_DIR/$NAME.pt" "$INIT_DIR/$NAME/final.pt" "$INIT_DIR/$NAME/last.pt"; do
      [ -f "$f" ] && { cp "$f" "runs/$NAME.init.pt"; break; }
    done
    [ -f "runs/$NAME.init.pt" ] || { say "INIT_DIR=$INIT_DIR has no $NAME.pt, $NAME/final.pt or $NAME/last.pt"; exit 1; }
  done
fi
$PY -c "import torch, numpy, h5py, cv2, skimage, numba; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'numpy', numpy.__version__, 'skimage', skimage.__version__, 'numba', numba.__version__)" 2>&1 | tee -a "$LOG"

# textures the simulator reads from scikit-image's folder; a carried copy fills any gap
if [ -d .devcarry/skdata ]; then
  SKD=$($PY -c "import os, skimage.data; print(os.path.dirname(skimage.data.__file__))")
  cp -n .devcarry/skdata/* "$SKD"/ 2>>"$LOG" || say "warning: could not copy textures into $SKD"
fi

# the configs' set (48 x 256x192) in data_sim/train; another size (RES=WxH, SEQUENCES) beside it
RES=${RES:-256x192}
SEED=${SEED:-1000}
DATA=data_sim/train
[ "$SEQS" = 48 ] && [ "$RES" = 256x192 ] || DATA=data_sim/train-$SEQS-$RES
[ "$SEED" = 1000 ] || DATA=data_sim/train-$SEQS-$RES-s$SEED
if [ ! -f "$DATA/dataset.json" ]; then
  say "simulating $SEQS sequences at $RES (seed $SEED) into $DATA"
  NUMBA_NUM_THREADS=1 OMP_NUM_THREADS=1 timeout "${SIM_S:-240}" $PY -m evfocus_live simulate "$DATA" --sequences "$SEQS" --duration 2 --resolution "$RES" \
    --seed "$SEED" --no-aedat4 --workers "$(nproc)" --overwrite >>"$LOG" 2>&1 || { say "simulation failed"; tail -5 "$LOG"; exit 1; }
fi
say "data: $(ls "$DATA"/*.h5 | wc -l) sequences, $(du -sh "$DATA" | cut -f1)"

# all four stop at the same wall time: budget minus what is spent, minus caching and packing
LEFT_S=$(( BUDGET_S - ( $(date +%s) - T0 ) - ${MARGIN_S:-75} ))  # caching, final save, packing, timing
[ "$LEFT_S" -gt 30 ] || { say "no time left to train ($LEFT_S s)"; exit 1; }
MIN=$($PY -c "print($LEFT_S / 60)")
say "training $MODELS for $MIN min each"
PIDS=()
for NAME in $MODELS; do
  # a further stage: the weights copied aside above, with a lower peak rate LR
  EXTRA=()
  [ -n "${INIT_DIR:-}" ] && EXTRA=(--init "runs/$NAME.init.pt" ${LR:+--lr "$LR"})
  [ -n "${STEPS:-}" ] && EXTRA+=(--steps "$STEPS")
  $PY -m evfocus_live train "$CFG_DIR/$NAME.toml" --data "$DATA" --max-minutes "$MIN" --out "runs/$NAME" --no-progress "${EXTRA[@]}" \
    >"runs/$NAME.log" 2>&1 &
  PIDS+=($!)
done
# watchdog: past the budget, stop them (each has a checkpoint from the last minute)
( sleep $(( BUDGET_S - ( $(date +%s) - T0 ) - 15 )); kill "${PIDS[@]}" ) >/dev/null 2>&1 &
WD=$!
# each trainer's exit status: 0, or 130 where the watchdog stopped it at the wall time (evfocus
# train takes SIGTERM as Ctrl-C: last.pt written, exit 130; 143 if it died of the signal) — its
# last.pt is this run's; any other means it did not run, and a stale final.pt of an earlier
# stage in runs/NAME must not be packed as this stage's weights
RAN=""
FAILED=""
i=0
for NAME in $MODELS; do
  wait "${PIDS[$i]}"; RC=$?
  i=$(( i + 1 ))
  case $RC in 0|130|143) RAN="$RAN $NAME" ;; *) FAILED="$FAILED $NAME" ;; esac
done
pkill -P $WD 2>/dev/null; kill $WD 2>/dev/null
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv 2>/dev/null | tee -a "$LOG"
for NAME in $MODELS; do
  say "$NAME: $(tail -c 400 runs/$NAME.log | tr '\n' ' ')"
done

[ -n "$FAILED" ] && say "trainer failed:$FAILED (not packed)"
say "packing$RAN"
$PY - "$OUTDIR" "$RAN" <<'PYEOF' 2>&1 | tee -a "$LOG"
import sys
from pathlib import Path

import torch

from evfocus_live.nn.registry import load_checkpoint, read_checkpoint, save_checkpoint

out = Path(sys.argv[1])
missing = []
for name in sys.argv[2].split():
    run = Path("runs") / name
    src = run / "final.pt" if (run / "final.pt").is_file() else run / "last.pt"
    if not src.is_file():
        print(name, "no checkpoint")
        missing.append(name)
        continue
    meta = read_checkpoint(src).get("meta", {})
    save_checkpoint(out / f"{name}.pt", load_checkpoint(src), meta, half=True)
    print(name, src.name, "step", meta.get("step"), "wall_s", meta.get("wall_s"), "loss", meta.get("loss"))
sys.exit(1 if missing else 0)
PYEOF
[ "${PIPESTATUS[0]}" = 0 ] || FAILED="$FAILED packing"
for f in "$OUTDIR"/*.pt; do
  [ -f "$f" ] || continue
  [ "$(stat -c %s "$f")" -gt 15000000 ] && { split -b 15000000 -d "$f" "$f.part"; rm "$f"; }
done
# end-to-end pipeline speed of the trained full models on this GPU, E2VID as the baseline
FULL=$(for n in e2vid-full evfocus-full; do case " $RAN " in *" $n "*) ;; *) continue ;; esac; for c in final last; do
  [ -f "runs/$n/$c.pt" ] && { printf 'runs/%s/%s.pt ' "$n" "$c"; break; }; done; done)
if [ -n "$FULL" ] && [ "${BENCH_S:-100}" -gt 0 ]; then  # BENCH_S=0 skips it
  say "end-to-end timing: $FULL"
  timeout "${BENCH_S:-100}" $PY bench/bench_gpu.py --models $FULL -o "$OUTDIR/bench_gpu.json" 2>&1 | tail -14 | tee -a "$LOG"
fi
tar czf "$OUTDIR/logs.tar.gz" runs/*.log runs/*/log.csv runs/*/log.json runs/*/loss.png "$LOG" 2>/dev/null
ls -la "$OUTDIR"
# a failed trainer (or packing) fails the script, after the others' weights and the logs are out
[ -z "$FAILED" ] || { say "failed:$FAILED"; exit 1; }
say "done"

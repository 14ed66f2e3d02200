#!/usr/bin/env bash
# The CUDA paths no CPU test can run, in about a minute on a lent GPU machine (bare: python3 with
# torch, numpy, h5py, cv2; no Qt):
#
#   bash bench/gpu_smoke.sh OUTDIR        (DEVICE=cpu runs the same steps on a CPU, to check the script)
#
# 1. simulates a short 346x260 recording; 2. `evfocus reconstruct` on it: no --precision (fp16 on
# a GPU), --precision fp32 (fp32 on a GPU too), --backend jit (said unused on a GPU, one line);
# 3. the fp16 frames against the fp32 ones in grey levels (fp32 asked must differ from fp16: it
# ran fp16 in silence before), and the warning lines each run printed; 4. the live pipeline
# headless (`evfocus-live --headless`, threads and all) on the simulated camera, by default and
# with --precision fp32: each must run frames and name the precision it runs (fp16 / fp32 on a GPU).
# Exit 1 if a check fails.
set -u
OUT=${1:?usage: gpu_smoke.sh OUTDIR}
DEVICE=${DEVICE:-cuda}
PY=${PYTHON:-python3}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
mkdir -p "$OUT"
W=$(mktemp -d)
$PY -m evfocus_live simulate "$W/sim" --sequences 1 --duration 0.6 --resolution 346x260 --seed 7 --no-aedat4 \
  --workers 1 >"$OUT/simulate.log" 2>&1 || { echo "simulation failed"; tail -5 "$OUT/simulate.log"; exit 1; }
REC=$(ls "$W"/sim/*.h5 | head -1)
run() {  # NAME ARGS...: reconstruct into $W/NAME, its output lines in $OUT/NAME.log
  local name=$1; shift
  $PY -m evfocus_live reconstruct "$REC" -o "$W/$name" --device "$DEVICE" --no-progress "$@" >"$OUT/$name.log" 2>&1
  echo "$name: exit $?, $(ls "$W/$name"/frame_*.png 2>/dev/null | wc -l) frames"
  grep -iE "warn|not used|never built" "$OUT/$name.log" | head -5 | sed 's/^/    /'
}
run default
run fp32 --precision fp32
run jit --backend jit
$PY - "$W" "$DEVICE" <<'PYEOF' | tee "$OUT/checks.txt"
import sys
from pathlib import Path

import cv2
import numpy as np

w, device = Path(sys.argv[1]), sys.argv[2]
def frames(name):
    return [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE).astype(np.int16) for p in sorted((w / name).glob("frame_*.png"))]
d, f = frames("default"), frames("fp32")
ok = bool(d) and len(d) == len(f)
diff = max(int(np.abs(a - b).max()) for a, b in zip(d, f)) if ok else None
mean = float(np.mean([np.abs(a - b).mean() for a, b in zip(d, f)])) if ok else None
print(f"frames {len(d)} / {len(f)}; default vs --precision fp32: max {diff} grey levels, mean {mean}")
fails = []
if not ok:
    fails.append("frame counts differ or no frames")
elif device.startswith("cuda") and diff == 0:
    fails.append("--precision fp32 gave the same frames as the default fp16: not fp32")
elif not device.startswith("cuda") and diff != 0:
    fails.append("on a CPU the default and --precision fp32 must be the same (both fp32)")
print("FAIL: " + "; ".join(fails) if fails else "checks passed")
sys.exit(1 if fails else 0)
PYEOF
RC=$?
if [[ $DEVICE == cuda* ]] && ! grep -q "backend jit not used on" "$OUT/jit.log"; then
  echo "FAIL: --backend jit on $DEVICE was not said unused"; RC=1
fi
live() {  # NAME WANT ARGS...: the viewer's pipeline without a window, on the simulated camera
  local name=$1 want=$2; shift 2
  timeout 90 $PY -m evfocus_live.gui.app --headless --camera sim --device "$DEVICE" --exit-after-s 5 "$@" \
    >"$OUT/live_$name.log" 2>&1
  local rc=$? line frames
  line=$(grep -o "running .*" "$OUT/live_$name.log" | head -1)
  frames=$(grep -o "done: [0-9]* frame" "$OUT/live_$name.log" | grep -o "[0-9]*" | head -1)
  echo "live $name: exit $rc, ${frames:-0} frames, $line"
  if [ "$rc" != 0 ] || [ "${frames:-0}" -lt 1 ] || [[ $line != *" in $want" ]]; then
    echo "FAIL: live $name (want exit 0, frames, 'in $want')"; RC=1
  fi
}
if [[ $DEVICE == cuda* ]]; then live default fp16; else live default "$($PY -c 'from evfocus_live.nn.runtime import _bf16_fast; print("bf16" if _bf16_fast() else "fp32")')"; fi
live fp32 fp32 --precision fp32
rm -rf "$W"
exit $RC

"""``evfocus bench [--json] [--quick]``: stage and end-to-end speed, with in-process baselines."""

from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)


def add_parser(sub):
    p = sub.add_parser("bench", help="measure read, voxel, model, post-processing, display and end-to-end speed",
                       description=__doc__)
    p.add_argument("--json", action="store_true", help="print the result as JSON instead of a Markdown table")
    p.add_argument("--quick", action="store_true", help="fewer repeats and a shorter replay (a rough check)")
    p.add_argument("--models", nargs="+", metavar="NAME", help="models to time (default: all built-ins)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch CPU threads (default: the pipeline's, nn.runtime.default_threads)")
    p.add_argument("-o", "--out", metavar="FILE", help="also write the JSON result here")
    return p


def run(args) -> int:
    from .. import benchmark

    result = benchmark.run(quick=args.quick, models=args.models, threads=args.threads,
                           progress=lambda s: log.info("bench: %s", s))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(result, fh, indent=2)
    print(json.dumps(result, indent=2) if args.json else benchmark.format_table(result))
    return 0

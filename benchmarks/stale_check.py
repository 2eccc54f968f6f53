"""The stale-feature check `shortlist` runs before judging, timed on a copy of a store.

Copies the store (the source stays untouched; its features must be up to date, as after
`microscout db refresh-features`), then times ``store.features.stale_count`` ``--runs``
times and ``refresh`` with nothing to do once, each in CPU and wall time. Run it with the
package before a change on PYTHONPATH and after, one after the other:

    git archive e5e4341 microscout | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python benchmarks/stale_check.py --db W/store-100000.db
    PYTHONPATH=.        python benchmarks/stale_check.py --db W/store-100000.db
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from store_args import store_parser


def timed(what: str, call) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    print(f"{what}: {result}; wall {time.perf_counter() - wall:.3f} s, CPU {time.process_time() - cpu:.3f} s")


def main() -> int:
    parser = store_parser(__doc__)
    parser.add_argument("--runs", type=int, default=4, help="stale checks in a row (default 4)")
    args = parser.parse_args()

    import microscout
    from microscout.store import features, open_store
    print(f"microscout from {Path(microscout.__file__).parent}")
    with tempfile.TemporaryDirectory(prefix="microscout-stale-", dir=Path(args.db).parent) as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(args.db, copy)
        db = open_store(str(copy), create=False)
        for n in range(1, args.runs + 1):
            timed(f"check {n}, items missing a feature", lambda: features.stale_count(db))
        timed("refresh with nothing to do, features computed", lambda: features.refresh(db).computed)
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The interview detector: confusion table on the labelled corpus and the background, and its speed.

Run: .venv/bin/python bench/bench_suggest.py
"""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from calsync.core.suggest import SUGGEST_AT, assess  # noqa: E402
from tests.core.suggest_corpus import CORPUS, ME, background  # noqa: E402


def main() -> None:
    for threshold in (SUGGEST_AT, 0.9):
        counts = Counter()
        for i, case in enumerate(CORPUS):
            found = assess(case.event(i), case.description, (ME,))
            counts[(case.interview, found is not None and found.score >= threshold)] += 1
        tp, fp, fn, tn = counts[(True, True)], counts[(False, True)], counts[(True, False)], counts[(False, False)]
        print(f"labelled corpus, score >= {threshold}: {len(CORPUS)} events")
        print(f"                  suggested   not suggested")
        print(f"  interview       {tp:>9}   {fn:>13}")
        print(f"  look-alike      {fp:>9}   {tn:>13}")
        print(f"  recall {tp / (tp + fn):.1%}   precision {tp / max(1, tp + fp):.1%}\n")
    events = background(10_000)
    false = [e for e in events if (a := assess(e, e.description, (ME,))) is not None and a.score >= SUGGEST_AT]
    print(f"background: {len(false)} false suggestions in {len(events):,} ordinary events")
    for label, sample in (("background (mostly prefiltered)", events), ("labelled corpus (full scoring)", [c.event(i) for i, c in enumerate(CORPUS)])):
        rounds = max(1, 20_000 // len(sample))
        began = time.process_time()  # CPU of this process: other load on the machine does not count
        for _ in range(rounds):
            for event in sample:
                assess(event, event.description, (ME,))
        per_event = (time.process_time() - began) / (rounds * len(sample))
        print(f"{label}: {per_event * 1e6:.1f} µs CPU per event (target <= 20; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()

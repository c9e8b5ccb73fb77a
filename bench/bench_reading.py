"""Reading hostile event texts (issue 10): each input's time, and the ratio when its size doubles.

A linear reader shows ratios near 2; a quadratic one near 4. Run: .venv/bin/python bench/bench_reading.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.core.hostile_texts import HOSTILE  # noqa: E402
from tests.core.read_hostile import read  # noqa: E402


def main() -> None:
    print(f"{'input':22} {'chars':>9} {'time':>9} {'2x time':>9} {'ratio':>6}")
    worst = ("", 0.0)
    for name, make in HOSTILE.items():
        text = make(1)
        once = min(read(text) for _ in range(3))
        twice = min(read(make(2)) for _ in range(3))
        worst = max(worst, (name, twice), key=lambda w: w[1])
        print(f"{name:22} {len(text):>9,} {once * 1000:>7.1f}ms {twice * 1000:>7.1f}ms {twice / max(once, 1e-6):>6.1f}")
    print(f"slowest: {worst[0]} at double size, {worst[1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()

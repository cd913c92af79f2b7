"""Money in the guarantee network is exact integer fen (分); `yuan` writes an amount for people."""

from __future__ import annotations


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"

"""The public-notice tests share notice_helpers.py (tests run in importlib mode: no package imports)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

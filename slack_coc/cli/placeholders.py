"""Commands whose implementation arrives with later issues; their names are reserved.
(`serve` now lives in `cli/serve.py`.)"""

from __future__ import annotations

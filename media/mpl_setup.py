"""One matplotlib set-up for every chart we draw: Agg backend and text drawn exactly as written.

Users name companies, roles and topics freely ("Ba$$ Capital", "50% off", "a_b^c"). By default
matplotlib reads text between two `$` as mathtext: "$x$" is drawn as an italic x, and an odd layout
such as "Ba$$ Capital" raises a parse error that blanks the whole chart. `literal_text()` turns that
off for the process (`text.parse_math` and `text.usetex` False), so every Text artist -- titles, tick
labels created later at draw time, legends, annotations, word-cloud words -- shows its string as is.
It is a process-wide setting on purpose: a per-figure context (`rc_context`) is not thread-safe, and
chart functions run in worker threads; nothing in this project uses mathtext.
"""

from __future__ import annotations

import logging
import os

# The backend is chosen before matplotlib is imported, not with matplotlib.use(): use() calls into
# pyplot, and while another thread is importing pyplot (a chart job warming up) that raises
# "partially initialized module 'matplotlib.pyplot'" in the thread that called use().
os.environ["MPLBACKEND"] = "Agg"

import matplotlib  # noqa: E402

logger = logging.getLogger(__name__)


def literal_text() -> None:
    """Draw every text literally from now on (idempotent; chart functions call it before drawing)."""
    params = matplotlib.rcParams
    if params["text.parse_math"] or params["text.usetex"]:
        params["text.parse_math"] = False
        params["text.usetex"] = False


literal_text()

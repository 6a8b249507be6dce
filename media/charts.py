"""Chart images for company insights and /insights: matplotlib (Agg) to PNG bytes, readable on a phone.

Every function takes plain data and returns a `ChartImage` whose caption states the main finding in
words (for previews, screen readers and slow connections). Charts are 1200 px wide at 150 dpi with
fonts of 14 pt and more, sorted horizontal bars for long names, at most 12 categories plus "Other",
one palette. Empty data never raises: it renders a "Not enough data yet" card with `empty=True`, so a
caller may send it or skip it. Figures are built with the object API (`matplotlib.figure.Figure`, no
pyplot state), rendered under one lock and dropped at once, so calling these from worker threads
(`asyncio.to_thread`) keeps the event loop free and leaks no figures. Every text (company, topic,
word) is drawn exactly as written, `$` included (see media.mpl_setup). Each public chart function is
a module-level function, so `functools.partial(charts.topics_bar, name, counts, total)` is a picklable
job for media.pool.WorkerPool.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec

import matplotlib.pyplot as plt  # noqa: E402,F401 - imported once here so no request pays for it
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from media.mpl_setup import literal_text

try:  # optional: a real word cloud when the `wordcloud` wheel is installed (it ships its own font)
    from wordcloud import WordCloud
except Exception:  # noqa: BLE001 - any import problem means "use the matplotlib layout"
    WordCloud = None

logger = logging.getLogger(__name__)

DPI = 150
WIDTH_IN = 8.0  # 1200 px
HEIGHT_IN = 6.0  # 900 px; tall charts go up to 8 in (1200 px)
MAX_CATEGORIES = 12
TITLE_PT, LABEL_PT, TICK_PT, NOTE_PT = 20, 16, 15, 14
FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine

# One palette everywhere: blue = candidates/counts, orange = selections/rates, grey = "Other".
BLUE, ORANGE, GREEN, RED, GREY, INK = "#1f5fa8", "#e07b22", "#2a9d8f", "#c4424f", "#9aa3ad", "#1d2733"
PALETTE = (BLUE, ORANGE, GREEN, RED, "#7a5195", "#5c8a3a")
_HEAT = LinearSegmentedColormap.from_list("rate", ["#f3f6fa", "#9ec1e6", BLUE, "#0d2f57"])
_RENDER_LOCK = threading.Lock()
P = ParamSpec("P")


@dataclass(frozen=True)
class ChartImage:
    """A rendered chart: PNG bytes, a file name and a caption that says the main finding in words."""

    png: bytes
    filename: str
    caption: str
    empty: bool = False  # True for the "Not enough data yet" card


# ------------------------------------------------------------------ helpers


def _rendered(fn: Callable[P, ChartImage]) -> Callable[P, ChartImage]:
    """Serialise rendering (matplotlib's font caches are shared) and never let bad data crash a reply."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> ChartImage:
        with _RENDER_LOCK:
            literal_text()  # user-written names may hold "$": never read them as mathtext
            try:
                return fn(*args, **kwargs)
            except Exception:
                logger.exception("chart %s failed; sending a placeholder", fn.__name__)
                return _placeholder(
                    "Chart unavailable", f"{fn.__name__}.png", "This chart could not be drawn."
                )

    return wrapper


def _slug(text: str) -> str:
    """A safe file-name part ("Tata Consultancy" -> "tata-consultancy")."""
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return s[:40] or "chart"


def _short(label: Any, n: int = 24) -> str:
    """A label cut to `n` characters so horizontal bars keep room for their values."""
    s = " ".join(str(label).split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def _pct(x: float) -> str:
    """0.643 -> "64%"."""
    return f"{round(100 * x)}%"


def _figure(height: float = HEIGHT_IN) -> tuple[Figure, Any]:
    """A white 1200 px wide figure with one clean axes (no top/right frame)."""
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained", facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=TICK_PT, colors=INK)
    return fig, ax


def _title(fig: Figure, text: str) -> None:
    """The chart's title, large and left aligned like a card heading."""
    fig.suptitle(
        _short(text, 48), fontsize=TITLE_PT, fontweight="bold", color=INK, x=0.02, ha="left", family=FONT
    )


def _png(fig: Figure) -> bytes:
    """Render `fig` to PNG bytes at a fixed size and drop its contents."""
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    finally:
        fig.clear()
    return buf.getvalue()


def _placeholder(title: str, filename: str, caption: str) -> ChartImage:
    """The "Not enough data yet" card (same size and style as a chart, `empty=True`)."""
    fig, ax = _figure()
    ax.axis("off")
    _title(fig, title)
    ax.text(
        0.5,
        0.58,
        "Not enough data yet",
        ha="center",
        va="center",
        fontsize=24,
        color=INK,
        family=FONT,
        transform=ax.transAxes,
        fontweight="bold",
    )
    ax.text(
        0.5,
        0.40,
        "Share your interview experience\nto help fill this chart.",
        ha="center",
        va="center",
        fontsize=LABEL_PT,
        color="#56606b",
        family=FONT,
        transform=ax.transAxes,
        linespacing=1.5,
    )
    return ChartImage(_png(fig), filename, caption, empty=True)


def _top(
    items: Iterable[tuple[str, float]], k: int = MAX_CATEGORIES, other: bool = True
) -> list[tuple[str, float]]:
    """The `k` biggest (label, value) pairs, biggest first, plus "Other" summing the rest when `other`."""
    pairs = sorted(((str(a), float(b)) for a, b in items if b and b > 0), key=lambda p: (-p[1], p[0]))
    head, tail = pairs[:k], pairs[k:]
    if other and tail:
        head.append((f"Other ({len(tail)})", sum(v for _, v in tail)))
    return head


def _hbars(ax: Any, pairs: Sequence[tuple[str, float]], texts: Sequence[str], colors: Sequence[str]) -> None:
    """Horizontal bars, biggest on top, each with its value written at its end."""
    labels = [_short(p[0]) for p in pairs]
    values = [p[1] for p in pairs]
    y = list(range(len(pairs)))[::-1]
    ax.barh(y, values, color=colors, height=0.7)
    ax.set_yticks(y, labels, fontsize=TICK_PT, family=FONT)
    top = max(values) if values else 1
    ax.set_xlim(0, top * 1.22)
    for yi, v, t in zip(y, values, texts, strict=True):
        ax.text(v + top * 0.015, yi, t, va="center", fontsize=NOTE_PT, color=INK, family=FONT)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)


def _join(words: Sequence[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# ------------------------------------------------------------------ company charts


@_rendered
def topics_bar(company: str, counts: Mapping[str, int], total: int) -> ChartImage:
    """Share of a company's experiences that touched each topic (an experience can count for several)."""
    name = f"{_slug(company)}-topics.png"
    title = f"{company}: topics asked"
    pairs = _top(counts.items(), other=False)
    if total <= 0 or not pairs:
        return _placeholder(title, name, f"Not enough data yet for topics asked at {company}.")
    more = sum(1 for v in counts.values() if v and v > 0) - len(pairs)
    fig, ax = _figure(HEIGHT_IN if len(pairs) <= 8 else 7.5)
    _title(fig, title)
    _hbars(ax, pairs, [f"{_pct(v / total)}" for _, v in pairs], [BLUE] * len(pairs))
    note = f"Share of {total:,} experiences" + (f" · {more} more topics not shown" if more > 0 else "")
    ax.set_title(note, fontsize=NOTE_PT, color="#56606b", loc="left", family=FONT)
    first, share = pairs[0][0], pairs[0][1] / total
    caption = f"{first} comes up most: in {_pct(share)} of {total:,} {company} experiences."
    if len(pairs) > 1:
        rest = [f"{t} ({_pct(v / total)})" for t, v in pairs[1:3]]
        caption += f" Then {_join(rest)}."
    return ChartImage(_png(fig), name, caption)


MIN_GROUP = 3  # core.analytics.stats.MIN_GROUP: no rate from fewer people (media imports no core)


@dataclass(frozen=True)
class YearSeries:
    """What the years chart plots, one entry per calendar year from the first to the last with data.

    A year without experiences has 0-height bars and NaN as its rate, so the rate line breaks there
    instead of joining its neighbours; a year with fewer than MIN_GROUP known results (selected +
    rejected) has NaN too (no rate from one or two people). Rates are selected / decided: pending
    and withdrew never count as rejections.
    """

    years: tuple[int, ...]
    candidates: tuple[int, ...]
    selected: tuple[int, ...]
    decided: tuple[int, ...]
    rates: tuple[float, ...]  # NaN where there is no data or fewer than MIN_GROUP decided

    @property
    def few(self) -> tuple[bool, ...]:
        """Per year: True where 1 to MIN_GROUP - 1 people are counted (drawn hatched, marked "<3")."""
        return tuple(0 < c < MIN_GROUP for c in self.candidates)


def year_series(rows: Sequence[tuple[int, int, int, int]], span: int = MAX_CATEGORIES) -> YearSeries | None:
    """(year, candidates, selected, decided) rows -> the latest `span` calendar years; None when empty."""
    data: dict[int, tuple[int, int, int]] = {}
    for y, c, s, d in rows:
        if c and c > 0:
            data[int(y)] = (int(c), int(s), int(d))
    if not data:
        return None
    last = max(data)
    years = tuple(range(max(min(data), last - span + 1), last + 1))
    counts = [data.get(y, (0, 0, 0)) for y in years]
    rates = tuple(s / d if d >= MIN_GROUP else math.nan for _, s, d in counts)
    return YearSeries(
        years,
        tuple(c for c, _, _ in counts),
        tuple(s for _, s, _ in counts),
        tuple(d for _, _, d in counts),
        rates,
    )


def _years_chart(
    company: str, rows: Sequence[tuple[int, int, int, int]], what: str, name: str, xlabel: str
) -> ChartImage:
    """Candidates and selections per year as paired bars, with the selection rate as a line (gaps where
    a year has no data or fewer than MIN_GROUP known results)."""
    series = year_series(rows)
    title = f"{company}: {what}"
    if series is None:
        return _placeholder(title, name, f"Not enough data yet for {what} at {company}.")
    fig, ax = _figure()
    _title(fig, title)
    xs = list(range(len(series.years)))
    w = 0.38
    ax.bar([x - w / 2 for x in xs], series.candidates, w, color=BLUE, label="Candidates")
    ax.bar([x + w / 2 for x in xs], series.selected, w, color=ORANGE, label="Selected")
    for x, few in zip(xs, series.few, strict=True):
        if few:  # fewer than MIN_GROUP people: marked as too few (hatched over, "<3" above)
            top = series.candidates[x]
            ax.bar(x, top, 2 * w, color="white", alpha=0.55, hatch="///", edgecolor=GREY, linewidth=0)
            ax.annotate(
                f"<{MIN_GROUP}",
                (x, top),
                textcoords="offset points",
                xytext=(0, 3),
                ha="center",
                fontsize=NOTE_PT,
                family=FONT,
                color=GREY,
            )
    ax.set_xticks(xs, [str(y) for y in series.years], fontsize=TICK_PT, family=FONT)
    if len(xs) > 7:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel(xlabel, fontsize=LABEL_PT, family=FONT, color=INK)
    ax.set_ylabel("People", fontsize=LABEL_PT, family=FONT, color=INK)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.grid(axis="y", color="#e3e7ec")
    ax.set_axisbelow(True)
    rate_ax = ax.twinx()
    label = f"Selection rate (years with {MIN_GROUP}+ results)"
    rate_ax.plot(xs, series.rates, color=GREEN, marker="o", linewidth=3, markersize=9, label=label)
    rate_ax.set_ylim(0, 1.05)
    rate_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    rate_ax.tick_params(labelsize=TICK_PT, colors=GREEN)
    rate_ax.spines["top"].set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + rate_ax.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=NOTE_PT, frameon=False)
    return ChartImage(_png(fig), name, _years_caption(company, series))


def _years_caption(company: str, series: YearSeries) -> str:
    """Totals, the overall rate (selected / decided, shown from MIN_GROUP results), busiest and best year."""
    total_c, total_s, total_d = sum(series.candidates), sum(series.selected), sum(series.decided)
    if total_d >= MIN_GROUP:
        overall = f"{_pct(total_s / total_d)} of {total_d:,} with a known result"
    else:
        overall = "too few known results for a rate"
    caption = f"{company}: {total_c:,} candidates, {total_s:,} selected ({overall})"
    present = [(y, c, r) for y, c, r in zip(series.years, series.candidates, series.rates, strict=True) if c]
    few = [str(y) for y, c, _ in present if c < MIN_GROUP]
    note = f" Fewer than {MIN_GROUP} people in {_join(few)} (hatched)." if few else ""
    busiest = max(present, key=lambda r: (r[1], r[0]))
    if len(present) == 1:
        return caption + (f", all in {busiest[0]}." if not few else ".") + note
    if busiest[1] >= MIN_GROUP:
        caption += f"; most in {busiest[0]} ({busiest[1]:,})"
    rated = [(y, c, r) for y, c, r in present if not math.isnan(r)]
    if len(rated) > 1:
        best = max(rated, key=lambda r: (r[2], r[1]))
        caption += f", best selection rate in {best[0]} ({_pct(best[2])})"
    return caption + "." + note


@_rendered
def per_year(company: str, rows: Sequence[tuple[int, int, int, int]]) -> ChartImage:
    """Candidates and selections per interview year (bars) with the selection rate (line).

    `rows` are (year, candidates, selected, decided); decided = selected + rejected."""
    return _years_chart(
        company, rows, "candidates per interview year", f"{_slug(company)}-per-year.png", "Interview year"
    )


@_rendered
def passout_breakdown(company: str, rows: Sequence[tuple[int, int, int, int]]) -> ChartImage:
    """Candidates and selections by year of passout (graduation batch), with the selection rate.

    `rows` are (year, candidates, selected, decided); decided = selected + rejected."""
    return _years_chart(
        company, rows, "candidates by passout year", f"{_slug(company)}-passout.png", "Year of passout"
    )


@_rendered
def difficulty_distribution(company: str, counts: Mapping[int, int], what: str = "difficulty") -> ChartImage:
    """How candidates rated the difficulty (or, with what="rating", the experience) from 1 to 5."""
    name = f"{_slug(company)}-{_slug(what)}.png"
    title = f"{company}: {what} ratings"
    clean = {int(k): int(v) for k, v in counts.items() if v and v > 0 and 1 <= int(k) <= 5}
    n = sum(clean.values())
    if not n:
        return _placeholder(title, name, f"Not enough data yet for {what} ratings at {company}.")
    fig, ax = _figure()
    _title(fig, title)
    levels = [1, 2, 3, 4, 5]
    vals = [clean.get(k, 0) for k in levels]
    words = (
        ["Very easy", "Easy", "Medium", "Hard", "Very hard"]
        if what == "difficulty"
        else ["1", "2", "3", "4", "5"]
    )
    mode = max(levels, key=lambda k: (clean.get(k, 0), -k))
    ax.bar(levels, vals, color=[ORANGE if k == mode else BLUE for k in levels], width=0.7)
    ax.set_xticks(
        levels,
        [f"{k}\n{w}" if w != str(k) else str(k) for k, w in zip(levels, words, strict=True)],
        fontsize=TICK_PT,
        family=FONT,
    )
    top = max(vals)
    ax.set_ylim(0, top * 1.2)
    for k, v in zip(levels, vals, strict=True):
        if v:
            ax.text(k, v + top * 0.02, f"{v}", ha="center", fontsize=NOTE_PT, color=INK, family=FONT)
    ax.yaxis.set_visible(False)
    ax.spines["left"].set_visible(False)
    avg = sum(k * v for k, v in clean.items()) / n
    ax.set_title(
        f"{n:,} ratings · average {avg:.1f} of 5", fontsize=NOTE_PT, color="#56606b", loc="left", family=FONT
    )
    caption = (
        f"Most {company} candidates rated the {what} {mode} of 5 ({_pct(clean[mode] / n)} of {n:,}); "
        f"average {avg:.1f}."
    )
    return ChartImage(_png(fig), name, caption)


@_rendered
def word_cloud(company: str, frequencies: Mapping[str, int], engine: str = "auto") -> ChartImage:
    """The words most asked at a company, sized by frequency (`wordcloud` if installed, else flow layout)."""
    name = f"{_slug(company)}-words.png"
    title = f"{company}: most asked words"
    freqs = dict(_top(frequencies.items(), k=80, other=False))
    if not freqs:
        return _placeholder(title, name, f"Not enough data yet for a word cloud of {company} questions.")
    fig, ax = _figure()
    _title(fig, title)
    ax.axis("off")
    use_wc = engine == "wordcloud" or (engine == "auto" and WordCloud is not None)
    if use_wc and WordCloud is not None:
        palette = PALETTE[:4]

        def color(word: str, font_size: int, position: Any, orientation: Any, **_: Any) -> str:
            return palette[zlib.crc32(word.encode()) % len(palette)] if font_size < 60 else BLUE

        # Layout on a half-size canvas drawn at scale 2: the same 1100x720 picture, a third of the time.
        cloud = WordCloud(
            width=550,
            height=360,
            scale=2,
            background_color="white",
            prefer_horizontal=1.0,
            max_words=60,
            min_font_size=11,
            max_font_size=70,
            relative_scaling=0.4,
            random_state=7,
            color_func=lambda word, font_size, *a, **k: color(word, font_size * 2, *a, **k),
            margin=3,
        )
        ax.imshow(cloud.generate_from_frequencies(freqs).to_array(), interpolation="bilinear")
    else:
        _flow_cloud(fig, ax, list(freqs.items()))
    top = [w for w, _ in list(freqs.items())[:5]]
    caption = f"Most frequent words in {company} questions: {_join(top)}."
    return ChartImage(_png(fig), name, caption)


def _flow_cloud(fig: Figure, ax: Any, words: list[tuple[str, float]]) -> None:
    """A word cloud with matplotlib only: words in centred rows, font size by frequency, never overlapping."""
    words = words[:40]
    hi, lo = words[0][1], words[-1][1]
    renderer = fig.canvas.get_renderer()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax_box = ax.get_window_extent(renderer)
    rows: list[list[tuple[str, float, float, float]]] = [[]]  # (word, size, width_px, height_px)
    row_w = 0.0
    for i, (w, f) in enumerate(words):
        size = 16 + (40 - 16) * (math.sqrt(f - lo) / math.sqrt(hi - lo) if hi > lo else 1.0)
        t = ax.text(0, 0, w, fontsize=size, family=FONT)
        bb = t.get_window_extent(renderer)
        t.remove()
        gap = 0.5 * size * DPI / 72
        if row_w + bb.width > ax_box.width and rows[-1]:
            rows.append([])
            row_w = 0.0
        rows[-1].append((w, size, bb.width, bb.height))
        row_w += bb.width + gap
        del i
    heights = [max(h for *_, h in r) * 1.25 for r in rows]
    while sum(heights) > ax_box.height and len(rows) > 1:  # drop the rarest words until everything fits
        rows.pop()
        heights.pop()
    y = 0.5 + sum(heights) / ax_box.height / 2
    for n, (r, h) in enumerate(zip(rows, heights, strict=True)):
        y -= h / ax_box.height
        gaps = [0.5 * s * DPI / 72 for _, s, _, _ in r]
        width = sum(wd for _, _, wd, _ in r) + sum(gaps[:-1])
        x = 0.5 - width / ax_box.width / 2
        for k, (w, s, wd, _) in enumerate(r):
            ax.text(
                x,
                y + h / ax_box.height * 0.1,
                w,
                fontsize=s,
                family=FONT,
                color=BLUE if s > 30 else PALETTE[(n + k) % 4],
                va="bottom",
            )
            x += (wd + gaps[k]) / ax_box.width


# ------------------------------------------------------------------ overall charts


@_rendered
def branch_year_heatmap(rows: Sequence[tuple[str, int, float, int]]) -> ChartImage:
    """Selection rate (0-1) by branch and passout year; each cell shows the rate and how many people."""
    name = "branch-year-selection.png"
    title = "Selection rate by branch and batch"
    data = [(str(b), int(y), float(r), int(n)) for b, y, r, n in rows if n and n > 0]
    if not data:
        return _placeholder(title, name, "Not enough data yet for selection rates by branch and year.")
    size: dict[str, int] = {}
    for b, _, _, n in data:
        size[b] = size.get(b, 0) + n
    branches = sorted(size, key=lambda b: (-size[b], b))[:MAX_CATEGORIES]
    years = sorted({y for _, y, _, _ in data})[-8:]
    cells = {(b, y): (r, n) for b, y, r, n in data if b in branches and y in years}
    grid = [[cells.get((b, y), (math.nan, 0))[0] for y in years] for b in branches]
    fig, ax = _figure(HEIGHT_IN if len(branches) <= 6 else 8.0)
    _title(fig, title)
    img = ax.imshow(grid, cmap=_HEAT, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(years)), [str(y) for y in years], fontsize=TICK_PT, family=FONT)
    ax.set_yticks(range(len(branches)), [_short(b, 14) for b in branches], fontsize=TICK_PT, family=FONT)
    ax.set_xlabel("Year of passout", fontsize=LABEL_PT, family=FONT, color=INK)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    small = len(years) > 5 or len(branches) > 8
    for i, b in enumerate(branches):
        for j, y in enumerate(years):
            if (b, y) in cells:
                r, n = cells[(b, y)]
                txt = _pct(r) if small else f"{_pct(r)}\nn={n}"
                ax.text(
                    j,
                    i,
                    txt,
                    ha="center",
                    va="center",
                    fontsize=NOTE_PT - (1 if small else 0),
                    color="white" if r > 0.55 else INK,
                    family=FONT,
                )
    bar = fig.colorbar(img, ax=ax, fraction=0.05, pad=0.02, format=PercentFormatter(1.0, decimals=0))
    bar.ax.tick_params(labelsize=NOTE_PT)
    solid = [c for c in data if c[0] in branches and c[1] in years and c[3] >= 5] or data
    best = max(solid, key=lambda c: (c[2], c[3]))
    caption = f"Highest selection rate: {best[0]} batch of {best[1]} ({_pct(best[2])} of {best[3]:,})."
    worst = min(solid, key=lambda c: (c[2], -c[3]))
    if worst != best:
        caption += f" Lowest: {worst[0]} {worst[1]} ({_pct(worst[2])} of {worst[3]:,})."
    return ChartImage(_png(fig), name, caption)


@_rendered
def top_companies(rows: Sequence[tuple[str, int]]) -> ChartImage:
    """Companies with the most shared experiences (top 12 plus "Other")."""
    name = "top-companies.png"
    title = "Companies with the most experiences"
    pairs = _top(rows)
    if not pairs:
        return _placeholder(title, name, "Not enough data yet for the companies with the most experiences.")
    total = sum(v for _, v in pairs)
    fig, ax = _figure(HEIGHT_IN if len(pairs) <= 8 else 7.5)
    _title(fig, title)
    colors = [GREY if p[0].startswith("Other (") else BLUE for p in pairs]
    _hbars(ax, pairs, [f"{int(v):,}" for _, v in pairs], colors)
    first, n = pairs[0]
    caption = f"{first} has the most experiences: {int(n):,} of {int(total):,} ({_pct(n / total)})."
    if len(pairs) > 1 and not pairs[1][0].startswith("Other ("):
        caption += f" Next: {pairs[1][0]} ({int(pairs[1][1]):,})."
    return ChartImage(_png(fig), name, caption)


@_rendered
def trend(rows: Sequence[tuple[int, int]]) -> ChartImage:
    """Experiences shared per interview year (needs two years or more to show a trend)."""
    name = "trend.png"
    title = "Experiences shared per year"
    data = sorted((int(y), int(n)) for y, n in rows if n is not None and n >= 0)
    if len(data) < 2:
        extra = f" Only {data[0][0]} so far ({data[0][1]:,} experiences)." if data else ""
        return _placeholder(title, name, "Not enough data yet for a trend over the years." + extra)
    data = data[-MAX_CATEGORIES:]
    fig, ax = _figure()
    _title(fig, title)
    xs = [y for y, _ in data]
    ys = [n for _, n in data]
    ax.fill_between(xs, ys, color=BLUE, alpha=0.12)
    ax.plot(xs, ys, color=BLUE, marker="o", linewidth=3, markersize=9)
    ax.set_xticks(xs, [str(x) for x in xs], fontsize=TICK_PT, family=FONT)
    if len(xs) > 7:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylim(0, max(ys) * 1.2 or 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.set_ylabel("Experiences", fontsize=LABEL_PT, family=FONT, color=INK)
    ax.grid(axis="y", color="#e3e7ec")
    peak = max(data, key=lambda d: (d[1], d[0]))
    ax.annotate(
        f"{peak[1]:,}",
        (peak[0], peak[1]),
        textcoords="offset points",
        xytext=(0, 12),
        ha="center",
        fontsize=NOTE_PT,
        color=INK,
        family=FONT,
    )
    (y0, n0), (y1, n1) = data[0], data[-1]
    verb = "grew" if n1 > n0 else "fell" if n1 < n0 else "held steady"
    caption = (
        f"Experiences shared {verb} from {n0:,} in {y0} to {n1:,} in {y1}; peak {peak[1]:,} in {peak[0]}."
    )
    return ChartImage(_png(fig), name, caption)


@_rendered
def sentiment_hist(values: Sequence[float]) -> ChartImage:
    """How experiences read, from negative (-1) to positive (+1), with VADER's ±0.05 neutral band."""
    name = "sentiment.png"
    title = "How candidates felt about their interviews"
    vals = [max(-1.0, min(1.0, float(v))) for v in values if v is not None and not math.isnan(float(v))]
    if not vals:
        return _placeholder(title, name, "Not enough data yet for the sentiment of experiences.")
    fig, ax = _figure()
    _title(fig, title)
    edges = [-1 + i * 0.2 for i in range(11)]
    counts = [0] * 10
    for v in vals:
        counts[min(9, int((v + 1) / 0.2))] += 1
    centers = [e + 0.1 for e in edges[:-1]]
    colors = [RED if c < -0.05 else GREEN if c > 0.05 else GREY for c in centers]
    ax.bar(centers, counts, width=0.18, color=colors)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xticks(
        [-1, -0.5, 0, 0.5, 1],
        ["−1\nnegative", "−0.5", "0\nneutral", "0.5", "+1\npositive"],
        fontsize=TICK_PT,
        family=FONT,
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
    ax.set_ylabel("Experiences", fontsize=LABEL_PT, family=FONT, color=INK)
    ax.grid(axis="y", color="#e3e7ec")
    ax.set_axisbelow(True)
    n = len(vals)
    pos = sum(v > 0.05 for v in vals) / n
    neg = sum(v < -0.05 for v in vals) / n
    neu = 1 - pos - neg
    mood = max((pos, "positive"), (neu, "neutral"), (neg, "negative"))[1]
    caption = (
        f"Most experiences read {mood}: {_pct(pos)} positive, {_pct(neu)} neutral, {_pct(neg)} negative "
        f"(of {n:,})."
    )
    return ChartImage(_png(fig), name, caption)


@_rendered
def hot_topics(counts: Mapping[str, int], period: str = "this season") -> ChartImage:
    """Topics asked most in recent experiences (top 12 plus "Other")."""
    name = "hot-topics.png"
    title = f"Hot topics {period}"
    pairs = _top(counts.items())
    if not pairs:
        return _placeholder(title, name, f"Not enough data yet for hot topics {period}.")
    fig, ax = _figure(HEIGHT_IN if len(pairs) <= 8 else 7.5)
    _title(fig, title)
    colors = [GREY if p[0].startswith("Other (") else ORANGE for p in pairs]
    _hbars(ax, pairs, [f"{int(v):,}" for _, v in pairs], colors)
    named = [f"{t} ({int(v):,})" for t, v in pairs[:3] if not t.startswith("Other (")]
    caption = f"Hot topics {period}: {_join(named)}."
    return ChartImage(_png(fig), name, caption)


@_rendered
def scatter_difficulty_selection(
    rows: Sequence[tuple[str, float, float, int]], labels: int = 8
) -> ChartImage:
    """Companies by average difficulty (x) and selection rate (y), dot size by experiences, biggest named."""
    name = "difficulty-vs-selection.png"
    title = "Difficulty vs selection rate"
    data = [(str(c), float(d), float(r), int(n)) for c, d, r, n in rows if n and n > 0]
    if len(data) < 2:
        return _placeholder(
            title, name, "Not enough data yet to compare companies by difficulty and selection."
        )
    fig, ax = _figure(7.0)
    _title(fig, title)
    big = max(n for *_, n in data)
    sizes = [60 + 900 * n / big for *_, n in data]
    ax.scatter(
        [d for _, d, _, _ in data],
        [r for _, _, r, _ in data],
        s=sizes,
        color=BLUE,
        alpha=0.55,
        edgecolors="white",
        linewidths=1.5,
    )
    ax.set_xlim(0.8, 5.2)
    ax.set_ylim(-0.05, 1.1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Average difficulty (1 easy – 5 hard)", fontsize=LABEL_PT, family=FONT, color=INK)
    ax.set_ylabel("Selection rate", fontsize=LABEL_PT, family=FONT, color=INK)
    ax.grid(color="#e3e7ec")
    ax.set_axisbelow(True)
    _place_labels(fig, ax, sorted(data, key=lambda c: -c[3])[:labels], data, sizes)
    hardest = max(data, key=lambda c: (c[1], c[3]))
    easiest = min(data, key=lambda c: (c[1], -c[3]))
    caption = (
        f"Hardest: {hardest[0]} ({hardest[1]:.1f}/5, {_pct(hardest[2])} selected); "
        f"easiest: {easiest[0]} ({easiest[1]:.1f}/5, {_pct(easiest[2])} selected)."
    )
    corr = _correlation([d for _, d, _, _ in data], [r for _, _, r, _ in data])
    if corr is not None and corr <= -0.3:
        caption += " Harder companies tend to select fewer candidates."
    elif corr is not None and corr >= 0.3:
        caption += " Harder companies do not select fewer candidates here."
    return ChartImage(_png(fig), name, caption)


def _place_labels(
    fig: Figure,
    ax: Any,
    points: Sequence[tuple[str, float, float, int]],
    dots: Sequence[tuple[str, float, float, int]],
    sizes: Sequence[float],
) -> None:
    """Label points beside their dot trying eight directions; a label that would cover another label or
    any dot is dropped (the caption still names the extremes)."""
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()  # settle the constrained layout so positions are final
    placed: list[Any] = []
    for (_, d, r, _), area in zip(dots, sizes, strict=True):
        cx, cy = ax.transData.transform((d, r))
        rad = math.sqrt(area) / 2 * DPI / 72
        placed.append(Bbox.from_extents(cx - rad, cy - rad, cx + rad, cy + rad))
    frame = ax.get_window_extent(renderer)
    offsets = [(14, 10), (14, -22), (-14, 10), (-14, -22), (0, 20), (0, -30), (22, -6), (-22, -6)]
    for name, d, r, _ in points:
        for dx, dy in offsets:
            t = ax.annotate(
                _short(name, 16),
                (d, r),
                textcoords="offset points",
                xytext=(dx, dy),
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                fontsize=NOTE_PT,
                color=INK,
                family=FONT,
            )
            bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = frame.x0 <= bb.x0 and bb.x1 <= frame.x1 and frame.y0 <= bb.y0 and bb.y1 <= frame.y1
            if inside and not any(bb.overlaps(o) for o in placed):
                placed.append(bb)
                break
            t.remove()


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation, or None when either side does not vary."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    if sx == 0 or sy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sx * sy)


def warm() -> None:
    """Worker-pool initializer: load matplotlib, fonts and this module once per worker, before any job."""
    literal_text()
    fig, ax = _figure()
    ax.text(0.5, 0.5, "warm", family=FONT)
    _png(fig)


__all__ = [
    "ChartImage",
    "branch_year_heatmap",
    "difficulty_distribution",
    "hot_topics",
    "passout_breakdown",
    "per_year",
    "scatter_difficulty_selection",
    "sentiment_hist",
    "top_companies",
    "topics_bar",
    "trend",
    "warm",
    "word_cloud",
]

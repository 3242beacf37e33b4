# Figures for the charts: the Japanese font (matplotlib-fontja), the missing-glyph check with 〓 for
# symbols the font lacks, Figure creation, the one PNG drawing, and the label helpers every chart uses.
from __future__ import annotations

import functools
import io
import re
import unicodedata
import warnings

import matplotlib
import matplotlib.text
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dxstudy.errors import DxstudyError

FONT_FAMILY = "IPAexGothic"
"""The Japanese font registered by matplotlib-fontja."""

GLYPH_WARNING = r"Glyph \d+.*missing from"
"""Start of matplotlib's UserWarning for a character the font cannot draw."""

EMPTY_MESSAGE = "該当するデータはありません"

PNG_DPI = 100
"""Resolution of the PNG shown in the notebooks and the HTML (display resolution: a report stays light)."""

#: What a character from respondents' data that the font cannot draw (an emoji, a private-use
#: character) is shown as: 〓 (geta), the Japanese typesetter's mark for a missing character.
GETA = "〓"

NOTE_COLOR = "#555555"
"""Grey of the small notes under a chart."""


class MissingGlyphError(DxstudyError, RuntimeError):
    """A chart contains a character the font cannot draw (it would be shown as a box)."""


_fontja_loaded = False


def setup() -> None:
    """Register the Japanese font and make a missing glyph an error.

    Safe to call many times; every chart function calls it. Sets ``font.family`` to IPAexGothic
    (also first in ``font.sans-serif``, so code asking for "sans-serif" still gets it), turns off
    mathtext (``text.parse_math``: labels come from respondents' text, and ``$x^2$`` must be drawn
    as typed, never typeset, and an unbalanced ``$$`` must not stop the chart), and installs a
    warnings filter that turns matplotlib's "Glyph … missing from font(s)" warning into an error.
    """
    global _fontja_loaded
    if not _fontja_loaded:
        import matplotlib_fontja  # noqa: F401  (registers the bundled IPAexGothic on import)

        _fontja_loaded = True
    matplotlib.rcParams["font.family"] = [FONT_FAMILY]
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != FONT_FAMILY]
    matplotlib.rcParams["font.sans-serif"] = [FONT_FAMILY, *sans]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["text.parse_math"] = False
    install_glyph_check()


def install_glyph_check() -> None:
    """Turn matplotlib's missing-glyph UserWarning into an exception (idempotent)."""
    warnings.filterwarnings("error", message=GLYPH_WARNING, category=UserWarning)


@functools.lru_cache(maxsize=4)
def _font_charmap(family: str) -> frozenset[int]:
    from matplotlib import ft2font
    from matplotlib.font_manager import FontProperties, findfont

    return frozenset(ft2font.FT2Font(findfont(FontProperties(family=family))).get_charmap())


def _replaceable(ch: str) -> bool:
    """Symbols and pictographs that only data can bring (emoji, private use, unassigned)."""
    return unicodedata.category(ch) in ("So", "Sk", "Co", "Cn", "Cs")


def replace_undrawable(fig: Figure) -> list[str]:
    """Replace, in every text of the figure, symbols the font cannot draw (emoji typed by a respondent)
    by 〓, and return them. Any other missing character (a kanji, or a font without Japanese) is left
    for the glyph check to fail on."""
    charmap = _font_charmap(FONT_FAMILY)
    replaced: list[str] = []
    for text in fig.findobj(matplotlib.text.Text):
        value = text.get_text()
        if not value or value.isascii():
            continue
        bad = {ch for ch in value if ord(ch) not in charmap and _replaceable(ch)}
        if bad:
            text.set_text("".join(GETA if ch in bad else ch for ch in value))
            replaced.extend(sorted(bad))
    return replaced


def render(fig: Figure, dpi: int = PNG_DPI) -> Figure:
    """Draw the figure once, as the PNG the notebook will show, raising MissingGlyphError if any text
    lacks a glyph. The PNG is kept on the figure, so displaying it does not draw it again."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    replace_undrawable(fig)
    with warnings.catch_warnings():
        install_glyph_check()
        try:
            fig._dxstudy_png = (dpi, _print_png(fig, dpi))
            fig.stale = False  # any later change to the figure marks it stale again: to_png redraws
        except UserWarning as exc:
            if re.match(GLYPH_WARNING, str(exc)):
                raise MissingGlyphError(f"グラフの文字をフォント {FONT_FAMILY} で描けません"
                                        f"（記号・文字を確認してください）: {exc}") from exc
            raise
    return fig


def _print_png(fig: Figure, dpi: int) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"text.parse_math": False}):  # tick labels made while drawing: no mathtext
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def to_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """PNG bytes of a figure, without software/date metadata (same input, same bytes). Reuses the
    PNG drawn by render() when the figure has not been drawn at another resolution since."""
    cached = getattr(fig, "_dxstudy_png", None)
    if cached and cached[0] == dpi and not fig.stale:
        return cached[1]
    replace_undrawable(fig)
    with warnings.catch_warnings():
        install_glyph_check()
        return _print_png(fig, dpi)


def new_figure(width: float, height: float, constrained: bool = True) -> Figure:
    """A Figure of ``width`` x ``height`` inches on its own Agg canvas (never pyplot's), the font set up."""
    setup()
    fig = Figure(figsize=(width, height), layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)  # a real canvas: drawing lays out every glyph (a bare Figure's draw is a no-op)
    return fig


def empty_figure(title: str, message: str = EMPTY_MESSAGE) -> Figure:
    """A small figure saying there is nothing to show (instead of an empty or broken chart)."""
    fig = new_figure(6.0, 1.6)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, loc="left")
    ax.text(0.5, 0.4, message, ha="center", va="center", fontsize=11, color=NOTE_COLOR)
    return render(fig)


def footnote(fig: Figure, text: str) -> None:
    """A small grey note under the chart, flush left (how to read it, or a caveat)."""
    fig.supxlabel(text, fontsize=9, color=NOTE_COLOR, x=0.01, ha="left")


def wrap(text: str, width: int) -> str:
    """Break a label into lines of about ``width`` characters, preferring a break after ・ or の."""
    lines = []
    while len(text) > width:
        cut = max(text.rfind("・", 0, width + 1), text.rfind("の", 0, width + 1))
        cut = cut + 1 if cut >= width // 2 else width
        lines.append(text[:cut])
        text = text[cut:]
    return "\n".join([*lines, text])


def plain_axes(ax: Axes, hide: tuple[str, ...] = ("top", "right"), axis: str = "y") -> None:
    """No axis titles (seaborn sets them from column names), no tick marks on ``axis``, and the
    ``hide`` sides of the frame off."""
    ax.set(xlabel="", ylabel="")
    ax.spines[list(hide)].set_visible(False)
    ax.tick_params(axis=axis, length=0)

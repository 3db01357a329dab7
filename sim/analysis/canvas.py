"""What every figure of govsim shares: a Figure made without pyplot, the text style it is drawn
in, and writing it in the formats and resolution asked for.

**No pyplot.** A figure is a ``matplotlib.figure.Figure`` with its own Agg canvas
(``new_figure``), never registered with pyplot: importing or drawing a govsim figure leaves the
user's backend (a notebook's inline backend, say) and pyplot's list of figures untouched, and
there is no ``plt.close`` to forget. A ``draw_*`` function returns the Figure; a notebook shows
it, a command ``save``s it.

**Text as written, in a font that has the glyphs.** ``text_style`` is the rc context every
figure is drawn in: mathtext off (names from scenarios may hold ``$``, which matplotlib would
otherwise parse as a formula and fail on while saving) and a font list in which DejaVu Sans
(matplotlib's default, so Latin text looks as it always did) is followed by whichever CJK fonts
are installed; matplotlib (>= 3.6) falls back glyph by glyph along the list, so a Chinese label
is drawn in a CJK font. The context is only ever entered around drawing, never set globally.
When a label holds characters no font in the list has, ``check_glyphs`` warns once, naming a
font to install, instead of drawing empty boxes silently.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.analysis.figure_options import FORMATS, PNG, FigureOptions

__all__ = ["FORMATS", "PNG", "FigureOptions", "new_figure", "save", "save_with", "text_style",
           "drawn_in_style", "check_glyphs", "missing_glyphs", "MissingGlyphWarning",
           "font_list"]

DEFAULT_DPI = 110
"""Resolution of a PNG when nothing else is asked for (PDF and SVG are vector formats)."""

LATIN_FONT = "DejaVu Sans"
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "Arial Unicode MS")
"""Fonts with Chinese glyphs, most wanted first; those installed follow DejaVu Sans."""
FONT_TO_INSTALL = "Noto Sans CJK SC (Debian/Ubuntu: apt install fonts-noto-cjk)"


def new_figure(width: float, height: float, rows: int = 1, cols: int = 1,
               **subplot_kw) -> tuple[Figure, object]:
    """A Figure of ``width`` x ``height`` inches with its own Agg canvas (pyplot never sees
    it) and a ``rows`` x ``cols`` array of axes (``squeeze=False``)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False, **subplot_kw)
    return fig, axes


def save(fig: Figure, stem: Path, formats: Iterable[str] = ("png",),
         dpi: int = DEFAULT_DPI) -> list[Path]:
    """Write ``fig`` as ``stem.<format>`` for each format; returns the paths written.

    ``stem`` is the path without its suffix (``figures/response_ecdf``)."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with text_style():
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            # No creation date: identical results give identical PDF and SVG files.
            metadata = {"pdf": {"CreationDate": None, "Creator": "govsim"},
                        "svg": {"Date": None, "Creator": "govsim"}}.get(fmt)
            fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
            paths.append(path)
    return paths


def save_with(fig: Figure, stem: Path, options: FigureOptions,
              default_dpi: int = DEFAULT_DPI) -> list[Path]:
    """``save`` with the formats and resolution of ``options``."""
    return save(fig, stem, options.formats, options.dpi_or(default_dpi))


# --------------------------------------------------------------------------- text and fonts

@functools.cache
def font_list() -> tuple[str, ...]:
    """DejaVu Sans, then the installed CJK fonts of ``CJK_FONTS``.

    matplotlib's font cache may predate a font installed later, so a CJK font the cache does
    not know is looked for among the system's font files once, and added if found."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    if not known.intersection(CJK_FONTS):
        for path in font_manager.findSystemFonts():
            try:
                family = matplotlib.ft2font.FT2Font(path).family_name
            except (OSError, RuntimeError):
                continue
            if family in CJK_FONTS:
                font_manager.fontManager.addfont(path)
        known = {f.name for f in font_manager.fontManager.ttflist}
    return (LATIN_FONT, *[f for f in CJK_FONTS if f in known])


@functools.cache
def _characters(font: str) -> frozenset[int]:
    """Code points ``font`` has a glyph for."""
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=font),
                                 fallback_to_default=False)
    return frozenset(matplotlib.ft2font.FT2Font(path).get_charmap())


_warned: set[str] = set()


class MissingGlyphWarning(UserWarning):
    """A label holds characters no installed font can draw."""


def missing_glyphs(texts: Iterable[str]) -> str:
    """The characters of ``texts`` that no font of ``font_list()`` has, in order, once each."""
    needed = dict.fromkeys(ch for text in texts for ch in str(text)
                           if ord(ch) > 0x24F and not ch.isspace())  # beyond Latin Extended
    if not needed:
        return ""
    have: set[int] = set()
    for font in font_list():
        with contextlib.suppress(ValueError, OSError, RuntimeError):
            have |= _characters(font)
    return "".join(ch for ch in needed if ord(ch) not in have)


def check_glyphs(texts: Iterable[str]) -> None:
    """Warn (once per character set) when ``texts`` hold characters no installed font has."""
    missing = missing_glyphs(texts)
    if missing and missing not in _warned:
        _warned.add(missing)
        warnings.warn(f"figures: no installed font has the characters {missing!r} of the "
                      f"labels; they are drawn as empty boxes. Install a CJK font such as "
                      f"{FONT_TO_INSTALL}.", MissingGlyphWarning, stacklevel=2)


@contextlib.contextmanager
def text_style() -> Iterator[None]:
    """The rc context figures are drawn in: literal text, the font list of ``font_list``.

    matplotlib's own per-glyph warnings are silenced inside: ``check_glyphs`` says it once."""
    rc = {"text.parse_math": False, "text.usetex": False, "font.family": list(font_list()),
          "svg.hashsalt": "govsim"}
    # A CJK font without a bold face makes findfont log about each bold label.
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(rc), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
            yield
    finally:
        font_log.setLevel(level)


def plain_log_labels(axis) -> None:
    """Label a log ``axis`` (``ax.xaxis`` or ``ax.yaxis``) in plain numbers (0.1, 1, 10, 100),
    minor ticks unlabelled: matplotlib's default labels are mathtext (``10^{2}``), which
    ``text_style`` (literal text) would print raw."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def drawn_in_style(function):
    """Decorator: run ``function`` (a ``draw_*``) inside ``text_style``."""
    @functools.wraps(function)
    def drawn(*args, **kwargs):
        with text_style():
            return function(*args, **kwargs)
    return drawn

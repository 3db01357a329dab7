"""How figures are written (formats, resolution): a small value passed from the command line
through the experiment layer to ``sim.analysis.canvas.save``. No matplotlib here, so the
command line can check ``--format`` without importing it."""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("png", "pdf", "svg")
"""Formats a figure can be written in (``--format``)."""


@dataclass(frozen=True)
class FigureOptions:
    """The formats to write each figure in (``--format png,pdf``) and the resolution of
    raster formats (``--dpi``; None keeps each figure's own default)."""

    formats: tuple[str, ...] = ("png",)
    dpi: int | None = None

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise ValueError(f"formats must be some of {', '.join(FORMATS)}, got "
                             f"{', '.join(self.formats) or 'none'}")

    def dpi_or(self, default: int) -> int:
        """``dpi`` if one was asked for, else the figure's ``default``."""
        return self.dpi if self.dpi is not None else default


PNG = FigureOptions()
"""The default: PNG at each figure's own resolution."""

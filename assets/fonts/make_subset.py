#!/usr/bin/env python3
"""Build assets/fonts/NotoSansSC-custseg-{Regular,Bold}.otf, the fonts custseg
embeds for its PNG charts (bank servers often have no fonts at all).

Source: Noto Sans CJK SC Regular and Bold, the "Noto Sans CJK SC" face of
Debian's fonts-noto-cjk NotoSansCJK-{Regular,Bold}.ttc (SIL Open Font License
1.1, see OFL.txt). One face is extracted from each collection (ab_glyph reads
single-face OpenType files), shaping tables and hints are dropped.
Needs: apt-get install fonts-noto-cjk; pip install fonttools.

Kept characters (generated, not hand-listed):
  * ASCII and Latin-1 (U+0020-007E, U+00A0-00FF)
  * General Punctuation U+2000-206F, a few math/currency signs
  * CJK Symbols and Punctuation U+3000-303F, full-width forms U+FF01-FF5E, U+FFE0-FFE6
  * GB2312 symbol rows 1-9 (0xA1A1-0xA9FE) and all its 6,763 hanzi: level 1
    (0xB0A1-0xD7F9, the 3,755 most common) and level 2 (0xD8A1-0xF7FE, 3,008
    more, which hold many place and family names: 圳 of 深圳, 琦, 婷 ...)

Usage: python3 make_subset.py [folder holding NotoSansCJK-Regular.ttc and -Bold.ttc]
"""
import os
import sys

from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTCollection

HERE = os.path.dirname(os.path.abspath(__file__))
SRC_DIR = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto"
WEIGHTS = ["Regular", "Bold"]
CHARS_OUT = os.path.join(HERE, "subset-chars.txt")


def gb2312_rows(first_row, last_row):
    """Every character GB2312 encodes in rows first_row..last_row (0xA1-based)."""
    out = []
    for hi in range(first_row, last_row + 1):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # unassigned cell
    return out


def codepoints():
    cps = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    cps |= set(range(0x2000, 0x2070))  # general punctuation
    cps |= {0x20AC, 0x2116, 0x2122, 0x2190, 0x2191, 0x2192, 0x2193, 0x2212,
            0x2215, 0x221E, 0x2248, 0x2260, 0x2264, 0x2265, 0x25A0, 0x25B2,
            0x25BC, 0x25CF}  # € № ™ arrows − ∕ ∞ ≈ ≠ ≤ ≥ ■ ▲ ▼ ●
    cps |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    cps |= set(range(0xFF01, 0xFF5F)) | set(range(0xFFE0, 0xFFE7))  # full-width forms
    symbols = gb2312_rows(0xA1, 0xA9)
    level1 = gb2312_rows(0xB0, 0xD7)
    assert len(level1) == 3755, len(level1)
    level2 = gb2312_rows(0xD8, 0xF7)
    assert len(level2) == 3008, len(level2)
    cps |= {ord(c) for c in symbols + level1 + level2}
    return sorted(cps)


# How far every outline is moved down (font units, 1000 per em); see below.
BASELINE_DROP = 260


def adapt_for_plotters(font):
    """Make the font place text where plotters (0.3.7, ab_glyph backend) says.

    That backend (a) scales glyphs by hhea ascent - descent, not the em,
    (b) draws each glyph's ink starting at the pen position, dropping the
    left side bearing, which makes spacing uneven, and (c) puts the baseline
    at half the font size below the text box's top, so text anchored at its
    vertical centre sits about a quarter of an em too high. Compensated in
    the font data, so every piece of text plotters draws (tick labels,
    legends, ours) comes out right:
      (a) hhea ascent/descent = 880/-120 (the ideographic em box): size == em;
      (b) each outline gets an extra zero-area contour at x = 0, so its ink
          box starts at the glyph origin and the bearing is kept;
      (c) every outline moves BASELINE_DROP units down, so a centre-anchored
          line of mixed Latin and Chinese text is centred on its anchor.
    The advances (hmtx) are unchanged. This font is for custseg's charts only.
    """
    hhea = font["hhea"]
    hhea.ascent, hhea.descent, hhea.lineGap = 880, -120, 0
    glyph_set = font.getGlyphSet()
    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings
    hmtx = font["hmtx"]
    for name in font.getGlyphOrder():
        bounds = BoundsPen(glyph_set)
        glyph_set[name].draw(bounds)
        if bounds.bounds is None:
            continue  # blank glyph (space): nothing to draw
        _, y_min, _, y_max = bounds.bounds
        old = charstrings[name]
        private = old.private
        width = hmtx[name][0]
        nominal = getattr(private, "nominalWidthX", 0)
        default = getattr(private, "defaultWidthX", 0)
        pen = T2CharStringPen(None if width == default else width - nominal, glyph_set)
        glyph_set[name].draw(TransformPen(pen, (1, 0, 0, 1, 0, -BASELINE_DROP)))
        y = round((y_min + y_max) / 2) - BASELINE_DROP
        pen.moveTo((0, y))
        pen.lineTo((0, y + 1))
        pen.closePath()
        new = pen.getCharString(private=private, globalSubrs=old.globalSubrs)
        old.program = new.program
        old.bytecode = None
    # The new programs call no subroutines; drop the now unused ones.
    font["CFF "].cff.remove_unused_subroutines()


def subset_one(src, out, cps):
    coll = TTCollection(src)
    names = [f["name"].getDebugName(1) for f in coll.fonts]
    face = names.index("Noto Sans CJK SC")

    opts = subset.Options()
    opts.font_number = face
    opts.layout_features = []  # plotters/ab_glyph do no shaping
    opts.hinting = False  # ab_glyph ignores hints
    opts.notdef_outline = True  # missing characters show as a box, not as nothing
    opts.name_IDs = ["*"]  # keep copyright and licence records
    opts.name_languages = ["*"]
    opts.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "BASE", "GSUB", "GPOS"]

    font = subset.load_font(src, opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=cps)
    sub.subset(font)
    adapt_for_plotters(font)
    subset.save_font(font, out, opts)
    print(f"{out}: {os.path.getsize(out)} bytes, {len(font.getBestCmap())} characters, "
          f"{len(font.getGlyphOrder())} glyphs (face {face} of {src})")
    return sorted(set(font.getBestCmap()))


def main():
    cps = codepoints()
    covered = None
    for w in WEIGHTS:
        src = os.path.join(SRC_DIR, f"NotoSansCJK-{w}.ttc")
        out = os.path.join(HERE, f"NotoSansSC-custseg-{w}.otf")
        got = subset_one(src, out, cps)
        assert covered is None or covered == got, "weights cover different characters"
        covered = got

    with open(CHARS_OUT, "w", encoding="utf-8") as f:
        f.write("# Characters with a glyph in NotoSansSC-custseg-*.otf (made by make_subset.py)\n")
        for i in range(0, len(covered), 64):
            f.write("".join(chr(cp) for cp in covered[i:i + 64]) + "\n")


if __name__ == "__main__":
    main()

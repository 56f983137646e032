//! The fonts the PNG charts draw with, embedded in the binary.
//!
//! Bank servers often have no fonts installed, and the binary must not link
//! fontconfig or freetype, so plotters runs with its `ab_glyph` backend and
//! these embedded faces: subsets of Noto Sans CJK SC (SIL OFL 1.1) holding
//! ASCII, Latin-1, general and CJK punctuation, full-width forms, the GB2312
//! symbol rows and all 6,763 GB2312 hanzi (7,694 characters in all, about
//! 1.6 MB per face).
//! `assets/fonts/make_subset.py` rebuilds them;
//! `assets/fonts/subset-chars.txt` lists every covered character. A character
//! outside the subset draws as the .notdef box.
//!
//! The faces are tuned for plotters 0.3.7's ab_glyph text code, which drops
//! each glyph's left side bearing, scales by ascent − descent rather than the
//! em, and puts the baseline high in the text box: the script fixes all three
//! in the font data (see `adapt_for_plotters` there), so anchors and spacing
//! come out right for every piece of text plotters draws. Do not use these
//! files as general-purpose fonts; if plotters changes its text placement,
//! re-check `examples/chart_gallery.rs`.

use std::sync::Once;

use plotters::style::FontStyle;

/// The family name the charts ask plotters for.
pub const FONT_FAMILY: &str = "custseg-sans";

/// Noto Sans CJK SC Regular, subset (OpenType/CFF, one face).
pub static FONT_REGULAR: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSansSC-custseg-Regular.otf");
/// Noto Sans CJK SC Bold, subset (same characters as the regular face).
pub static FONT_BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-custseg-Bold.otf");

static REGISTER: Once = Once::new();

/// Registers the embedded faces with plotters under [`FONT_FAMILY`]
/// (normal and bold; italic and oblique fall back to normal). Idempotent and
/// thread-safe; every chart entry point calls it.
pub fn register_fonts() {
    REGISTER.call_once(|| {
        // The bytes are checked by the tests; a failure here would mean a
        // corrupt asset, and plotters would then report a font error when
        // drawing text rather than panic.
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_REGULAR);
        let _ = plotters::style::register_font(FONT_FAMILY, FontStyle::Bold, FONT_BOLD);
    });
}

//! Drawing helpers shared by the charts: colours, fonts, text that fits
//! (trimmed or wrapped, CJK-aware), the title block, axis styling, the legend
//! panel and the diverging colour scale.

use std::error::Error as StdError;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle};

use super::super::fonts::FONT_FAMILY;

pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(super) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub(super) const AXIS: RGBColor = RGBColor(0x99, 0x99, 0x99);
pub(super) const ACCENT: RGBColor = RGBColor(0xC0, 0x39, 0x2B);

pub(super) const PAD: i32 = 28;
pub(super) const HEADER_H: i32 = 92;

pub(super) type DrawResult<T = ()> = std::result::Result<T, Box<dyn StdError>>;
pub(super) type Area<'b> = DrawingArea<BitMapBackend<'b>, Shift>;

pub(super) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Normal)
}

pub(super) fn bold(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(FONT_FAMILY), size, FontStyle::Bold)
}

/// Draws text at `pos` per the style's anchor. (The embedded font is tuned
/// so plotters' ab_glyph backend honours anchors; see `assets/fonts/make_subset.py`.)
pub(super) fn draw_label(
    area: &Area,
    text: &str,
    style: &TextStyle,
    pos: (i32, i32),
) -> DrawResult {
    area.draw_text(text, style, pos)?;
    Ok(())
}

pub(super) fn text_width(area: &Area, text: &str, f: &FontDesc) -> DrawResult<i32> {
    Ok(area.estimate_text_size(text, &f.color(&INK))?.0 as i32)
}

/// `text` shortened with "…" so it is at most `max_w` pixels wide.
pub(super) fn fit_text(area: &Area, text: &str, f: &FontDesc, max_w: i32) -> DrawResult<String> {
    if text_width(area, text, f)? <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let cand: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if text_width(area, &cand, f)? <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…")
}

/// True for characters a line may break before or after (CJK ideographs,
/// kana, full-width forms), as in Chinese typesetting.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// `text` broken into at most `max_lines` lines of at most `max_w` pixels:
/// at spaces, next to CJK characters, or anywhere in a word too long for a
/// line. The last line is trimmed with "…" if the text does not fit.
pub(super) fn wrap_text(
    area: &Area,
    text: &str,
    f: &FontDesc,
    max_w: i32,
    max_lines: usize,
) -> DrawResult<Vec<String>> {
    let text = text.trim();
    let mut lines = Vec::new();
    let mut start = 0; // byte offset where the current line starts
    while start < text.len() && lines.len() + 1 < max_lines.max(1) {
        let rest = &text[start..];
        if text_width(area, rest, f)? <= max_w {
            break;
        }
        // Longest prefix that fits, then back off to the last break point.
        // A break at a space is preferred unless it leaves the line under
        // half full; a break next to a CJK character comes next.
        let mut fit_end = 0;
        let (mut space_break, mut cjk_break) = (None, None);
        for (i, c) in rest.char_indices() {
            let end = i + c.len_utf8();
            if i > 0 && c == ' ' {
                space_break = Some(i);
            } else if i > 0 && is_cjk(c) {
                cjk_break = Some(i);
            }
            if text_width(area, rest[..end].trim_end(), f)? > max_w {
                break;
            }
            fit_end = end;
            if is_cjk(c) {
                cjk_break = Some(end);
            }
        }
        if fit_end == 0 {
            break; // not even one character fits
        }
        let valid = |b: Option<usize>| b.filter(|&b| b > 0 && b <= fit_end);
        let cut = match (valid(space_break), valid(cjk_break)) {
            (Some(sb), _) if sb * 2 >= fit_end => sb,
            (_, Some(cb)) => cb,
            (Some(sb), None) => sb,
            (None, None) => fit_end,
        };
        lines.push(rest[..cut].trim_end().to_string());
        start += cut;
        start += text[start..].len() - text[start..].trim_start().len();
    }
    if start < text.len() {
        lines.push(fit_text(area, &text[start..], f, max_w)?);
    }
    Ok(lines)
}

/// Title (bold) and subtitle (grey) at the top left; returns the area below.
pub(super) fn header<'b>(area: &Area<'b>, title: &str, subtitle: &str) -> DrawResult<Area<'b>> {
    let (w, _) = area.dim_in_pixel();
    let max_w = w as i32 - 2 * PAD;
    let t = bold(26.0);
    let s = font(16.0);
    let title = fit_text(area, title, &t, max_w)?;
    let subtitle = fit_text(area, subtitle, &s, max_w)?;
    draw_label(area, &title, &t.color(&INK), (PAD, 22))?;
    draw_label(area, &subtitle, &s.color(&MUTED), (PAD, 60))?;
    Ok(area.split_vertically(HEADER_H).1)
}

pub(super) fn style_mesh<'m, 'a, 'b, X, Y, DB: DrawingBackend>(
    m: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    m.axis_style(AXIS)
        .bold_line_style(GRID)
        .light_line_style(RGBColor(0xF3, 0xF3, 0xF3))
        .label_style(font(16.0).color(&MUTED))
        .axis_desc_style(font(18.0).color(&INK))
        .x_labels(10)
        .y_labels(8)
}

#[derive(Clone, Copy)]
pub(super) enum LegendMark {
    Line,
    Dot,
}

/// A vertical legend in its own panel: colour mark and name (wrapped to two
/// lines, or trimmed to one when space is short).
pub(super) fn draw_legend(
    area: &Area,
    items: &[(String, RGBColor)],
    mark: LegendMark,
) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let text_x = 40;
    let max_w = w - text_x - 12;
    let top = 22 + 30;
    let avail = h - top - 10;
    // Largest font, and wrapping if possible, that fits every item.
    let mut layout = None;
    'search: for size in [18.0, 17.0, 16.0, 15.0, 14.0, 13.0, 12.0] {
        for max_lines in [2, 1] {
            let f = font(size);
            let line_h = (size * 1.3).round() as i32;
            let gap = (size * 0.6).round() as i32;
            let mut wrapped = Vec::with_capacity(items.len());
            let mut total = 0;
            for (label, _) in items {
                let lines = wrap_text(area, label, &f, max_w, max_lines)?;
                total += lines.len() as i32 * line_h + gap;
                wrapped.push(lines);
            }
            if total <= avail || size <= 12.0 && max_lines == 1 {
                layout = Some((f, line_h, gap, wrapped));
                break 'search;
            }
        }
    }
    let Some((f, line_h, gap, wrapped)) = layout else {
        return Ok(());
    };
    draw_label(area, "Segments", &bold(18.0).color(&INK), (8, 14))?;
    let mut y = top;
    for ((_, c), lines) in items.iter().zip(wrapped) {
        let yc = y + line_h / 2;
        match mark {
            LegendMark::Line => {
                area.draw(&PathElement::new(
                    vec![(8, yc), (32, yc)],
                    c.stroke_width(3),
                ))?;
                area.draw(&Circle::new((20, yc), 4, c.filled()))?;
            }
            LegendMark::Dot => {
                area.draw(&Circle::new((20, yc), 7, c.filled()))?;
            }
        }
        for line in &lines {
            draw_label(
                area,
                line,
                &f.color(&INK).pos(Pos::new(HPos::Left, VPos::Center)),
                (text_x, y + line_h / 2),
            )?;
            y += line_h;
        }
        y += gap;
    }
    Ok(())
}

/// Font size for one-line category labels given K and the available height.
pub(super) fn label_size(k: usize, h: u32) -> f64 {
    (h as f64 / k.max(1) as f64 * 0.32).clamp(12.0, 19.0)
}

/// Half height of a bar/box in category units.
pub(super) fn bar_half_height(k: usize) -> f64 {
    match k {
        1 => 0.16,
        2 => 0.26,
        _ => 0.36,
    }
}

/// Diverging blue–white–red (ColorBrewer RdBu), t in [-1, 1].
pub(super) fn diverging(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 11] = [
        (0x05, 0x30, 0x61),
        (0x21, 0x66, 0xAC),
        (0x43, 0x93, 0xC3),
        (0x92, 0xC5, 0xDE),
        (0xD1, 0xE5, 0xF0),
        (0xF7, 0xF7, 0xF7),
        (0xFD, 0xDB, 0xC7),
        (0xF4, 0xA5, 0x82),
        (0xD6, 0x60, 0x4D),
        (0xB2, 0x18, 0x2B),
        (0x67, 0x00, 0x1F),
    ];
    let t = if t.is_finite() {
        t.clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let x = (t + 1.0) / 2.0 * 10.0;
    let i = (x.floor() as usize).min(9);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub(super) fn luminance(c: RGBColor) -> f64 {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) / 255.0
}

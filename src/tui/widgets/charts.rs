//! Small text charts shared by the screens: sparklines, horizontal bars, a
//! centred z-score bar, and the ASCII fallback for ratatui's `Chart`.

use crate::tui::theme::Glyphs;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// One cell per count, scaled to the largest; a non-zero count never
/// disappears (it gets the lowest visible level).
pub fn spark(counts: &[u32], g: &Glyphs) -> String {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| {
            if c == 0 || max == 0 {
                g.spark[0]
            } else {
                let level = ((c as f64 / max as f64) * 8.0).round() as usize;
                g.spark[level.clamp(1, 8)]
            }
        })
        .collect()
}

/// A bar of `fraction` (0..=1) of `width` cells, in eighths where the
/// glyphs allow. Always at least a sliver for a non-zero fraction.
pub fn hbar(fraction: f64, width: usize, g: &Glyphs) -> String {
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (f * width as f64 * 8.0).round() as usize;
    let eighths = if f > 0.0 { eighths.max(1) } else { 0 };
    let full = eighths / 8;
    let mut s = g.hbar[0].repeat(full);
    let rest = eighths % 8;
    if rest > 0 {
        let part = g.hbar[rest];
        if part.is_empty() && full == 0 {
            s.push_str(g.hbar[0]);
        } else {
            s.push_str(part);
        }
    }
    s
}

/// A bar centred on a rule: `z` to the right when positive, to the left
/// when negative, `span` standard deviations filling each half of `width`.
/// Returns (left padding, left bar, rule, right bar) so each part can be styled.
pub fn zbar(z: f64, width: usize, span: f64, g: &Glyphs) -> (String, String, String, String) {
    let half = width.saturating_sub(1) / 2;
    let cells = if z.is_finite() {
        ((z.abs() / span) * half as f64).round() as usize
    } else {
        0
    };
    // A visible effect gets at least one cell, when there is one to give.
    let cells = cells.max(usize::from(z.abs() >= 0.05)).min(half);
    let bar = g.hbar[0].repeat(cells);
    if z < 0.0 {
        (
            " ".repeat(half - cells),
            bar,
            g.rule.to_string(),
            " ".repeat(half),
        )
    } else {
        (
            " ".repeat(half),
            String::new(),
            g.rule.to_string(),
            format!("{bar}{}", " ".repeat(half - cells)),
        )
    }
}

/// Replaces the line-drawing characters ratatui's `Chart` uses for its axes
/// (and anything else that is not ASCII) inside `area`, for ASCII mode.
pub fn asciify(buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            let sym = cell.symbol();
            if sym.is_ascii() {
                continue;
            }
            let plain = match sym {
                "─" | "━" => "-",
                "│" | "┃" => "|",
                "└" | "┌" | "┐" | "┘" | "┼" | "├" | "┤" | "┬" | "┴" => "+",
                "•" => "*",
                _ => "?",
            };
            cell.set_symbol(plain);
        }
    }
}

/// A number for a narrow column: thousands separators, at most two decimals,
/// and k / M suffixes when it does not fit.
pub fn number(x: f64, width: usize) -> String {
    use crate::pipeline::export::report::human;
    // What two decimals would show as 0, and what no suffix makes short.
    if x.is_finite() && x != 0.0 && (x.abs() < 0.005 || x.abs() >= 1e12) {
        return scientific(x, width);
    }
    let s = human(x);
    if s.chars().count() <= width || !x.is_finite() {
        return s;
    }
    let a = x.abs();
    let (v, unit) = if a >= 1e9 {
        (x / 1e9, "G")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else {
        (x / 1e3, "k")
    };
    let s = format!("{v:.1}{unit}");
    if s.chars().count() <= width {
        s
    } else {
        format!("{v:.0}{unit}")
    }
}

/// `x` as "1.5e-90", with as many decimals (up to two) as fit in `width`.
fn scientific(x: f64, width: usize) -> String {
    (0..=2)
        .rev()
        .map(|d| format!("{x:.d$e}"))
        .find(|s| s.chars().count() <= width)
        .unwrap_or_else(|| format!("{x:.0e}"))
}

/// `x` with up to `decimals` decimals, fewer when it would not fit in
/// `width` cells; a number that does not fit even without them is
/// written as [`number`] writes it.
pub fn fixed(x: f64, decimals: usize, width: usize) -> String {
    (0..=decimals)
        .rev()
        .map(|d| format!("{x:.d$}"))
        .find(|s| s.chars().count() <= width)
        .unwrap_or_else(|| number(x, width))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::theme::{ASCII, UNICODE};

    #[test]
    fn sparks_scale_to_the_largest() {
        assert_eq!(spark(&[0, 1, 8], &UNICODE), " ▁█");
        assert_eq!(spark(&[0, 4, 8], &ASCII), " -#");
        assert_eq!(spark(&[0, 0], &ASCII), "  ");
    }

    #[test]
    fn bars_use_eighths_and_never_vanish() {
        assert_eq!(hbar(0.5, 4, &UNICODE), "██");
        assert_eq!(hbar(0.55, 4, &UNICODE), "██▎");
        assert_eq!(hbar(0.001, 4, &UNICODE), "▏");
        assert_eq!(hbar(0.001, 4, &ASCII), "#");
        assert_eq!(hbar(0.0, 4, &ASCII), "");
        assert_eq!(hbar(1.0, 3, &ASCII), "###");
    }

    #[test]
    fn z_bars_go_both_ways() {
        let (pad, l, rule, r) = zbar(-1.0, 9, 2.0, &ASCII);
        assert_eq!(format!("{pad}{l}{rule}{r}"), "  ##|    ");
        let (pad, l, rule, r) = zbar(2.5, 9, 2.0, &ASCII);
        assert_eq!(format!("{pad}{l}{rule}{r}"), "    |####");
        // No room for a bar (a narrow drill-down): the rule alone.
        for width in [0, 1, 2] {
            for z in [-3.0, -0.1, 0.1, 3.0] {
                let (pad, l, rule, r) = zbar(z, width, 2.0, &ASCII);
                assert_eq!(format!("{pad}{l}{rule}{r}"), "|", "{width} {z}");
            }
        }
    }

    #[test]
    fn numbers_shrink_to_fit() {
        assert_eq!(number(1234.0, 8), "1,234");
        assert_eq!(number(12_345_678.0, 8), "12.3M");
        assert_eq!(number(0.25, 8), "0.25");
        // Tiny values never read as 0, huge ones stay short.
        assert_eq!(number(5.818e-90, 9), "5.82e-90");
        assert_eq!(number(-5.818e-90, 7), "-6e-90");
        assert_eq!(number(1.5e95, 9), "1.50e95");
        assert_eq!(number(0.0, 9), "0");
        assert_eq!(fixed(0.171, 3, 6), "0.171");
        assert_eq!(fixed(-682.152, 3, 6), "-682.2");
        assert_eq!(fixed(-682.152, 3, 4), "-682");
    }
}

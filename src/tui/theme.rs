//! Colours and glyphs. Two independent switches:
//!
//! - colour: the 16 ANSI colours only (no 256-colour or RGB values, which old
//!   SSH clients and `screen` mangle); with `NO_COLOR` every style is built
//!   from modifiers only, and selection is reverse video.
//! - glyphs: Unicode box drawing, arrows and blocks, or plain ASCII (`--ascii`,
//!   or a locale that is not UTF-8).

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// How the UI draws, decided once at start-up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UiOptions {
    /// ASCII borders, bars and markers instead of box drawing and blocks.
    pub ascii: bool,
    /// No colours: selection and emphasis by reverse video, bold and underline.
    pub no_color: bool,
}

impl UiOptions {
    /// From the process environment: `ascii_flag` is `--ascii`; ASCII is also
    /// chosen when the locale (LC_ALL, LC_CTYPE, LANG) is not UTF-8, and
    /// `NO_COLOR` (set and not empty) turns colours off.
    pub fn from_env(ascii_flag: bool) -> Self {
        Self::from_vars(ascii_flag, |name| std::env::var(name).ok())
    }

    /// [`UiOptions::from_env`] with the variables looked up through `var`.
    pub fn from_vars(ascii_flag: bool, var: impl Fn(&str) -> Option<String>) -> Self {
        UiOptions {
            ascii: ascii_flag || !locale_is_utf8(&var),
            no_color: var("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }
}

/// The locale in force is the first non-empty of LC_ALL, LC_CTYPE, LANG
/// (POSIX precedence); none at all means the "C" locale, which is not UTF-8.
pub fn locale_is_utf8(var: &impl Fn(&str) -> Option<String>) -> bool {
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| var(name).filter(|v| !v.is_empty()));
    locale.is_some_and(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("utf-8") || l.contains("utf8")
    })
}

/// The characters the UI draws with, as one set so ASCII mode is one switch.
#[derive(Clone, Copy, Debug)]
pub struct Glyphs {
    pub border: border::Set<'static>,
    /// Between stages in the header.
    pub arrow: &'static str,
    /// Marks a finished stage in the header.
    pub done: &'static str,
    /// In front of the selected row of a list.
    pub pointer: &'static str,
    pub bar_full: &'static str,
    pub bar_empty: &'static str,
    pub ellipsis: &'static str,
    /// A missing cell in the preview.
    pub missing: &'static str,
    pub warn: &'static str,
    pub up_down: &'static str,
    pub left_right: &'static str,
    /// All four arrows, for "scroll".
    pub arrows: &'static str,
    pub up: &'static str,
    pub down: &'static str,
    pub left: &'static str,
    pub right: &'static str,
    pub sep: &'static str,
    /// Marks a stage whose result must be made again.
    pub stale: &'static str,
    /// Sparkline levels, empty to full.
    pub spark: [&'static str; 9],
    /// Horizontal bar: full cell, then partial cells by eighths (1..=7).
    pub hbar: [&'static str; 8],
    /// The elbow curve, the computed K points and the chosen K in charts.
    pub chart_line: ratatui::symbols::Marker,
    pub chart_point: ratatui::symbols::Marker,
    pub chart_chosen: ratatui::symbols::Marker,
    /// A thin vertical rule (the zero of z-score bars).
    pub rule: &'static str,
}

pub const UNICODE: Glyphs = Glyphs {
    border: border::PLAIN,
    arrow: "→",
    done: "✓",
    pointer: "▶ ",
    bar_full: "█",
    bar_empty: "░",
    ellipsis: "…",
    missing: "·",
    warn: "!",
    up_down: "↑↓",
    left_right: "←→",
    arrows: "↑↓←→",
    up: "↑",
    down: "↓",
    left: "←",
    right: "→",
    sep: "·",
    stale: "↻",
    spark: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
    hbar: ["█", "▏", "▎", "▍", "▌", "▋", "▊", "▉"],
    chart_line: ratatui::symbols::Marker::Braille,
    chart_point: ratatui::symbols::Marker::Dot,
    chart_chosen: ratatui::symbols::Marker::Block,
    rule: "│",
};

pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub const ASCII: Glyphs = Glyphs {
    border: ASCII_BORDER,
    arrow: ">",
    done: "*",
    pointer: "> ",
    bar_full: "#",
    bar_empty: "-",
    ellipsis: "~",
    missing: ".",
    warn: "!",
    up_down: "Up/Dn",
    left_right: "Lt/Rt",
    arrows: "arrows",
    up: "Up",
    down: "Dn",
    left: "Lt",
    right: "Rt",
    sep: "|",
    stale: "~",
    spark: [" ", ".", ".", ":", "-", "=", "+", "*", "#"],
    hbar: ["#", "", "", "", "#", "#", "#", "#"],
    chart_line: ratatui::symbols::Marker::Custom('.'),
    chart_point: ratatui::symbols::Marker::Custom('o'),
    chart_chosen: ratatui::symbols::Marker::Custom('X'),
    rule: "|",
};

/// Styles for every role a piece of text can play in the UI.
#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub color: bool,
    pub ascii: bool,
    pub glyphs: Glyphs,
}

impl Theme {
    pub fn new(ui: UiOptions) -> Self {
        Theme {
            color: !ui.no_color,
            ascii: ui.ascii,
            glyphs: if ui.ascii { ASCII } else { UNICODE },
        }
    }

    fn pick(&self, colored: Style, plain: Style) -> Style {
        if self.color { colored } else { plain }
    }

    /// The selected row of the focused list: white on blue, or reverse video.
    pub fn selected(&self) -> Style {
        self.pick(
            Style::new().fg(Color::White).bg(Color::Blue).bold(),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    /// The selected row of a list that does not have the focus.
    pub fn selected_unfocused(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Gray),
            Style::new().add_modifier(Modifier::UNDERLINED),
        )
    }

    /// Border of the focused pane.
    pub fn focus_border(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).bold(), Style::new().bold())
    }

    pub fn border(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new())
    }

    pub fn title(&self) -> Style {
        Style::new().bold()
    }

    pub fn text(&self) -> Style {
        Style::new()
    }

    /// Secondary text: hints, units, "not yet" stages.
    pub fn dim(&self) -> Style {
        self.pick(Style::new().fg(Color::DarkGray), Style::new().dim())
    }

    pub fn ok(&self) -> Style {
        self.pick(Style::new().fg(Color::Green), Style::new())
    }

    pub fn warn(&self) -> Style {
        self.pick(Style::new().fg(Color::Yellow), Style::new().bold())
    }

    pub fn error(&self) -> Style {
        self.pick(Style::new().fg(Color::Red).bold(), Style::new().bold())
    }

    /// The current stage in the header.
    pub fn current_stage(&self) -> Style {
        self.pick(
            Style::new().fg(Color::Black).bg(Color::Cyan).bold(),
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    }

    /// Key names in the footer and help.
    pub fn key(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan).bold(), Style::new().bold())
    }

    /// Text typed by the user in an input field.
    pub fn input(&self) -> Style {
        self.pick(Style::new().fg(Color::White), Style::new())
    }

    /// Completion offered after the cursor.
    pub fn ghost(&self) -> Style {
        self.pick(
            Style::new().fg(Color::DarkGray),
            Style::new().add_modifier(Modifier::DIM | Modifier::UNDERLINED),
        )
    }

    /// The text cursor in an input field (the real cursor is hidden).
    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn directory(&self) -> Style {
        self.pick(
            Style::new().fg(Color::LightBlue).bold(),
            Style::new().bold(),
        )
    }

    /// Colour of a column type name (number, date, flag, text).
    pub fn column_type(&self, ctype: crate::pipeline::table::ColumnType) -> Style {
        use crate::pipeline::table::ColumnType;
        if !self.color {
            return Style::new().add_modifier(Modifier::ITALIC);
        }
        match ctype {
            ColumnType::Number => Style::new().fg(Color::Cyan),
            ColumnType::Flag => Style::new().fg(Color::Magenta),
            ColumnType::Date => Style::new().fg(Color::Yellow),
            ColumnType::Text => Style::new().fg(Color::Green),
        }
    }

    /// The colour of segment `id` in bars and the scatter (plain with
    /// NO_COLOR): the ANSI colour of its entry in the one segment palette
    /// ([`crate::pipeline::palette`]), whose RGB the PNG charts draw.
    pub fn segment(&self, id: u32) -> Style {
        use crate::pipeline::palette::{Ansi, segment_colour};
        let colour = match segment_colour(id).ansi {
            Ansi::Cyan => Color::Cyan,
            Ansi::Yellow => Color::Yellow,
            Ansi::Green => Color::Green,
            Ansi::Magenta => Color::Magenta,
            Ansi::LightBlue => Color::LightBlue,
            Ansi::LightRed => Color::LightRed,
            Ansi::LightCyan => Color::LightCyan,
            Ansi::LightYellow => Color::LightYellow,
            Ansi::LightGreen => Color::LightGreen,
            Ansi::LightMagenta => Color::LightMagenta,
        };
        self.pick(Style::new().fg(colour), Style::new())
    }

    /// A stage whose result was dropped by an earlier change.
    pub fn stale(&self) -> Style {
        self.pick(Style::new().fg(Color::Yellow), Style::new().italic())
    }

    pub fn bar_done(&self) -> Style {
        self.pick(Style::new().fg(Color::Cyan), Style::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn locale_decides_ascii() {
        assert!(!UiOptions::from_vars(false, vars(&[("LANG", "en_US.UTF-8")])).ascii);
        assert!(!UiOptions::from_vars(false, vars(&[("LANG", "zh_CN.utf8")])).ascii);
        assert!(UiOptions::from_vars(false, vars(&[("LANG", "C")])).ascii);
        assert!(
            UiOptions::from_vars(false, vars(&[])).ascii,
            "no locale = C"
        );
        // LC_ALL wins over LANG, LC_CTYPE over LANG; empty values are skipped.
        assert!(
            UiOptions::from_vars(false, vars(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])).ascii
        );
        assert!(
            !UiOptions::from_vars(false, vars(&[("LC_ALL", ""), ("LC_CTYPE", "C.UTF-8")])).ascii
        );
        assert!(UiOptions::from_vars(true, vars(&[("LANG", "en_US.UTF-8")])).ascii);
    }

    #[test]
    fn no_color_needs_a_non_empty_value() {
        let utf8 = ("LANG", "C.UTF-8");
        assert!(UiOptions::from_vars(false, vars(&[utf8, ("NO_COLOR", "1")])).no_color);
        assert!(!UiOptions::from_vars(false, vars(&[utf8, ("NO_COLOR", "")])).no_color);
        assert!(!UiOptions::from_vars(false, vars(&[utf8])).no_color);
    }
}

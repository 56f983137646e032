//! A segment has one colour in both faces: the TUI's colour of segment i
//! and the PNG charts' colour of segment i come from the same palette
//! entry, and the chart's RGB is, of the 16 ANSI colours at their usual
//! (xterm) values, nearest the one the TUI shows, for every i.

use custseg::pipeline::export::charts::segment_color;
use custseg::pipeline::palette::{XTERM_16, nearest_ansi, segment_colour};
use custseg::tui::UiOptions;
use custseg::tui::theme::Theme;
use ratatui::style::Color;

#[test]
fn the_tui_and_the_charts_colour_every_segment_alike() {
    let theme = Theme::new(UiOptions::default());
    for i in 0..64u32 {
        let tui = theme.segment(i).fg.expect("a colour");
        assert!(
            !matches!(tui, Color::Rgb(..) | Color::Indexed(_)),
            "16 colours only"
        );
        let png = segment_color(i);
        let rgb = [png.0, png.1, png.2];
        assert_eq!(rgb, segment_colour(i).rgb, "segment {i}");
        // The TUI names one of the 16 ANSI colours; the chart's RGB is
        // nearest that one.
        let name = format!("{tui:?}");
        assert!(XTERM_16.iter().any(|(n, _)| *n == name), "{name}");
        assert_eq!(nearest_ansi(rgb), name, "segment {i}: {rgb:?}");
        // The same colour comes back every len() segments, in both faces.
        let again = i + 10;
        assert_eq!(theme.segment(again).fg, Some(tui));
        assert_eq!(segment_color(again), png);
    }
    // Neighbouring segments differ in both faces.
    for i in 0..9u32 {
        assert_ne!(theme.segment(i).fg, theme.segment(i + 1).fg);
        assert_ne!(segment_color(i), segment_color(i + 1));
    }
}

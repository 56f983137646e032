//! The one palette of segment colours. A segment's colour is indexed by
//! its number, which canonical numbering and `--previous` make its
//! identity, so the same segment has the same colour in every run, in the
//! TUI and in the PNG charts. The TUI draws with the 16 ANSI colours only
//! (old SSH clients and `screen` mangle RGB), so each entry names the ANSI
//! colour the terminal shows and the RGB the charts draw: a tone of the
//! same colour that reads on a white background, nearer that ANSI colour's
//! usual (xterm) value than any other of the 16.

/// The ANSI colours segments use (no black, white, grey, dark blue or
/// dark red: unreadable on some terminals or meaning an error).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ansi {
    Cyan,
    Yellow,
    Green,
    Magenta,
    LightBlue,
    LightRed,
    LightCyan,
    LightYellow,
    LightGreen,
    LightMagenta,
}

/// One segment colour in both faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentColour {
    pub ansi: Ansi,
    pub rgb: [u8; 3],
}

const fn c(ansi: Ansi, rgb: u32) -> SegmentColour {
    SegmentColour {
        ansi,
        rgb: [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8],
    }
}

/// Segment `i` takes entry `i % 10`.
pub const SEGMENT_COLOURS: [SegmentColour; 10] = [
    c(Ansi::Cyan, 0x17BECF),
    c(Ansi::Yellow, 0xC4B000),
    c(Ansi::Green, 0x2CA02C),
    c(Ansi::Magenta, 0xB040B0),
    c(Ansi::LightBlue, 0x5A78F0),
    c(Ansi::LightRed, 0xF04040),
    c(Ansi::LightCyan, 0x60E8F0),
    c(Ansi::LightYellow, 0xF0E040),
    c(Ansi::LightGreen, 0x40F040),
    c(Ansi::LightMagenta, 0xF070F0),
];

/// The colour of segment `id`, in the TUI and in the charts.
pub fn segment_colour(id: u32) -> SegmentColour {
    SEGMENT_COLOURS[id as usize % SEGMENT_COLOURS.len()]
}

/// The usual (xterm) RGB of every one of the 16 ANSI colours, by name.
pub const XTERM_16: [(&str, [u8; 3]); 16] = [
    ("Black", [0, 0, 0]),
    ("Red", [0xCD, 0, 0]),
    ("Green", [0, 0xCD, 0]),
    ("Yellow", [0xCD, 0xCD, 0]),
    ("Blue", [0, 0, 0xEE]),
    ("Magenta", [0xCD, 0, 0xCD]),
    ("Cyan", [0, 0xCD, 0xCD]),
    ("Gray", [0xE5, 0xE5, 0xE5]),
    ("DarkGray", [0x7F, 0x7F, 0x7F]),
    ("LightRed", [0xFF, 0, 0]),
    ("LightGreen", [0, 0xFF, 0]),
    ("LightYellow", [0xFF, 0xFF, 0]),
    ("LightBlue", [0x5C, 0x5C, 0xFF]),
    ("LightMagenta", [0xFF, 0, 0xFF]),
    ("LightCyan", [0, 0xFF, 0xFF]),
    ("White", [0xFF, 0xFF, 0xFF]),
];

/// The ANSI colour (of the 16, by name) nearest to `rgb`.
pub fn nearest_ansi(rgb: [u8; 3]) -> &'static str {
    let d = |a: [u8; 3]| -> i32 {
        a.iter()
            .zip(rgb)
            .map(|(&x, y)| (i32::from(x) - i32::from(y)).pow(2))
            .sum()
    };
    XTERM_16
        .iter()
        .min_by_key(|(_, a)| d(*a))
        .map_or("", |(n, _)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_colour_is_nearest_its_terminal_colour() {
        for s in SEGMENT_COLOURS {
            assert_eq!(nearest_ansi(s.rgb), format!("{:?}", s.ansi), "{s:?}");
        }
        let rgbs: std::collections::HashSet<[u8; 3]> =
            SEGMENT_COLOURS.iter().map(|s| s.rgb).collect();
        assert_eq!(rgbs.len(), SEGMENT_COLOURS.len());
    }
}

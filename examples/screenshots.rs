//! Renders the TUI's screens to PNG files in `screenshots/`:
//!
//! ```sh
//! cargo run --release --example screenshots
//! ```
//!
//! Each screen is produced by the real UI code (`custseg::tui`), driven by
//! key presses through a test harness into a `TestBackend` buffer, and the
//! buffer is drawn cell by cell with an embedded monospace font (DejaVu Sans
//! Mono, `assets/fonts/`) and a fixed 16-colour palette. Box-drawing and
//! block characters are drawn as shapes so lines join up as in a terminal.
//!
//! Chinese text needs a CJK font: the first `*.ttf` / `*.otf` / `*.ttc` in
//! `assets/fonts/` whose name mentions CJK, SC or Han is used; or set
//! `CUSTSEG_CJK_FONT=/path/to/font.ttc[:index]`. Without one, CJK cells
//! are drawn as hollow boxes.

use ab_glyph::{Font, FontRef, FontVec, PxScale, ScaleFont};
use custseg::config::RunConfig;
use custseg::tui::harness::Harness;
use custseg::tui::worker::WorkerEvent;
use custseg::tui::{Action, UiOptions};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use std::path::{Path, PathBuf};

static REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono.ttf");
static BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSansMono-Bold.ttf");

const FONT_PX: f32 = 24.0;

type Rgb = [u8; 3];

/// Windows Terminal "Campbell": readable on dark backgrounds, all 16 distinct.
fn palette(c: Color, default: Rgb) -> Rgb {
    let hex = |v: u32| [(v >> 16) as u8, (v >> 8) as u8, v as u8];
    match c {
        Color::Reset => default,
        Color::Black => hex(0x0C0C0C),
        Color::Red => hex(0xC50F1F),
        Color::Green => hex(0x13A10E),
        Color::Yellow => hex(0xC19C00),
        Color::Blue => hex(0x0037DA),
        Color::Magenta => hex(0x881798),
        Color::Cyan => hex(0x3A96DD),
        Color::Gray => hex(0xCCCCCC),
        Color::DarkGray => hex(0x767676),
        Color::LightRed => hex(0xE74856),
        Color::LightGreen => hex(0x16C60C),
        Color::LightYellow => hex(0xF9F1A5),
        Color::LightBlue => hex(0x3B78FF),
        Color::LightMagenta => hex(0xB4009E),
        Color::LightCyan => hex(0x61D6D6),
        Color::White => hex(0xF2F2F2),
        // The UI only uses the 16 colours; anything else is a bug worth seeing.
        _ => hex(0xFF00FF),
    }
}

const DEFAULT_FG: Rgb = [0xCC, 0xCC, 0xCC];
const DEFAULT_BG: Rgb = [0x12, 0x12, 0x12];

struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    cjk: Option<FontVec>,
    cell_w: u32,
    cell_h: u32,
    ascent: f32,
}

fn find_cjk_font() -> Option<FontVec> {
    let (path, index) = match std::env::var("CUSTSEG_CJK_FONT") {
        Ok(spec) => match spec.rsplit_once(':') {
            Some((p, i)) if i.parse::<u32>().is_ok() => (PathBuf::from(p), i.parse().unwrap()),
            _ => (PathBuf::from(spec), 0),
        },
        Err(_) => {
            let dir = std::fs::read_dir("assets/fonts").ok()?;
            let found = dir.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
                let name = p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_lowercase();
                let font = [".ttf", ".otf", ".ttc"].iter().any(|x| name.ends_with(x));
                font && ["cjk", "sc", "han"].iter().any(|k| name.contains(k))
            })?;
            (found, 0)
        }
    };
    let data = std::fs::read(&path).ok()?;
    match FontVec::try_from_vec_and_index(data, index) {
        Ok(f) => {
            eprintln!("CJK font: {}:{index}", path.display());
            Some(f)
        }
        Err(e) => {
            eprintln!("CJK font {} unusable: {e}", path.display());
            None
        }
    }
}

impl Fonts {
    fn load() -> Fonts {
        let regular = FontRef::try_from_slice(REGULAR).expect("embedded font");
        let bold = FontRef::try_from_slice(BOLD).expect("embedded font");
        let scaled = regular.as_scaled(PxScale::from(FONT_PX));
        let cell_w = scaled.h_advance(regular.glyph_id('M')).round() as u32;
        let cell_h = (scaled.ascent() - scaled.descent() + scaled.line_gap()).ceil() as u32 + 1;
        Fonts {
            ascent: scaled.ascent(),
            regular,
            bold,
            cjk: find_cjk_font(),
            cell_w,
            cell_h,
        }
    }
}

struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Canvas {
        let mut px = vec![0; (w * h * 3) as usize];
        for p in px.chunks_mut(3) {
            p.copy_from_slice(&DEFAULT_BG);
        }
        Canvas { w, h, px }
    }

    fn blend(&mut self, x: i32, y: i32, c: Rgb, a: f32) {
        if x < 0 || y < 0 || x as u32 >= self.w || y as u32 >= self.h || a <= 0.0 {
            return;
        }
        let i = ((y as u32 * self.w + x as u32) * 3) as usize;
        let a = a.min(1.0);
        for (dst, src) in self.px[i..i + 3].iter_mut().zip(c) {
            let old = *dst as f32;
            *dst = (old + (src as f32 - old) * a).round() as u8;
        }
    }

    fn fill(&mut self, x: i32, y: i32, w: i32, h: i32, c: Rgb, a: f32) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.blend(xx, yy, c, a);
            }
        }
    }

    fn save(&self, path: &Path) {
        let file = std::fs::File::create(path).expect("create the PNG");
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), self.w, self.h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Best);
        let mut writer = enc.write_header().expect("PNG header");
        writer.write_image_data(&self.px).expect("PNG data");
    }
}

/// Light box-drawing characters as (up, down, left, right) arms.
fn box_arms(c: char) -> Option<(bool, bool, bool, bool)> {
    Some(match c {
        '─' => (false, false, true, true),
        '│' => (true, true, false, false),
        '┌' | '╭' => (false, true, false, true),
        '┐' | '╮' => (false, true, true, false),
        '└' | '╰' => (true, false, false, true),
        '┘' | '╯' => (true, false, true, false),
        '├' => (true, true, false, true),
        '┤' => (true, true, true, false),
        '┬' => (false, true, true, true),
        '┴' => (true, false, true, true),
        '┼' => (true, true, true, true),
        _ => return None,
    })
}

/// Block elements as (coverage, filled rectangle in eighths: x0, y0, x1, y1).
fn block_shape(c: char) -> Option<(f32, [u32; 4])> {
    Some(match c {
        '█' => (1.0, [0, 0, 8, 8]),
        '▓' => (0.75, [0, 0, 8, 8]),
        '▒' => (0.5, [0, 0, 8, 8]),
        '░' => (0.25, [0, 0, 8, 8]),
        '▀' => (1.0, [0, 0, 8, 4]),
        '▄' => (1.0, [0, 4, 8, 8]),
        '▌' => (1.0, [0, 0, 4, 8]),
        '▐' => (1.0, [4, 0, 8, 8]),
        '▏' => (1.0, [0, 0, 1, 8]),
        '▎' => (1.0, [0, 0, 2, 8]),
        '▍' => (1.0, [0, 0, 3, 8]),
        '▋' => (1.0, [0, 0, 5, 8]),
        '▊' => (1.0, [0, 0, 6, 8]),
        '▉' => (1.0, [0, 0, 7, 8]),
        _ => return None,
    })
}

fn draw_glyph<F: Font>(
    canvas: &mut Canvas,
    font: &F,
    c: char,
    x: f32,
    baseline: f32,
    px: f32,
    fg: Rgb,
) -> bool {
    let id = font.glyph_id(c);
    if id.0 == 0 {
        return false;
    }
    let glyph = id.with_scale_and_position(PxScale::from(px), ab_glyph::point(x, baseline));
    if let Some(outlined) = font.outline_glyph(glyph) {
        let b = outlined.px_bounds();
        outlined.draw(|gx, gy, a| {
            canvas.blend(
                b.min.x as i32 + gx as i32,
                b.min.y as i32 + gy as i32,
                fg,
                a,
            );
        });
    }
    true
}

fn render(buf: &Buffer, fonts: &Fonts) -> Canvas {
    let (cw, ch) = (fonts.cell_w, fonts.cell_h);
    let mut canvas = Canvas::new(buf.area.width as u32 * cw, buf.area.height as u32 * ch);
    let line = ((cw as f32 / 8.0).round() as i32).max(1);
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let cell = &buf[(x, y)];
            let sym = cell.symbol();
            let width = unicode_width(sym).max(1);
            skip = width - 1;
            let mut fg = palette(cell.fg, DEFAULT_FG);
            let mut bg = palette(cell.bg, DEFAULT_BG);
            if cell.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            if cell.modifier.contains(Modifier::DIM) {
                fg = [0, 1, 2].map(|k| ((fg[k] as u16 + bg[k] as u16) / 2) as u8);
            }
            let (px, py) = (x as i32 * cw as i32, y as i32 * ch as i32);
            let cells_w = (cw * width as u32) as i32;
            canvas.fill(px, py, cells_w, ch as i32, bg, 1.0);
            let c = sym.chars().next().unwrap_or(' ');
            if let Some((up, down, left, right)) = box_arms(c) {
                let (cx, cy) = (px + cw as i32 / 2, py + ch as i32 / 2);
                if up {
                    canvas.fill(cx, py, line, cy - py + line, fg, 1.0);
                }
                if down {
                    canvas.fill(cx, cy, line, py + ch as i32 - cy, fg, 1.0);
                }
                if left {
                    canvas.fill(px, cy, cx - px + line, line, fg, 1.0);
                }
                if right {
                    canvas.fill(cx, cy, px + cw as i32 - cx, line, fg, 1.0);
                }
            } else if let Some((a, [x0, y0, x1, y1])) = block_shape(c) {
                let (w8, h8) = (cw as f32 / 8.0, ch as f32 / 8.0);
                let rx = px + (x0 as f32 * w8).round() as i32;
                let ry = py + (y0 as f32 * h8).round() as i32;
                let rw = ((x1 - x0) as f32 * w8).round() as i32;
                let rh = ((y1 - y0) as f32 * h8).round() as i32;
                canvas.fill(rx, ry, rw, rh, fg, a);
            } else if c != ' ' {
                let bold = cell.modifier.contains(Modifier::BOLD);
                let baseline = py as f32 + fonts.ascent + 1.0;
                let main = if bold { &fonts.bold } else { &fonts.regular };
                let drawn = if width == 1 {
                    draw_glyph(&mut canvas, main, c, px as f32, baseline, FONT_PX, fg)
                } else {
                    false
                };
                if !drawn {
                    // Scale the CJK font so its em fills the two cells.
                    let cjk_drawn = fonts.cjk.as_ref().is_some_and(|f| {
                        let em = cells_w as f32 * 0.92;
                        let units = f.units_per_em().unwrap_or(1000.0);
                        let size = em * f.height_unscaled() / units;
                        let x0 = px as f32 + (cells_w as f32 - em) / 2.0;
                        draw_glyph(&mut canvas, f, c, x0, baseline, size, fg)
                    });
                    if !cjk_drawn
                        && !draw_glyph(&mut canvas, main, c, px as f32, baseline, FONT_PX, fg)
                    {
                        // A hollow box, like a terminal without the glyph.
                        let (bx, by, bw, bh) = (px + 2, py + 3, cells_w - 4, ch as i32 - 6);
                        canvas.fill(bx, by, bw, 1, fg, 1.0);
                        canvas.fill(bx, by + bh, bw, 1, fg, 1.0);
                        canvas.fill(bx, by, 1, bh, fg, 1.0);
                        canvas.fill(bx + bw - 1, by, 1, bh, fg, 1.0);
                    }
                }
            }
            if cell.modifier.contains(Modifier::UNDERLINED) {
                let uy = py + fonts.ascent.round() as i32 + 3;
                canvas.fill(px, uy, cells_w, 1, fg, 1.0);
            }
        }
    }
    canvas
}

fn unicode_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

const COLOR: UiOptions = UiOptions {
    ascii: false,
    no_color: false,
};

fn config(input: Option<&str>) -> RunConfig {
    RunConfig {
        input: input.map(Into::into),
        ..RunConfig::default()
    }
}

fn main() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).expect("the repository root");
    let customers = if Path::new(custseg::tui::SAMPLE_RELATIVE).is_file() {
        custseg::tui::SAMPLE_RELATIVE
    } else {
        "tests/fixtures/tui/customers.csv"
    };
    let chinese = "tests/fixtures/csv/semicolon_gbk.csv";
    let fonts = Fonts::load();
    std::fs::create_dir_all("screenshots").expect("screenshots/");

    let loaded = |ui: UiOptions, input: &str, w: u16, h: u16| {
        let mut hs = Harness::new(config(Some(input)), ui, w, h);
        hs.settle();
        hs
    };
    let mapped = |ui: UiOptions, input: &str| {
        let mut hs = loaded(ui, input, 80, 24);
        hs.key(KeyCode::Enter);
        hs
    };
    let mut shots: Vec<(&str, Harness)> = Vec::new();

    shots.push(("01-load", loaded(COLOR, customers, 80, 24)));

    let mut typing = Harness::new(config(None), COLOR, 80, 24);
    typing.app.no_sample_found();
    typing.type_str("tests/fixtures/tui/cu");
    shots.push(("02-load-typing-completion", typing));

    let mut progress = Harness::new_held(config(Some(customers)), COLOR, 80, 24);
    let job = progress.app.jobs[0].id;
    progress.act(Action::Worker(WorkerEvent::Progress {
        job,
        fraction: 0.42,
        message: "reading customers.csv: 420,000 rows".into(),
    }));
    shots.push(("03-load-progress", progress));

    let mut workbook = Harness::new(config(None), COLOR, 80, 24);
    workbook.type_str("tests/fixtures/tui/book.xlsx");
    workbook.settle();
    workbook.key(KeyCode::Tab).key(KeyCode::Tab);
    for _ in 0..3 {
        workbook.key(KeyCode::Down);
    }
    workbook.key(KeyCode::Right);
    shots.push(("04-load-workbook-sheets", workbook));

    shots.push((
        "05-load-error",
        loaded(COLOR, "tests/fixtures/tui/missing.csv", 80, 24),
    ));

    let mut help = loaded(COLOR, customers, 80, 24);
    help.key(KeyCode::Char('?'));
    shots.push(("06-load-help", help));

    shots.push(("07-map", mapped(COLOR, customers)));

    let mut picker = mapped(COLOR, customers);
    for _ in 0..10 {
        picker.key(KeyCode::Down);
    }
    picker.key(KeyCode::Char('r'));
    shots.push(("08-map-role-list", picker));

    shots.push(("09-map-chinese-gbk", mapped(COLOR, chinese)));

    let mut next = mapped(COLOR, customers);
    next.key(KeyCode::Enter);
    shots.push(("10-map-next-stage-not-in-this-build", next));

    shots.push((
        "11-map-no-color",
        mapped(
            UiOptions {
                ascii: false,
                no_color: true,
            },
            customers,
        ),
    ));
    shots.push((
        "12-load-ascii",
        loaded(
            UiOptions {
                ascii: true,
                no_color: false,
            },
            customers,
            80,
            24,
        ),
    ));
    shots.push(("13-too-small", loaded(COLOR, customers, 50, 15)));

    for (name, mut h) in shots {
        let buf = h.buffer();
        let path = PathBuf::from(format!("screenshots/{name}.png"));
        render(&buf, &fonts).save(&path);
        println!("{}", path.display());
    }
}

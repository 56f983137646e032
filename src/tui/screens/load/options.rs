//! The Options pane of Load: what ←/→ offers on each row (automatic =
//! detect), and the value shown with what was detected.

use super::{DrawCtx, LoadScreen, OPTION_ROWS, OptionRow, Pane};
use crate::pipeline::load::DateOrder;
use crate::tui::jobs::JobKind;
use crate::tui::overlay::StatusKind;
use crate::tui::screens::Ctx;
use crate::tui::text;
use crate::tui::widgets::{self, pane_block};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What ←/→ offers on the Encoding row: every encoding detection knows
/// (any other label can still be set with `--encoding`).
const ENCODINGS: [&str; 15] = [
    "utf-8",
    "gbk",
    "gb18030",
    "big5",
    "latin1",
    "utf-16le",
    "shift_jis",
    "euc-jp",
    "euc-kr",
    "windows-1252",
    "windows-1250",
    "windows-1251",
    "koi8-r",
    "windows-1253",
    "utf-16be",
];
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

fn cycle<T: Clone + PartialEq>(values: &[T], current: &T, step: isize) -> T {
    let n = values.len() as isize;
    let i = values.iter().position(|v| v == current).unwrap_or(0) as isize;
    values[(i + step).rem_euclid(n) as usize].clone()
}

impl LoadScreen {
    /// ←/→ on an option row: the next value (`None` = automatic).
    pub(super) fn change_option(&self, cx: &mut Ctx, row: OptionRow, step: isize) {
        let sheets = self.sheets.as_ref().map(|(_, names)| names.as_slice());
        let o = &mut cx.config.load;
        match row {
            OptionRow::Encoding => {
                let mut values: Vec<Option<String>> = std::iter::once(None)
                    .chain(ENCODINGS.iter().map(|e| Some(e.to_string())))
                    .collect();
                if !values.contains(&o.encoding) {
                    values.push(o.encoding.clone());
                }
                o.encoding = cycle(&values, &o.encoding, step);
            }
            OptionRow::Delimiter => {
                let mut values: Vec<Option<char>> =
                    std::iter::once(None).chain(DELIMITERS.map(Some)).collect();
                if !values.contains(&o.delimiter) {
                    values.push(o.delimiter);
                }
                o.delimiter = cycle(&values, &o.delimiter, step);
            }
            OptionRow::Header => {
                o.header = cycle(&[None, Some(true), Some(false)], &o.header, step)
            }
            OptionRow::Sheet => {
                let Some(names) = sheets else {
                    cx.set_status(
                        StatusKind::Info,
                        "Sheets are for workbooks (xlsx, xls, ods); this is a text file.",
                    );
                    return;
                };
                let values: Vec<Option<String>> = std::iter::once(None)
                    .chain(names.iter().cloned().map(Some))
                    .collect();
                o.sheet = cycle(&values, &o.sheet, step);
            }
            OptionRow::DateOrder => {
                o.date_order = cycle(&[DateOrder::Dmy, DateOrder::Mdy], &o.date_order, step);
            }
            OptionRow::BadRows => o.skip_bad_rows = !o.skip_bad_rows,
        }
    }

    /// The text of an option's value, with what was detected for "auto".
    fn option_value(&self, v: &DrawCtx, row: OptionRow) -> (String, bool) {
        let o = &v.config.load;
        let src = v
            .data
            .table()
            .filter(|_| self.is_current(v))
            .map(|t| &t.source);
        let auto = |detected: Option<String>| match detected {
            Some(d) => format!("auto ({d})"),
            None => "auto".to_string(),
        };
        let delim_name = |c: char| match c {
            '\t' => "tab".to_string(),
            ' ' => "space".to_string(),
            c => format!("'{c}'"),
        };
        match row {
            OptionRow::Encoding => match &o.encoding {
                Some(e) => (e.clone(), true),
                None => (
                    auto(src.and_then(|s| {
                        s.encoding_report
                            .as_ref()
                            .map(|r| r.brief())
                            .or_else(|| s.encoding.clone())
                    })),
                    true,
                ),
            },
            OptionRow::Delimiter => match o.delimiter {
                Some(c) => (delim_name(c), true),
                None => (auto(src.and_then(|s| s.delimiter.map(delim_name))), true),
            },
            OptionRow::Header => match o.header {
                Some(true) => ("first row is the header".into(), true),
                Some(false) => ("no header row".into(), true),
                None => (
                    auto(src.map(|s| if s.has_header { "yes" } else { "no" }.to_string())),
                    true,
                ),
            },
            OptionRow::Sheet => self.sheet_value(v),
            OptionRow::DateOrder => match o.date_order {
                DateOrder::Dmy => ("dd/mm (03/04 = 3 Apr)".into(), true),
                DateOrder::Mdy => ("mm/dd (03/04 = Mar 4)".into(), true),
            },
            OptionRow::BadRows => (
                if o.skip_bad_rows {
                    "skip and count them"
                } else {
                    "stop with an error"
                }
                .into(),
                true,
            ),
        }
    }

    /// The Sheet row: the sheet (or the first), or why there is none.
    fn sheet_value(&self, v: &DrawCtx) -> (String, bool) {
        let auto = |detected: Option<String>| match detected {
            Some(d) => format!("auto ({d})"),
            None => "auto".to_string(),
        };
        if let Some((_, names)) = &self.sheets {
            match &v.config.load.sheet {
                Some(s) => (s.clone(), true),
                None => (auto(names.first().map(|n| format!("first: {n}"))), true),
            }
        } else if v.job(JobKind::Sheets).is_some() {
            ("reading sheet names…".into(), false)
        } else if let Some(e) = &self.sheets_error {
            (e.clone(), false)
        } else {
            ("n/a (text file)".into(), false)
        }
    }

    pub(super) fn draw_options(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let focused = self.focus == Pane::Options;
        let block = pane_block(t, " Options ", focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width as usize;
        let label_w = 10;
        let offset = self
            .option_row
            .saturating_sub((inner.height as usize).saturating_sub(1));
        let lines: Vec<Line> = OPTION_ROWS
            .iter()
            .enumerate()
            .skip(offset)
            .take(inner.height as usize)
            .map(|(i, &row)| {
                let label = match row {
                    OptionRow::Encoding => "Encoding",
                    OptionRow::Delimiter => "Delimiter",
                    OptionRow::Header => "Header",
                    OptionRow::Sheet => "Sheet",
                    OptionRow::DateOrder => "Dates",
                    OptionRow::BadRows => "Bad rows",
                };
                let (value, editable) = self.option_value(v, row);
                let selected = i == self.option_row;
                // "< value >" on the selected row, the value in the same
                // column either way.
                let arrows = selected && focused && editable;
                let value_w = width.saturating_sub(1 + label_w + 4);
                let value = text::truncate(&value, value_w, t.glyphs.ellipsis);
                let pad = " ".repeat(value_w.saturating_sub(text::width(&value)));
                let line = Line::from(vec![
                    Span::styled(format!(" {}", text::fit(label, label_w, "")), t.text()),
                    Span::styled(if arrows { "< " } else { "  " }, t.key()),
                    Span::styled(value, if editable { t.input() } else { t.dim() }),
                    Span::styled(if arrows { " >" } else { "  " }, t.key()),
                    Span::raw(pad),
                ]);
                if selected && focused {
                    widgets::highlight(line, t.selected())
                } else {
                    line
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

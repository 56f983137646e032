//! Stage 2, Map columns: each column with its detected role and confidence;
//! change a role from a list (`r`), mark columns as feature / profile-only /
//! ignore (`f` / `p` / `i`, Space cycles). Every change is written into the
//! RunConfig (`mapping.roles`, `mapping.usage`) and the mapping is computed
//! again from it with the same `map_columns` the headless mode uses, so a
//! saved config replays the same mapping.

use super::words::{rule_short, use_label};
use super::{Ctx, DrawCtx, Screen};
use crate::pipeline::analysis::Step;
use crate::pipeline::mapping::{
    ColumnMapping, ColumnUse, IdDecision, IdSource, Mapping, MappingOptions, Role, map_columns,
};
use crate::pipeline::table::{ColumnType, Table};
use crate::tui::action::{Action, Command, Move};
use crate::tui::data::{Change, Output};
use crate::tui::overlay::{Overlay, RolePicker, StatusKind};
use crate::tui::stage::Stage;
use crate::tui::text;
use crate::tui::theme::Theme;
use crate::tui::widgets::{self, KeyHint, pane_block};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use std::cell::Cell;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct MapScreen {
    pub focus: Pane,
    pub selected: usize,
    pub offset: Cell<usize>,
    pub details_scroll: u16,
}

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Columns,
    Details,
}

/// Confidence below which a role is shown as "check this".
pub const LOW_CONFIDENCE: f64 = 0.8;

/// The user's settings that name columns this table does not have (or give
/// a role to a column of the wrong type) are dropped, with the reason.
fn sanitise(opts: &MappingOptions, table: &Table) -> (MappingOptions, Vec<String>) {
    let mut kept = MappingOptions::default();
    let mut dropped = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for (role, column) in &opts.roles {
        match table.column(column) {
            None => dropped.push(format!("{} = '{column}' (no such column)", role.key())),
            Some(c) if !role.accepts(c.ctype) => dropped.push(format!(
                "{} = '{column}' ({} column)",
                role.key(),
                c.ctype.name()
            )),
            Some(_) if !used.insert(column.clone()) => dropped.push(format!(
                "{} = '{column}' (column given two roles)",
                role.key()
            )),
            Some(_) => {
                kept.roles.insert(*role, column.clone());
            }
        }
    }
    for (column, usage) in &opts.usage {
        if table.column(column).is_some() {
            kept.usage.insert(column.clone(), *usage);
        } else {
            dropped.push(format!("use of '{column}' (no such column)"));
        }
    }
    (kept, dropped)
}

/// Computes the mapping from the table and `config.mapping`, and hands it
/// to the App (what follows it is made again only when it changed).
/// Settings that do not fit this table are dropped from the config and the
/// user is told.
fn remap(cx: &mut Ctx) -> Option<Arc<Mapping>> {
    let table = Arc::clone(cx.data.table()?);
    let mapping = mapping_of(cx, &table);
    let config = Box::new(cx.config.clone());
    cx.change(match &mapping {
        Some(m) => Change::Put {
            config,
            output: Output::Mapping(Arc::clone(m)),
        },
        None => Change::Apply {
            step: Step::Map,
            config,
        },
    });
    mapping
}

fn mapping_of(cx: &mut Ctx, table: &Table) -> Option<Arc<Mapping>> {
    let first = match map_columns(table, &cx.config.mapping) {
        Ok(m) => return Some(Arc::new(m)),
        Err(first) => first,
    };
    let (kept, dropped) = sanitise(&cx.config.mapping, table);
    cx.config.mapping = kept;
    match map_columns(table, &cx.config.mapping) {
        Ok(m) => {
            cx.show_error(
                "Some column settings did not fit this file",
                format!("{first}\nDropped: {}.", dropped.join("; ")),
                "Check the roles below and set them again with r if needed.",
            );
            Some(Arc::new(m))
        }
        Err(e) => {
            cx.config.mapping = MappingOptions::default();
            cx.show_error(
                "The column settings could not be applied",
                crate::tui::remedy::error_text(&e),
                "All roles were detected again; set the ones you need with r.",
            );
            map_columns(table, &cx.config.mapping).ok().map(Arc::new)
        }
    }
}

/// The customer-id decision when the user should check it, in TUI words.
pub fn id_banner(id: &IdDecision) -> Option<String> {
    match (id.source, &id.column) {
        (IdSource::None, _) if id.rows_look_like_transactions => Some(
            "No customer id found, but the rows look like transactions: select the customer column and press e."
                .to_string(),
        ),
        (IdSource::None, _) => Some(
            "No customer id column: each row is one customer (ids are line numbers). r on a column sets it."
                .to_string(),
        ),
        (IdSource::Values, Some(c)) => Some(format!(
            "'{c}' is the customer id from its values ({:.0}% sure): check it; e changes it.",
            id.confidence * 100.0
        )),
        _ => None,
    }
}

/// The roles a column of type `ctype` can take, for the role list.
pub fn role_choices(ctype: ColumnType) -> Vec<Option<Role>> {
    std::iter::once(None)
        .chain(Role::ALL.into_iter().filter(|r| r.accepts(ctype)).map(Some))
        .collect()
}

fn use_sentence(u: ColumnUse) -> &'static str {
    match u {
        ColumnUse::Feature => "will be used as a clustering feature",
        ColumnUse::Profile => "will only be shown in segment profiles",
        ColumnUse::Ignore => "will be ignored",
    }
}

fn next_use(u: ColumnUse) -> ColumnUse {
    match u {
        ColumnUse::Feature => ColumnUse::Profile,
        ColumnUse::Profile => ColumnUse::Ignore,
        ColumnUse::Ignore => ColumnUse::Feature,
    }
}

impl MapScreen {
    /// Gives `role` to `column` (or, with `None`, returns the column to
    /// automatic detection), then maps again.
    pub fn set_role(&mut self, cx: &mut Ctx, column: &str, role: Option<Role>) {
        let roles = &mut cx.config.mapping.roles;
        roles.retain(|_, c| c != column);
        if let Some(r) = role {
            roles.insert(r, column.to_string());
        }
        let mapping = remap(cx);
        let now = mapping.as_ref().and_then(|m| m.role_of(column));
        let msg = match (role, now) {
            (Some(r), _) => format!("'{column}' is now {}.", r.label()),
            (None, Some(r)) => format!("'{column}' is detected as {} again.", r.label()),
            (None, None) => format!("'{column}' has no role now."),
        };
        cx.set_status(StatusKind::Success, msg);
    }

    /// Sets how `column` is used, then maps again.
    pub fn set_use(&mut self, cx: &mut Ctx, column: &str, usage: ColumnUse) {
        cx.config.mapping.usage.insert(column.to_string(), usage);
        remap(cx);
        cx.set_status(
            StatusKind::Success,
            format!("'{column}' {}.", use_sentence(usage)),
        );
    }

    /// Keys while the role list is open (the App took it out; it stays
    /// open when given back).
    pub fn update_picker(&mut self, cx: &mut Ctx, mut picker: RolePicker, action: Action) {
        let n = picker.choices.len();
        match action {
            Action::Back => {}
            Action::Move(m) => {
                picker.selected = match m {
                    Move::Up => picker.selected.saturating_sub(1),
                    Move::Down => (picker.selected + 1).min(n - 1),
                    Move::Home | Move::PageUp => 0,
                    Move::End | Move::PageDown => n - 1,
                    _ => picker.selected,
                };
                cx.open(Overlay::RolePicker(picker));
            }
            Action::Confirm => {
                let column = cx
                    .data
                    .mapping()
                    .and_then(|m| m.columns.get(picker.column))
                    .map(|c| c.column.clone());
                if let Some(column) = column {
                    self.set_role(cx, &column, picker.choices[picker.selected]);
                }
            }
            _ => cx.open(Overlay::RolePicker(picker)),
        }
    }

    fn draw_columns(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, mapping: &Mapping) {
        let t = v.theme;
        let focused = self.focus == Pane::Columns;
        let title = columns_title(
            t,
            v.data.table().map(|t| t.source.file_name()),
            mapping,
            area,
        );
        let block = pane_block(t, &title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let widths = Widths::for_width(inner.width as usize);
        let banner = id_banner(&mapping.id);
        let height = (inner.height as usize).saturating_sub(1 + banner.is_some() as usize);
        let offset =
            widgets::scroll_offset(&self.offset, self.selected, height, mapping.columns.len());
        let mut lines = Vec::new();
        if let Some(b) = banner {
            let text = text::fit(
                &format!("{} {b}", t.glyphs.warn),
                widths.all,
                t.glyphs.ellipsis,
            );
            lines.push(Line::styled(text, t.warn()));
        }
        lines.push(widths.header(t));
        for (row, c) in mapping.columns.iter().enumerate().skip(offset).take(height) {
            let line = widths.row(t, v, c, row == self.selected);
            lines.push(match (row == self.selected, focused) {
                (false, _) => line,
                (true, true) => widgets::highlight(line, t.selected()),
                (true, false) => widgets::highlight(line, t.selected_unfocused()),
            });
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }

    fn draw_details(
        &self,
        frame: &mut Frame,
        area: Rect,
        v: &DrawCtx,
        table: &Table,
        mapping: &Mapping,
    ) {
        let t = v.theme;
        let Some(c) = mapping.columns.get(self.selected) else {
            return;
        };
        let focused = self.focus == Pane::Details;
        let block = pane_block(t, &format!(" {} ", c.column), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut lines = role_lines(t, c);
        lines.extend(value_lines(t, table, c));
        for n in mapping.notes.iter().filter(|n| n.is_about(&c.column)) {
            lines.push(Line::styled(
                format!("{} {}", t.glyphs.warn, crate::tui::remedy::notice_text(n)),
                t.warn(),
            ));
        }
        for (_, why) in mapping.id.passed_over.iter().filter(|p| p.0 == c.column) {
            lines.push(Line::styled(
                format!("{} Not the customer: {why}.", t.glyphs.warn),
                t.warn(),
            ));
        }
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.details_scroll, 0)),
            padded,
        );
    }
}

/// The title of the columns pane: the file and the counts (shorter when
/// the pane is narrow).
fn columns_title(t: &Theme, file: Option<String>, mapping: &Mapping, area: Rect) -> String {
    let (f, p, i) = counts(mapping);
    let roles_found = mapping.columns.iter().filter(|c| c.role.is_some()).count();
    let title = format!(
        " {} {} {} columns: {f} feature, {p} profile, {i} ignored {} {roles_found} roles ",
        file.unwrap_or_default(),
        t.glyphs.sep,
        mapping.columns.len(),
        t.glyphs.sep,
    );
    if text::width(&title) + 2 > area.width as usize {
        format!(
            " {} columns: {f} feature, {p} profile, {i} ignored ",
            mapping.columns.len()
        )
    } else {
        title
    }
}

/// The widths of the columns table: Column, Type, Role, Conf, Use (the
/// name and the role share what is left).
struct Widths {
    all: usize,
    name: usize,
    role: usize,
}

const TYPE_W: usize = 6;
const CONF_W: usize = 5;
const USE_W: usize = 12;

impl Widths {
    fn for_width(all: usize) -> Self {
        let rest = all.saturating_sub(2 + TYPE_W + CONF_W + USE_W + 5);
        let name = (rest * 11 / 20).max(8);
        Widths {
            all,
            name,
            role: rest.saturating_sub(name),
        }
    }

    fn header(&self, t: &Theme) -> Line<'static> {
        Line::from(vec![
            Span::raw("  "),
            Span::styled(text::fit("Column", self.name, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit("Type", TYPE_W, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit("Role", self.role, ""), t.title()),
            Span::raw(" "),
            Span::styled(text::fit_right("Conf", CONF_W, ""), t.title()),
            Span::raw("  "),
            Span::styled(text::fit("Use", USE_W, ""), t.title()),
        ])
    }

    /// One column: name, type, role (or the rule that keeps it out), how
    /// sure the role is ("set" when it is the user's), and its use.
    fn row(&self, t: &Theme, v: &DrawCtx, c: &ColumnMapping, selected: bool) -> Line<'static> {
        let user_role = c
            .role
            .is_some_and(|r| v.config.mapping.roles.get(&r) == Some(&c.column));
        let (role, role_style) = match (c.role, &c.hygiene.rule) {
            (None, Some(rule)) if c.hygiene.applied => {
                (format!("- {}", rule_short(rule)), t.warn())
            }
            (Some(r), _) => (r.label().to_string(), t.text()),
            (None, _) if c.ctype.is_numeric() && c.usage == ColumnUse::Feature => {
                ("- (offered as feature)".to_string(), t.dim())
            }
            (None, _) => ("-".to_string(), t.dim()),
        };
        let (conf, conf_style) = match c.role {
            Some(_) if user_role => ("set".to_string(), t.ok()),
            Some(_) if c.confidence < LOW_CONFIDENCE => {
                (format!("{:.0}%?", c.confidence * 100.0), t.warn())
            }
            Some(_) => (format!("{:.0}%", c.confidence * 100.0), t.text()),
            None => (String::new(), t.text()),
        };
        let usage_style = match c.usage {
            ColumnUse::Feature => t.ok(),
            ColumnUse::Profile => t.text(),
            ColumnUse::Ignore => t.dim(),
        };
        let pointer = if selected { t.glyphs.pointer } else { "  " };
        Line::from(vec![
            Span::raw(pointer.to_string()),
            Span::styled(text::fit(&c.column, self.name, t.glyphs.ellipsis), t.text()),
            Span::raw(" "),
            Span::styled(
                text::fit(c.ctype.name(), TYPE_W, ""),
                t.column_type(c.ctype),
            ),
            Span::raw(" "),
            Span::styled(text::fit(&role, self.role, t.glyphs.ellipsis), role_style),
            Span::raw(" "),
            Span::styled(text::fit_right(&conf, CONF_W, ""), conf_style),
            Span::raw("  "),
            Span::styled(text::fit(use_label(c.usage), USE_W, ""), usage_style),
        ])
    }
}

/// Why the column has its role and use, and what a hygiene rule or a
/// sentinel value says about it.
fn role_lines(t: &Theme, c: &ColumnMapping) -> Vec<Line<'static>> {
    let why = match c.role {
        Some(r) => format!(
            "Role: {} ({:.0}%): {}.",
            r.label(),
            c.confidence * 100.0,
            c.reason
        ),
        None if c.hygiene.applied && c.hygiene.rule.is_some() => "No role.".to_string(),
        None if c.ctype.is_numeric() && c.usage == ColumnUse::Feature => {
            "No role. A numeric column, so it is offered as a feature (i ignores it).".to_string()
        }
        None if c.ctype.is_numeric() => {
            "No role. Looks like a code or an id, not a quantity.".to_string()
        }
        None => format!("No role. A {} column.", c.ctype.name()),
    };
    let mut lines = vec![
        Line::styled(why, t.text()),
        Line::styled(
            format!("Use: {}; {}.", use_label(c.usage), use_sentence(c.usage)),
            t.text(),
        ),
    ];
    if let Some(rule) = &c.hygiene.rule {
        let text = if c.hygiene.applied {
            format!(
                "{} Not clustered: {}. f clusters on it anyway.",
                t.glyphs.warn,
                rule.finding()
            )
        } else {
            format!(
                "{} The rules would make it {} ({}); your setting wins.",
                t.glyphs.warn,
                use_label(rule.usage()),
                rule.finding()
            )
        };
        lines.push(Line::styled(text, t.warn()));
    }
    if let Some(sv) = c.hygiene.sentinel {
        lines.push(Line::styled(
            format!(
                "{} {} in {:.0}% of the rows reads as 'not applicable': Features treats it as missing.",
                t.glyphs.warn,
                crate::pipeline::table::format_number(sv.value),
                sv.share * 100.0
            ),
            t.warn(),
        ));
    }
    lines
}

/// A few of the column's values, what is missing, what could not be read,
/// the loader's notes and a guessed date order.
fn value_lines(t: &Theme, table: &Table, c: &ColumnMapping) -> Vec<Line<'static>> {
    let Some(col) = table.column(&c.column) else {
        return Vec::new();
    };
    let sample: Vec<String> = (0..table.n_rows)
        .filter(|&i| !col.data.is_missing(i))
        .take(5)
        .map(|i| col.data.display(i))
        .collect();
    let missing = col.data.missing_count();
    let mut lines = vec![Line::from(vec![
        Span::styled("Values: ", t.dim()),
        Span::styled(sample.join(", "), t.text()),
        Span::styled(
            format!(
                " {} {} missing of {}",
                t.glyphs.sep,
                text::thousands(missing),
                text::thousands(table.n_rows)
            ),
            t.dim(),
        ),
    ])];
    if col.info.unparsed > 0 {
        lines.push(Line::styled(
            format!(
                "{} {} value(s) could not be read as {}{}",
                t.glyphs.warn,
                col.info.unparsed,
                col.ctype.name(),
                col.info
                    .unparsed_examples
                    .first()
                    .map(|(row, v)| format!(", e.g. '{v}' ({})", table.row_label(*row)))
                    .unwrap_or_default()
            ),
            t.warn(),
        ));
    }
    for n in &col.info.notes {
        lines.push(Line::styled(format!("{} {n}", t.glyphs.warn), t.warn()));
    }
    if let Some(order) = col.info.date_order_guessed {
        use crate::pipeline::load::DateOrder;
        let other = crate::remedy::Remedy::DateOrder {
            order: match order {
                DateOrder::Dmy => "mdy",
                DateOrder::Mdy => "dmy",
            }
            .into(),
        };
        lines.push(Line::styled(
            crate::tui::remedy::key_sentence(&other),
            t.dim(),
        ));
    }
    lines
}

impl Screen for MapScreen {
    /// Computes the mapping if the table is new (a mapping kept from
    /// before is shown as it was).
    fn enter(&mut self, cx: &mut Ctx) {
        let mapping = match cx.data.mapping() {
            Some(m) => Some(Arc::clone(m)),
            None => {
                let mapping = remap(cx);
                self.selected = 0;
                self.offset.set(0);
                if !cx.overlay_open() {
                    match mapping.as_ref().and_then(|m| id_banner(&m.id)) {
                        Some(warning) => cx.set_status(StatusKind::Warn, warning),
                        None => cx.set_status(
                            StatusKind::Info,
                            "Check each column's role (e changes it) and use (Space, f/p). Enter goes on.",
                        ),
                    }
                }
                mapping
            }
        };
        let n = mapping.map_or(0, |m| m.columns.len());
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    fn update(&mut self, cx: &mut Ctx, action: Action) {
        let mapping = cx.data.mapping().cloned();
        let n = mapping.as_ref().map_or(0, |m| m.columns.len());
        let column = mapping
            .as_ref()
            .and_then(|m| m.columns.get(self.selected))
            .map(|c| (c.column.clone(), c.usage, c.ctype, c.role));
        match action {
            Action::NextPane | Action::PrevPane => {
                self.focus = match self.focus {
                    Pane::Columns => Pane::Details,
                    Pane::Details => Pane::Columns,
                };
            }
            Action::Back => cx.go_to(Stage::Load),
            Action::Confirm => {
                if let Some(next) = Stage::Map.next() {
                    cx.go_to(next);
                }
            }
            Action::Move(m) if self.focus == Pane::Details => {
                let s = &mut self.details_scroll;
                *s = match m {
                    Move::Up | Move::PageUp => s.saturating_sub(1),
                    Move::Down | Move::PageDown => s.saturating_add(1),
                    Move::Home => 0,
                    _ => *s,
                };
            }
            Action::Move(Move::Left | Move::Right) => {
                if let Some((name, usage, ..)) = column {
                    let u = match action {
                        Action::Move(Move::Right) => next_use(usage),
                        _ => next_use(next_use(usage)),
                    };
                    self.set_use(cx, &name, u);
                }
            }
            Action::Move(m) => {
                self.selected = widgets::move_in_list(self.selected, n, m, 10);
                self.details_scroll = 0;
            }
            Action::Toggle => {
                // Include / leave out: ignored columns come back as a
                // feature when numeric, else as profile only.
                if let Some((name, usage, ctype, _)) = column {
                    let u = match usage {
                        ColumnUse::Ignore if ctype.is_numeric() => ColumnUse::Feature,
                        ColumnUse::Ignore => ColumnUse::Profile,
                        _ => ColumnUse::Ignore,
                    };
                    self.set_use(cx, &name, u);
                }
            }
            Action::SetUse(u) => {
                if let Some((name, ..)) = column {
                    self.set_use(cx, &name, u);
                }
            }
            Action::Command(Command::EditValue) => {
                if let Some((_, _, ctype, role)) = column {
                    let choices = role_choices(ctype);
                    let selected = choices.iter().position(|c| *c == role).unwrap_or(0);
                    cx.open(Overlay::RolePicker(RolePicker {
                        column: self.selected,
                        choices,
                        selected,
                    }));
                }
            }
            _ => {}
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let (Some(table), Some(mapping)) = (v.data.table(), v.data.mapping()) else {
            let block = pane_block(t, " Columns ", true);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    "Load a file first (Esc goes back to Load).",
                    t.dim(),
                )),
                inner,
            );
            return;
        };
        let details_h = if area.height >= 18 { 6 } else { 5 };
        let [cols_area, details_area] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(details_h)]).areas(area);
        self.draw_columns(frame, cols_area, v, mapping);
        self.draw_details(frame, details_area, v, table, mapping);
        if let Some(Overlay::RolePicker(picker)) = v.overlay {
            draw_picker(frame, area, t, mapping, picker);
        }
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        if self.focus == Pane::Details {
            return vec![
                KeyHint::new(g.up_down, "scroll"),
                KeyHint::new("Tab", "columns"),
                KeyHint::new("Esc", "back"),
            ];
        }
        vec![
            KeyHint::new(g.up_down, "column"),
            KeyHint::new("e", "role"),
            KeyHint::new("Space", "in/out"),
            KeyHint::new("f/p", "use"),
            KeyHint::new("Enter", "next"),
            KeyHint::new("Esc", "back"),
        ]
    }

    fn help(&self) -> &'static [(&'static str, &'static str)] {
        HELP
    }
}

/// What the screen is for (its keys: `keymap::BINDINGS`).
pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Map columns says what each column means (its role) and how it is used.",
    ),
    (
        "",
        "Roles come from the header (English or Chinese) and the values, each",
    ),
    (
        "",
        "with a confidence; below 80% it is marked '?': check it.",
    ),
    (
        "",
        "Numeric columns without a role are offered as features, unless a",
    ),
    (
        "",
        "rule says they do not describe the customer (row index, derived",
    ),
    (
        "",
        "score, calendar part, flag, outcome): f clusters on one anyway.",
    ),
];

/// Feature / profile / ignore counts.
fn counts(m: &Mapping) -> (usize, usize, usize) {
    let f = m
        .columns
        .iter()
        .filter(|c| c.usage == ColumnUse::Feature)
        .count();
    let p = m
        .columns
        .iter()
        .filter(|c| c.usage == ColumnUse::Profile)
        .count();
    (f, p, m.columns.len() - f - p)
}

fn draw_picker(frame: &mut Frame, area: Rect, t: &Theme, mapping: &Mapping, picker: &RolePicker) {
    let Some(col) = mapping.columns.get(picker.column) else {
        return;
    };
    let rows: Vec<(String, String)> = picker
        .choices
        .iter()
        .map(|choice| match choice {
            None => ("automatic (detect)".to_string(), String::new()),
            Some(r) => {
                let holder = mapping
                    .column_for(*r)
                    .filter(|c| *c != col.column)
                    .map(|c| format!("now: {c}"))
                    .unwrap_or_default();
                (r.label().to_string(), holder)
            }
        })
        .collect();
    let width = 52.min(area.width.saturating_sub(4));
    let height = (rows.len() as u16 + 3).min(area.height.saturating_sub(1));
    let popup = widgets::centered(area, width, height);
    frame.render_widget(Clear, popup);
    let title = format!(" Role of {} ({}) ", col.column, col.ctype.name());
    let block = pane_block(
        t,
        &text::truncate(&title, width as usize - 2, t.glyphs.ellipsis),
        true,
    )
    .title_bottom(Line::styled(" Enter choose  Esc close ", t.dim()).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let h = inner.height as usize;
    let offset = picker.selected.saturating_sub(h.saturating_sub(1));
    let w = inner.width as usize;
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(h)
        .map(|(i, (label, holder))| {
            let current = picker.choices[i] == col.role;
            let mark = if current { t.glyphs.done } else { " " };
            let left = format!(" {mark} {label}");
            let holder_w = w.saturating_sub(text::width(&left) + 1);
            let line = Line::from(vec![
                Span::styled(left, t.text()),
                Span::styled(
                    text::fit_right(holder, holder_w, t.glyphs.ellipsis),
                    t.dim(),
                ),
                Span::raw(" "),
            ]);
            if i == picker.selected {
                widgets::highlight(line, t.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

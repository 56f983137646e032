//! Stage 6, Inspect: the segments of the chosen K. A table (label, size,
//! share, key averages in original units), bar charts of the sizes and of
//! one feature's mean per segment (←/→ picks the feature), and the selected
//! segment's action. Enter drills into a segment (profile, distinguishing
//! features, label, action); `r` renames its label and `a` changes its
//! action (both written to `labels.overrides`, so a replay shows them);
//! `/` finds a customer by id; `p` shows a 2-D PCA scatter of the segments.
//!
//! `s` / `S` sort the table by the next column / reverse it; ←/→ move
//! the column in focus (the table scrolls sideways to it, the mean bars
//! show it); `c` compares two segments side by side; `/` takes part of an
//! id and lists the matches.
//!
//! Each view draws in its own module: `segments` (the table and bars),
//! `segment` (one segment in full), `customer`, `scatter`, `compare`,
//! `search` (the matches); `order` sorts the table.

mod compare;
mod customer;
pub mod order;
mod provenance;
mod scatter;
pub mod search;
mod segment;
mod segments;

use super::{Ctx, DrawCtx, Screen};
use crate::pipeline::labels::identity;
use crate::pipeline::mapping::Role;
use crate::pipeline::profile::{LabelOverride, SegmentProfile, trait_text};
use crate::tui::action::{Action, Command, Move};
use crate::tui::data::{Change, PipelineData};
use crate::tui::jobs::{JobKind, Request};
use crate::tui::overlay::{InputBox, InputPurpose, Overlay, StatusKind};
use crate::tui::screens::trust;
use crate::tui::stage::Stage;
use crate::tui::text;
use crate::tui::widgets::{KeyHint, pane_block, progress};
use ratatui::Frame;
use ratatui::layout::Rect;
use std::borrow::Cow;
use std::cell::Cell;

#[derive(Debug, Default)]
pub struct InspectScreen {
    pub view: View,
    /// The selected segment (its index in the profiles).
    pub selected: usize,
    pub offset: Cell<usize>,
    /// The feature whose mean the second bar chart shows (the column in
    /// focus), once chosen (←/→ or a sort); until then the table's first.
    pub chart_feature: Option<usize>,
    /// The customer found with `/`.
    pub customer: Option<Found>,
    pub scroll: u16,
    /// How far the drill-down can scroll, as last drawn.
    pub max_scroll: Cell<u16>,
    /// An earlier run compared with this one (`o`).
    pub origins: Option<provenance::Origins>,
    /// The segment sizes a running comparison was asked for with.
    comparing_sizes: Option<Vec<usize>>,
    /// The order of the table (`s`, `S`).
    pub sort: order::SortBy,
    /// The first key average the table shows (it scrolls sideways).
    pub column_offset: Cell<usize>,
    /// `c` pressed: the first segment of a comparison, the second is
    /// being chosen.
    pub compare_first: Option<usize>,
    /// The two segments compared (A, B).
    pub compared: Option<(usize, usize)>,
    /// Customers whose id contains the text searched for (`/`).
    pub matches: Vec<Found>,
    pub match_total: usize,
    pub match_query: String,
    pub match_selected: usize,
    pub match_offset: Cell<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Segments,
    /// One segment in full (Enter).
    Segment,
    /// The customer found with `/`.
    Customer,
    /// The PCA scatter (`p`).
    Scatter,
    /// Where the segment's customers came from in an earlier run (`o`).
    Origin,
    /// Two segments side by side (`c`).
    Compare,
    /// The customers a search matched, to pick one.
    Matches,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub row: usize,
    pub id: String,
}

/// The segment of customer `row` for the K shown.
fn customer_segment(data: &PipelineData, row: usize) -> Option<u32> {
    let k = data.k()?;
    data.sweep()?
        .get(k)?
        .fit
        .labels
        .get(row)
        .map(|&l| u32::from(l))
}

/// "Tenure high (median at P85), Balance high (median at P78)": the
/// direction decided in original units, where the segment's median sits
/// among all customers.
fn distinguishing(s: &SegmentProfile, n: usize) -> String {
    let t: Vec<String> = s
        .distinguishing
        .iter()
        .take(n)
        .filter_map(|name| s.feature(name))
        .map(trait_text)
        .collect();
    if t.is_empty() {
        "nothing: close to the average customer on every feature".into()
    } else {
        t.join(", ")
    }
}

/// The saved edit applied to segment `id` (by identity or by number).
fn saved_edit<'a>(v: &'a DrawCtx, id: u32) -> Option<&'a LabelOverride> {
    let saved_as = v.data.profiles()?.edits.applied.get(&id)?;
    v.config.labels.overrides.get(saved_as)
}

impl InspectScreen {
    /// The feature in focus among `names`: the one chosen, else the
    /// table's first column.
    pub fn focus(&self, names: &[String]) -> Option<usize> {
        match self.chart_feature {
            Some(j) if j < names.len() => Some(j),
            _ => segments::key_features(names).first().copied(),
        }
    }

    /// Keeps the selection among the `k` segments shown.
    pub fn keep_selection_in(&mut self, k: usize) {
        self.selected = self.selected.min(k.saturating_sub(1));
    }

    fn segment<'a>(&self, data: &'a PipelineData) -> Option<&'a SegmentProfile> {
        data.profiles()?.segments.get(self.selected)
    }

    pub fn rename(&mut self, cx: &mut Ctx, id: u32, text: &str) -> Result<(), String> {
        if text.chars().count() > 60 {
            return Err("at most 60 characters".into());
        }
        let label = (!text.is_empty()).then(|| text.to_string());
        let msg = match &label {
            Some(l) => format!("Segment {id} is now '{l}'."),
            None => format!("Segment {id} has its automatic label again."),
        };
        write_override(cx, id, |o| o.label = label);
        cx.set_status(StatusKind::Success, msg);
        Ok(())
    }

    pub fn set_action(&mut self, cx: &mut Ctx, id: u32, text: &str) -> Result<(), String> {
        let action = (!text.is_empty()).then(|| text.to_string());
        let msg = match &action {
            Some(_) => format!("Action of segment {id} changed."),
            None => format!("Segment {id} has its recommended action again."),
        };
        write_override(cx, id, |o| o.action = action);
        cx.set_status(StatusKind::Success, msg);
        Ok(())
    }

    /// Finds customers by id: exact (then ignoring case) opens the
    /// customer; else the ids containing the text, listed when there
    /// are several. Without an id column, the row label is the id.
    pub fn search(&mut self, cx: &mut Ctx, wanted: &str) -> Result<(), String> {
        let (Some(cleaned), Some(mapping)) = (cx.data.cleaned(), cx.data.customer_mapping()) else {
            return Err("no data yet".into());
        };
        if wanted.is_empty() {
            return Err("type a customer id, or part of one".into());
        }
        let table = &cleaned.table;
        let id_col = mapping
            .column_for(Role::CustomerId)
            .and_then(|c| table.column(c))
            .and_then(|c| c.texts());
        let id_of = |i: usize| -> Option<Cow<str>> {
            match id_col {
                Some(ids) => ids.get(i).map(Cow::Borrowed),
                None => Some(Cow::Owned(table.row_label(i))),
            }
        };
        let hits = search::find(table.n_rows, id_of, wanted);
        let found = |row: usize| Found {
            row,
            id: id_of(row).map_or_else(|| table.row_label(row), Cow::into_owned),
        };
        let single = hits.exact.or((hits.total == 1).then(|| hits.rows[0]));
        if let Some(row) = single {
            self.customer = Some(found(row));
            self.matches.clear();
            self.view = View::Customer;
            self.scroll = 0;
            cx.clear_status();
            return Ok(());
        }
        if hits.total == 0 {
            let example = match id_col {
                Some(ids) => ids.get(0).map(|s| format!(" Ids look like {s}.")),
                None => Some(format!(
                    " This file has no id column: type a row label such as {}.",
                    table.row_label(0)
                )),
            }
            .unwrap_or_default();
            return Err(format!("no customer id contains '{wanted}'.{example}"));
        }
        self.matches = hits.rows.into_iter().map(found).collect();
        self.match_total = hits.total;
        self.match_query = wanted.to_string();
        self.match_selected = 0;
        self.view = View::Matches;
        cx.set_status(
            StatusKind::Info,
            format!(
                "{} customers match '{wanted}': {} chooses, Enter opens one.",
                text::thousands(hits.total),
                cx.glyphs.up_down
            ),
        );
        Ok(())
    }

    /// `c`: the selected segment is A; the next `c` or Enter on another
    /// compares them.
    fn start_compare(&mut self, cx: &mut Ctx, k: usize) {
        if k < 2 {
            cx.set_status(StatusKind::Warn, "Only one segment: nothing to compare.");
            return;
        }
        self.view = View::Segments;
        self.compare_first = Some(self.selected);
        cx.set_status(
            StatusKind::Info,
            format!(
                "Compare segment {} with: {} choose, Enter or c compares, Esc cancels.",
                self.selected, cx.glyphs.up_down
            ),
        );
    }

    fn finish_compare(&mut self, cx: &mut Ctx, first: usize) {
        if first == self.selected {
            cx.set_status(
                StatusKind::Warn,
                format!("Choose a segment other than {first} to compare with it."),
            );
            return;
        }
        self.compare_first = None;
        self.compared = Some((first, self.selected));
        self.view = View::Compare;
        self.scroll = 0;
        cx.clear_status();
    }

    /// `s` / `S`: the next sort column, or the order reversed.
    fn sort(&mut self, cx: &mut Ctx, reverse: bool) {
        let Some(p) = cx.data.profiles() else {
            return;
        };
        let names = segments::feature_names(p);
        let stability = trust::shown(cx.data).is_some_and(|x| x.stability.is_some());
        self.sort = if reverse {
            self.sort.reversed()
        } else {
            self.sort.next(&segments::key_features(&names), stability)
        };
        if let order::SortColumn::Feature(j) = self.sort.column {
            // The column sorted by comes into sight, its bars beside.
            self.chart_feature = Some(j);
        }
        let how = self.sort.describe(p);
        cx.set_status(
            StatusKind::Info,
            format!("Sorted by {how}. s: next column, S: reverse."),
        );
    }

    fn edit_label(&mut self, cx: &mut Ctx) {
        let seg = self.selected as u32;
        let now = self
            .segment(cx.data)
            .map(|s| s.label.clone())
            .unwrap_or_default();
        cx.open(Overlay::Input(InputBox::new(
            InputPurpose::Label(seg),
            &format!("Label of segment {seg}"),
            &now,
            "The new name (saved in run.toml as labels.overrides). Empty: the automatic label.",
        )));
    }

    fn edit_action(&mut self, cx: &mut Ctx) {
        let seg = self.selected as u32;
        let now = self
            .segment(cx.data)
            .map(|s| s.action.clone())
            .unwrap_or_default();
        cx.open(Overlay::Input(InputBox::new(
            InputPurpose::SegmentAction(seg),
            &format!("Action for segment {seg}"),
            &now,
            "What the bank should do with these customers. Empty: the recommendation.",
        )));
    }

    /// ←→↑↓ in the table or the scatter: the column in focus (the feature
    /// of the bars), the segment (in the table's order).
    fn move_in_segments(&mut self, m: Move, data: &PipelineData) {
        let Some(p) = data.profiles() else {
            return;
        };
        match m {
            Move::Left | Move::Right => {
                let keys = segments::key_features(&segments::feature_names(p));
                if !keys.is_empty() {
                    let now = self.focus(&segments::feature_names(p));
                    let pos = keys.iter().position(|&j| Some(j) == now).unwrap_or(0);
                    let step = if m == Move::Right { 1 } else { keys.len() - 1 };
                    self.chart_feature = Some(keys[(pos + step) % keys.len()]);
                }
            }
            _ => {
                let order = order::order(p, self.sort, trust::shown(data));
                let page = 10;
                self.selected = match m {
                    Move::Up => order::step(&order, self.selected, -1),
                    Move::Down => order::step(&order, self.selected, 1),
                    Move::PageUp => order::step(&order, self.selected, -page),
                    Move::PageDown => order::step(&order, self.selected, page),
                    Move::Home => order.first().copied().unwrap_or(0),
                    Move::End => order.last().copied().unwrap_or(0),
                    _ => self.selected,
                };
            }
        }
    }

    /// ↑↓ scroll, ←→ another segment B, in the comparison.
    fn move_in_compare(&mut self, m: Move, data: &PipelineData) {
        let Some((a, b)) = self.compared else {
            return;
        };
        match m {
            Move::Left | Move::Right => {
                let Some(p) = data.profiles() else {
                    return;
                };
                let order: Vec<usize> = order::order(p, self.sort, trust::shown(data))
                    .into_iter()
                    .filter(|&i| i != a)
                    .collect();
                // B goes round the other segments.
                let pos = order.iter().position(|&i| i == b).unwrap_or(0);
                let step = if m == Move::Right {
                    1
                } else {
                    order.len().saturating_sub(1)
                };
                let Some(&next) = order.get((pos + step) % order.len().max(1)) else {
                    return;
                };
                self.compared = Some((a, next));
                self.selected = next;
                self.scroll = 0;
            }
            Move::Up | Move::PageUp => self.scroll = self.scroll.saturating_sub(1),
            Move::Down | Move::PageDown => {
                self.scroll = (self.scroll + 1).min(self.max_scroll.get())
            }
            Move::Home => self.scroll = 0,
            _ => {}
        }
    }

    /// ↑↓ among the customers a search matched.
    fn move_in_matches(&mut self, m: Move) {
        let last = self.matches.len().saturating_sub(1);
        let s = self.match_selected;
        self.match_selected = match m {
            Move::Up => s.saturating_sub(1),
            Move::Down => (s + 1).min(last),
            Move::PageUp => s.saturating_sub(10),
            Move::PageDown => (s + 10).min(last),
            Move::Home => 0,
            Move::End => last,
            _ => s,
        };
    }

    /// ←→ another segment, ↑↓ scroll, in the drill-down.
    fn move_in_segment(&mut self, m: Move, k: usize) {
        match m {
            Move::Left => {
                self.selected = self.selected.saturating_sub(1);
                self.scroll = 0;
            }
            Move::Right => {
                self.selected = (self.selected + 1).min(k.saturating_sub(1));
                self.scroll = 0;
            }
            Move::Up | Move::PageUp => self.scroll = self.scroll.saturating_sub(1),
            Move::Down | Move::PageDown => self.scroll = self.scroll.saturating_add(1),
            Move::Home => self.scroll = 0,
            _ => {}
        }
    }
}

/// Writes a label (or action) edit of segment `id` and profiles again, so
/// what is shown is what a replay of the config gives. The edits are saved
/// keyed by the numbers shown, each with its segment's identity, so they
/// follow their segment through a refit.
fn write_override(cx: &mut Ctx, id: u32, edit: impl FnOnce(&mut LabelOverride)) {
    let made_on = cx
        .data
        .profiles()
        .and_then(|p| p.segments.get(id as usize))
        .map(|s| s.label.clone());
    if let (Some(f), Some(fit)) = (
        cx.data.features(),
        cx.data.k().and_then(|k| cx.data.sweep()?.get(k)),
    ) {
        let specs = &f.params.features;
        let (centres, k) = (&fit.fit.centres, fit.k);
        let saved = &mut cx.config.labels.overrides;
        *saved = identity::rekeyed(saved, specs, centres, k);
        let o = saved.entry(id).or_default();
        o.centre = Some(identity::centre_of(specs, centres, id as usize));
        o.made_on = o.made_on.take().or(made_on);
    }
    let o = cx.config.labels.overrides.entry(id).or_default();
    edit(o);
    if o.label.is_none() && o.action.is_none() {
        // Nothing of the user's left: no edit (identity or not) to save.
        cx.config.labels.overrides.remove(&id);
    }
    cx.change(Change::ExportOutdated);
    cx.start(Request::Profile);
}

impl Screen for InspectScreen {
    fn can_enter(&mut self, cx: &mut Ctx) -> bool {
        let ok = cx.data.sweep().is_some()
            && !cx.data.sweep_pending(cx.config)
            && (cx.data.profiles().is_some() || cx.job(JobKind::Profile).is_some());
        if !ok {
            cx.set_status(
                StatusKind::Warn,
                "Run the sweep first (Enter or r on Cluster).",
            );
        }
        ok
    }

    fn enter(&mut self, cx: &mut Ctx) {
        if cx.data.profiles().is_none() && cx.job(JobKind::Profile).is_none() {
            cx.start(Request::Profile);
        }
        let Some(p) = cx.data.profiles() else {
            return;
        };
        let k = p.segments.len();
        self.keep_selection_in(k);
        let tiny: Vec<String> = p.tiny_segments().map(|s| s.id.to_string()).collect();
        if let Some(problem) = p.edits.problems().first() {
            cx.set_status(
                StatusKind::Warn,
                format!("{problem}. Rename the segment it was meant for, or edit labels.overrides in run.toml."),
            );
        } else if tiny.is_empty() {
            // Which earlier run the numbers follow, and what changed.
            let follows = p.continuity.as_ref().map_or_else(String::new, |c| {
                format!(
                    " Numbers follow {}: {} new, {} vanished (o: where customers came from).",
                    c.previous,
                    c.new_segments.len(),
                    c.vanished.len()
                )
            });
            cx.set_status(
                StatusKind::Info,
                format!("{k} segments. Enter opens one; / finds a customer; 7: export.{follows}"),
            );
        } else {
            cx.set_status(
                StatusKind::Warn,
                format!(
                    "Segment {} holds under 0.5% of the customers: outliers, not a segment. Try a smaller K on Cluster.",
                    tiny.join(", ")
                ),
            );
        }
    }

    fn update(&mut self, cx: &mut Ctx, action: Action) {
        let k = cx.data.profiles().map_or(0, |p| p.segments.len());
        let view = self.view;
        match action {
            Action::Back if cx.job(JobKind::Profile).is_some() && view == View::Segments => {
                cx.cancel(JobKind::Profile);
                cx.set_status(StatusKind::Warn, "Profiling cancelled.");
            }
            Action::Back if self.compare_first.is_some() => {
                self.compare_first = None;
                cx.set_status(StatusKind::Info, "Comparison cancelled.");
            }
            Action::Back if view == View::Customer && !self.matches.is_empty() => {
                self.view = View::Matches;
            }
            Action::Back if view != View::Segments => {
                self.view = View::Segments;
                cx.clear_status();
            }
            Action::Back => cx.go_to(Stage::Cluster),
            Action::Command(Command::Search) => {
                cx.open(Overlay::Input(InputBox::new(
                    InputPurpose::Search,
                    "Find a customer",
                    "",
                    "The customer id, or part of one (case does not matter).",
                )));
            }
            Action::Command(Command::Scatter) => {
                self.view = if view == View::Scatter {
                    View::Segments
                } else {
                    View::Scatter
                };
            }
            Action::Command(Command::Origin) if k > 0 => self.open_origin(cx),
            Action::Command(Command::SortNext) if view == View::Segments => self.sort(cx, false),
            Action::Command(Command::SortReverse) if view == View::Segments => self.sort(cx, true),
            Action::Command(Command::Compare) if k > 0 => match self.compare_first {
                Some(first) if view == View::Segments => self.finish_compare(cx, first),
                _ => self.start_compare(cx, k),
            },
            Action::Command(Command::EditValue) if k > 0 => self.edit_label(cx),
            Action::Command(Command::EditAction) if k > 0 => self.edit_action(cx),
            Action::Confirm if view == View::Segments && k > 0 => match self.compare_first {
                Some(first) => self.finish_compare(cx, first),
                None => {
                    self.view = View::Segment;
                    self.scroll = 0;
                }
            },
            // Nothing to open in a segment: go on to the next stage.
            Action::Confirm if view == View::Segment => cx.go_to(Stage::Export),
            Action::Confirm if view == View::Customer => {
                // Enter on a customer opens their segment.
                if let Some(c) = &self.customer
                    && let Some(label) = customer_segment(cx.data, c.row)
                {
                    self.selected = label as usize;
                    self.view = View::Segment;
                    self.scroll = 0;
                }
            }
            Action::Confirm if view == View::Matches => {
                if let Some(m) = self.matches.get(self.match_selected) {
                    self.customer = Some(m.clone());
                    self.view = View::Customer;
                    self.scroll = 0;
                }
            }
            Action::Move(m) => match view {
                View::Segments | View::Scatter => self.move_in_segments(m, cx.data),
                View::Segment | View::Origin => self.move_in_segment(m, k),
                View::Compare => self.move_in_compare(m, cx.data),
                View::Matches => self.move_in_matches(m),
                View::Customer => {}
            },
            _ => {}
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, v: &DrawCtx) {
        let t = v.theme;
        let Some(p) = v.data.profiles() else {
            let block = pane_block(t, " Segments ", true);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            if let Some(job) = v.job(JobKind::Profile) {
                progress::draw_job(frame, inner, t, job);
            }
            return;
        };
        match self.view {
            View::Segments => self.draw_segments(frame, area, v, p),
            View::Segment => self.draw_segment(frame, area, v, p),
            View::Customer => self.draw_customer(frame, area, v, p),
            View::Scatter => self.draw_scatter(frame, area, v, p),
            View::Compare => self.draw_compare(frame, area, v, p),
            View::Matches => self.draw_matches(frame, area, v, p),
            View::Origin => self.draw_origin(frame, area, v, p),
        }
    }

    fn footer_keys(&self, v: &DrawCtx) -> Vec<KeyHint> {
        let g = &v.theme.glyphs;
        match self.view {
            View::Segments if self.compare_first.is_some() => vec![
                KeyHint::new(g.up_down, "segment B"),
                KeyHint::new("Enter", "compare"),
                KeyHint::new("Esc", "cancel"),
            ],
            View::Segments => vec![
                KeyHint::new(g.up_down, "segment"),
                KeyHint::new("Enter", "open"),
                // Hints that do not fit are left off from the end; the
                // status line already names / (find) and 7 (export).
                KeyHint::new("e", "rename"),
                KeyHint::new("s/S", "sort"),
                KeyHint::new("c", "compare"),
                KeyHint::new("/", "find"),
                KeyHint::new(g.left_right, "column"),
                KeyHint::new("p", "PCA"),
            ],
            View::Compare => vec![
                KeyHint::new(g.left_right, "segment B"),
                KeyHint::new(g.up_down, "scroll"),
                KeyHint::new("c", "compare another"),
                KeyHint::new("Esc", "back"),
            ],
            View::Matches => vec![
                KeyHint::new(g.up_down, "customer"),
                KeyHint::new("Enter", "open"),
                KeyHint::new("/", "find another"),
                KeyHint::new("Esc", "back"),
            ],
            View::Segment => vec![
                KeyHint::new(g.left_right, "segment"),
                KeyHint::new(g.up_down, "scroll"),
                KeyHint::new("e", "rename"),
                KeyHint::new("a", "action"),
                KeyHint::new("Enter", "export"),
                KeyHint::new("Esc", "back"),
            ],
            View::Customer => vec![
                KeyHint::new("Enter", "their segment"),
                KeyHint::new("/", "find another"),
                KeyHint::new("Esc", "back"),
            ],
            View::Scatter => vec![
                KeyHint::new(g.up_down, "segment"),
                KeyHint::new("p", "table"),
                KeyHint::new("Esc", "back"),
            ],
            View::Origin => vec![
                KeyHint::new(g.left_right, "segment"),
                KeyHint::new("o", "other run"),
                KeyHint::new("Esc", "back"),
            ],
        }
    }

    fn help(&self) -> &'static [(&'static str, &'static str)] {
        HELP
    }
}

/// What the screen is for (its keys: `keymap::BINDINGS`).
pub const HELP: &[(&str, &str)] = &[
    (
        "",
        "Inspect shows the segments of the chosen K: their size, the average",
    ),
    (
        "",
        "customer in each (original units: money, days, months, years), the label",
    ),
    (
        "",
        "the rules gave it and the recommended action. Labels and actions you",
    ),
    (
        "",
        "change are saved in run.toml, so a replay shows them too. ▲/▼ after a",
    ),
    (
        "",
        "mean: above / below everyone's (hi / lo with --ascii). Stab.: how often",
    ),
    (
        "",
        "a segment comes back when the customers are resampled (Jaccard): ✓✓ >=",
    ),
    (
        "",
        "0.85 highly stable, ✓ >= 0.75 stable, ? 0.6-0.75 a pattern, membership",
    ),
    (
        "",
        "doubtful, ✗ < 0.6 do not trust. Rule: the segment in original units (a",
    ),
    (
        "",
        "threshold tree); 'rules agree' = customers it puts in their segment.",
    ),
    (
        "",
        "Columns that do not fit are marked ◀ n / ▶ n in the header: ←/→ scroll.",
    ),
];

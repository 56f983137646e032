//! The Origin view (`o`): where the selected segment's customers came from
//! in an earlier run — an output folder, compared with this run by
//! `pipeline::compare` (customers by id, segments by identity): the
//! earlier segment it continues, the migration matrix's column for it
//! (from-segment, label, customers, share) and the customers the earlier
//! run did not have; then which previous run the numbers follow, if any.
//! ←/→ another segment, `o` another earlier run, Esc back.

use super::{InspectScreen, View};
use crate::error::Result as RunResult;
use crate::pipeline::compare::{Comparison, Provenance, earlier_run_files, provenance};
use crate::pipeline::profile::Profiles;
use crate::tui::jobs::Request;
use crate::tui::overlay::{InputBox, InputPurpose, Overlay, StatusKind};
use crate::tui::screens::{Ctx, DrawCtx};
use crate::tui::text;
use crate::tui::widgets::file_browser::fs_path;
use crate::tui::widgets::pane_block;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// An earlier run compared with the K shown.
#[derive(Debug)]
pub struct Origins {
    pub provenance: Provenance,
    /// The segment sizes it was computed for (a new K or fit: ask again).
    pub sizes: Vec<usize>,
}

fn sizes(p: &Profiles) -> Vec<usize> {
    p.segments.iter().map(|s| s.size).collect()
}

impl InspectScreen {
    /// `o`: the Origin view of the earlier run already compared, else ask
    /// for its folder (the previous run's, when one is followed).
    pub(super) fn open_origin(&mut self, cx: &mut Ctx) {
        let current = cx.data.profiles().map(|p| sizes(p));
        let fresh = self
            .origins
            .as_ref()
            .map(|o| Some(&o.sizes) == current.as_ref());
        if fresh == Some(true) && self.view != View::Origin {
            self.view = View::Origin;
            self.scroll = 0;
            return;
        }
        let suggested = self
            .origins
            .as_ref()
            .map(|o| o.provenance.earlier.clone())
            .or_else(|| {
                let p = cx.config.cluster.previous.as_deref()?;
                Some(p.parent()?.display().to_string())
            })
            .unwrap_or_default();
        cx.open(Overlay::Input(InputBox::new(
            InputPurpose::Origin,
            "Earlier run to compare with",
            &suggested,
            "Its output folder (segmentation_results.csv and model.json); customers are matched by id.",
        )));
    }

    /// Compares the output folder `text` with this run, in the worker (the
    /// earlier results can hold millions of customers): the view opens
    /// when [`Self::on_compared`] gets the answer.
    pub fn load_origin(&mut self, cx: &mut Ctx, text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Err("type the earlier run's output folder".into());
        }
        let Some(p) = cx.data.profiles() else {
            return Err("no segments yet".into());
        };
        // What is quick to check is checked here, so a mistyped folder
        // keeps the box open; reading the customers is the worker's.
        let earlier = fs_path(text);
        earlier_run_files(&earlier).map_err(|e| e.to_string())?;
        self.comparing_sizes = Some(sizes(p));
        cx.start(Request::Compare { earlier });
        cx.set_status(
            StatusKind::Info,
            "Comparing with the earlier run: reading its customers...",
        );
        Ok(())
    }

    /// The comparison asked for by [`Self::load_origin`].
    pub fn on_compared(&mut self, cx: &mut Ctx, result: RunResult<Comparison>) {
        let Some(sizes) = self.comparing_sizes.take() else {
            return;
        };
        let c = match result {
            Ok(c) => c,
            Err(e) => {
                cx.set_status(StatusKind::Error, e.to_string());
                return;
            }
        };
        let moved = c.moved;
        self.origins = Some(Origins {
            provenance: provenance(&c),
            sizes,
        });
        self.view = View::Origin;
        self.scroll = 0;
        cx.set_status(
            StatusKind::Info,
            format!(
                "Compared with {}: {} customers changed segment. ←/→ another segment.",
                c.old.shown,
                text::thousands(moved)
            ),
        );
    }

    pub(super) fn draw_origin(&self, frame: &mut Frame, area: Rect, v: &DrawCtx, p: &Profiles) {
        let t = v.theme;
        let Some(s) = p.segments.get(self.selected) else {
            return;
        };
        let title = format!(" Where segment {} '{}' came from ", s.id, s.label);
        let block = pane_block(
            t,
            &text::fit(
                &title,
                area.width.saturating_sub(4) as usize,
                t.glyphs.ellipsis,
            ),
            true,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let width = inner.width.saturating_sub(2) as usize;
        let mut lines: Vec<Line<'static>> = Vec::new();
        let origins = self.origins.as_ref().filter(|o| o.sizes == sizes(p));
        match origins.and_then(|o| Some((&o.provenance, o.provenance.segments.get(s.id as usize)?))) {
            Some((prov, seg)) => {
                lines.push(Line::styled(
                    text::fit(&format!("Earlier run: {}", prov.earlier), width, t.glyphs.ellipsis),
                    t.dim(),
                ));
                let continues = match &seg.continues {
                    Some((n, l)) => format!("Continues earlier segment {n} '{l}'."),
                    None => "New: no earlier segment matches it.".into(),
                };
                lines.push(Line::styled(continues, t.text()));
                lines.push(Line::default());
                lines.extend(origin_table(v, seg, width));
            }
            None => lines.push(Line::styled(
                "Press o and give an earlier run's output folder to see where these customers came from.",
                t.dim(),
            )),
        }
        if let Some(c) = &p.continuity {
            lines.push(Line::default());
            for l in c.lines() {
                for w in text::wrap(&l, width) {
                    lines.push(Line::styled(w, t.dim()));
                }
            }
        }
        let scroll = self
            .scroll
            .min((lines.len() as u16).saturating_sub(inner.height));
        let padded = Rect::new(
            inner.x + 1,
            inner.y,
            inner.width.saturating_sub(2),
            inner.height,
        );
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), padded);
    }
}

/// The segment's column of the migration matrix, largest first.
fn origin_table(
    v: &DrawCtx,
    seg: &crate::pipeline::compare::SegmentOrigin,
    width: usize,
) -> Vec<Line<'static>> {
    let t = v.theme;
    let label_w = width.saturating_sub(30).max(8);
    let row = |from: String, label: String, count: usize, share: f64| {
        Line::from(vec![
            Span::styled(format!("{from:>5}  "), t.text()),
            Span::styled(text::fit(&label, label_w, t.glyphs.ellipsis), t.text()),
            Span::styled(
                format!(" {:>12} {:>6.1}%", text::thousands(count), share * 100.0),
                t.text(),
            ),
        ])
    };
    let mut out = vec![Line::styled(
        format!(
            "{:>5}  {}{:>13} {:>7}",
            "From",
            text::fit("Label", label_w, ""),
            "Customers",
            "Share"
        ),
        t.dim(),
    )];
    for o in &seg.from {
        out.push(row(
            o.from.0.to_string(),
            o.from.1.clone(),
            o.count,
            o.share,
        ));
    }
    let share = seg.entered as f64 / seg.size.max(1) as f64;
    out.push(row(
        "new".into(),
        "not in the earlier run".into(),
        seg.entered,
        share,
    ));
    out
}

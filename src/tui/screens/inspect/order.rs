//! The order of the segment table: `s` sorts by the next column (segment,
//! label, size, stability when measured, then each key average in the
//! table's order), `S` reverses it. The bars and ↑/↓ follow the same order.

use crate::pipeline::profile::{Profiles, SegmentProfile};
use crate::pipeline::trust::Trust;

/// A column the table can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// The segment's number.
    #[default]
    Id,
    Label,
    Size,
    Stability,
    /// The mean of a feature (its index in the profiles).
    Feature(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SortBy {
    pub column: SortColumn,
    pub descending: bool,
}

impl SortBy {
    /// The column after this one, in the table's order of columns; names
    /// and ids go up, numbers start with the largest.
    pub fn next(self, features_in_order: &[usize], stability: bool) -> SortBy {
        let mut columns = vec![SortColumn::Id, SortColumn::Label, SortColumn::Size];
        if stability {
            columns.push(SortColumn::Stability);
        }
        columns.extend(features_in_order.iter().map(|&j| SortColumn::Feature(j)));
        let at = columns.iter().position(|&c| c == self.column);
        let column = at.map_or(SortColumn::Id, |i| columns[(i + 1) % columns.len()]);
        SortBy {
            column,
            descending: !matches!(column, SortColumn::Id | SortColumn::Label),
        }
    }

    pub fn reversed(self) -> SortBy {
        SortBy {
            descending: !self.descending,
            ..self
        }
    }

    /// "size, largest first".
    pub fn describe(self, p: &Profiles) -> String {
        let name = match self.column {
            SortColumn::Id => "segment number".to_string(),
            SortColumn::Label => "label".to_string(),
            SortColumn::Size => "size".to_string(),
            SortColumn::Stability => "stability".to_string(),
            SortColumn::Feature(j) => p
                .segments
                .first()
                .and_then(|s| s.features.get(j))
                .map_or_else(
                    || "a feature".to_string(),
                    |f| format!("mean {}", f.feature),
                ),
        };
        let way = match (self.column, self.descending) {
            (SortColumn::Id | SortColumn::Label, false) => "A to Z / 0 up",
            (SortColumn::Id | SortColumn::Label, true) => "reversed",
            (_, true) => "largest first",
            (_, false) => "smallest first",
        };
        format!("{name}, {way}")
    }
}

/// The value a segment is sorted by (numbers; the label sorts apart).
fn key(s: &SegmentProfile, by: SortColumn, trust: Option<&Trust>) -> f64 {
    match by {
        SortColumn::Id | SortColumn::Label => s.id as f64,
        SortColumn::Size => s.size as f64,
        SortColumn::Stability => trust
            .and_then(|t| t.stability_of(s.id as usize))
            .map_or(f64::NEG_INFINITY, |st| st.jaccard),
        SortColumn::Feature(j) => s
            .features
            .get(j)
            .map_or(f64::NEG_INFINITY, |f| f.mean)
            .max(f64::MIN),
    }
}

/// The segments' indices in the order of `by`; ties by segment number.
pub fn order(p: &Profiles, by: SortBy, trust: Option<&Trust>) -> Vec<usize> {
    let segs = &p.segments;
    let mut idx: Vec<usize> = (0..segs.len()).collect();
    idx.sort_by(|&a, &b| {
        let (sa, sb) = (&segs[a], &segs[b]);
        let primary = match by.column {
            SortColumn::Label => sa.label.to_lowercase().cmp(&sb.label.to_lowercase()),
            c => key(sa, c, trust).total_cmp(&key(sb, c, trust)),
        };
        let primary = if by.descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then(sa.id.cmp(&sb.id))
    });
    idx
}

/// The segment `step` rows from `selected` in `order` (kept inside).
pub fn step(order: &[usize], selected: usize, step: isize) -> usize {
    let Some(pos) = order.iter().position(|&i| i == selected) else {
        return order.first().copied().unwrap_or(0);
    };
    let to = (pos as isize + step).clamp(0, order.len().saturating_sub(1) as isize);
    order[to as usize]
}

/// The first of `len` rows to show in `height` rows so that row `pos`
/// is among them, starting from `from` (where the table starts) when it can.
pub fn window(from: usize, pos: usize, height: usize, len: usize) -> usize {
    if height == 0 || len <= height {
        return 0;
    }
    let start = from.min(pos).max((pos + 1).saturating_sub(height));
    start.min(len - height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_walks_the_columns_and_wraps() {
        let mut by = SortBy::default();
        let mut seen = vec![by.column];
        for _ in 0..6 {
            by = by.next(&[2, 0], true);
            seen.push(by.column);
        }
        use SortColumn::*;
        assert_eq!(
            seen,
            vec![Id, Label, Size, Stability, Feature(2), Feature(0), Id]
        );
        assert!(
            SortBy::default()
                .next(&[], false)
                .next(&[], false)
                .descending
        );
        assert!(!SortBy::default().next(&[], false).descending);
    }

    #[test]
    fn windows_keep_the_row_in_sight() {
        assert_eq!(window(0, 9, 5, 10), 5);
        assert_eq!(window(3, 4, 5, 10), 3);
        assert_eq!(window(7, 2, 5, 10), 2);
        assert_eq!(window(4, 6, 5, 4), 0);
        assert_eq!(window(9, 9, 3, 10), 7);
    }

    #[test]
    fn steps_follow_the_order() {
        let order = [3, 0, 2, 1];
        assert_eq!(step(&order, 3, 1), 0);
        assert_eq!(step(&order, 0, 2), 1);
        assert_eq!(step(&order, 1, 1), 1);
        assert_eq!(step(&order, 3, -1), 3);
    }
}

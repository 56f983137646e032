//! Rules across the table: template extras when RFM is mapped, campaign
//! contacts, binnings of another column (by rank correlation).

use super::*;

/// Whether the columns that build Recency, Frequency and Monetary are all mapped.
pub fn has_rfm(mapping: &Mapping) -> bool {
    let mapped = |roles: &[Role]| {
        roles.iter().any(|r| {
            mapping
                .column_for(*r)
                .is_some_and(|c| mapping.usage_of(c) != ColumnUse::Ignore)
        })
    };
    mapped(&[Role::LastDate, Role::TxnDate, Role::Recency])
        && mapped(&[Role::TxnCount])
        && mapped(&[Role::TxnAmount])
}

pub(super) fn template_extras(table: &Table, mapping: &Mapping, out: &mut [ColumnHygiene]) {
    if !has_rfm(mapping) {
        return;
    }
    for (cm, h) in mapping.columns.iter().zip(out.iter_mut()) {
        let numeric = table
            .column(&cm.column)
            .is_some_and(|c| c.ctype.is_numeric());
        if numeric && cm.role.is_none() && cm.usage == ColumnUse::Feature && h.rule.is_none() {
            h.rule = Some(Rule::TemplateExtra);
        }
    }
}

/// Words of a column about a marketing contact (UCI bank marketing:
/// `campaign`, `pdays`, `contact`, `poutcome`; call-centre exports:
/// `num_calls`, `call_duration`, `contacts`).
pub(super) const CONTACT_WORDS: [&str; 9] = [
    "campaign",
    "campaigns",
    "contact",
    "contacts",
    "contacted",
    "call",
    "calls",
    "pdays",
    "poutcome",
];

/// Whole names that are about the contact only in a campaign table (a
/// `duration` elsewhere can be a loan's term).
pub(super) const CONTACT_NAMES: [&str; 5] = [
    "duration",
    "previous",
    "durationsec",
    "durationseconds",
    "attempts",
];

/// The contact word of a column name, if it is about a marketing contact.
pub(super) fn contact_word(name: &str) -> Option<String> {
    has_token(&tokens(name), &CONTACT_WORDS).or_else(|| {
        let n = normalise(name);
        CONTACT_NAMES.contains(&n.as_str()).then_some(n)
    })
}

/// A campaign table holds an outcome and at least one column named after
/// the contact; there, columns about the contact (how many calls, how
/// long, how long ago, by which channel) are profiled, not clustered: they
/// describe what the bank did, and the call's length is known only once
/// the outcome is.
pub(super) fn campaign_contacts(mapping: &Mapping, out: &mut [ColumnHygiene]) {
    let outcome = out
        .iter()
        .any(|h| matches!(h.rule, Some(Rule::Outcome { .. })));
    let contact = mapping
        .columns
        .iter()
        .any(|cm| has_token(&tokens(&cm.column), &CONTACT_WORDS).is_some());
    if !(outcome && contact) {
        return;
    }
    for (cm, h) in mapping.columns.iter().zip(out.iter_mut()) {
        if h.rule.is_some() || cm.role.is_some() || cm.usage == ColumnUse::Ignore {
            continue;
        }
        if let Some(word) = contact_word(&cm.column) {
            h.rule = Some(Rule::CampaignContact { word });
        }
    }
}

/// Rows used for rank correlations: all of them up to this, else an even
/// stride through the table (deterministic).
pub(super) const RANK_SAMPLE: usize = 20_000;

/// Few-level whole-number columns that rank customers like a clustered
/// column (|Spearman rho| >= 0.95) repeat it.
pub(super) fn binnings(table: &Table, mapping: &Mapping, out: &mut [ColumnHygiene]) {
    let n = table.n_rows;
    let step = n.div_ceil(RANK_SAMPLE).max(1);
    let rows: Vec<usize> = (0..n).step_by(step).collect();
    let sample = |col: &Column| -> Option<Vec<f64>> {
        match &*col.data {
            ColumnData::Number(v) => Some(rows.iter().map(|&i| v[i]).collect()),
            ColumnData::Date(v) => Some(
                rows.iter()
                    .map(|&i| {
                        if v[i] == MISSING_DATE {
                            f64::NAN
                        } else {
                            f64::from(v[i])
                        }
                    })
                    .collect(),
            ),
            ColumnData::Text(_) => None,
        }
    };
    let clustered: Vec<(&str, Vec<f64>)> = mapping
        .columns
        .iter()
        .zip(out.iter())
        .filter(|(cm, h)| {
            cm.usage == ColumnUse::Feature && h.rule.is_none() && cm.role != Some(Role::CustomerId)
        })
        .filter_map(|(cm, _)| {
            let col = table.column(&cm.column)?;
            let levels = Summary::of(col.numbers().unwrap_or(&[])).n_levels();
            let many = col.ctype == ColumnType::Date || levels.is_none_or(|l| l > 20);
            if many {
                sample(col).map(|v| (cm.column.as_str(), v))
            } else {
                None
            }
        })
        .collect();
    if clustered.is_empty() {
        return;
    }
    for (cm, h) in mapping.columns.iter().zip(out.iter_mut()) {
        if h.rule.is_some() || cm.role.is_some() || cm.usage != ColumnUse::Feature {
            continue;
        }
        let Some(col) = table
            .column(&cm.column)
            .filter(|c| c.ctype == ColumnType::Number)
        else {
            continue;
        };
        let s = Summary::of(col.numbers().unwrap_or(&[]));
        if !s.integer || !s.few_levels(20) || s.n_levels().is_some_and(|l| l < 3) {
            continue;
        }
        let Some(mine) = sample(col) else { continue };
        let best = clustered
            .iter()
            .filter(|(name, _)| *name != cm.column)
            .map(|(name, v)| (*name, spearman(&mine, v)))
            .filter(|(_, r)| r.is_finite())
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
        if let Some((of, rho)) = best.filter(|(_, r)| r.abs() >= 0.95) {
            h.rule = Some(Rule::Binning {
                of: of.to_string(),
                rho,
            });
        }
    }
}

/// Ranks with ties averaged (1-based).
pub(super) fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            r[o] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation over the rows where both are present.
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (x, y): (Vec<f64>, Vec<f64>) = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .unzip();
    if x.len() < 3 {
        return f64::NAN;
    }
    let (rx, ry) = (ranks(&x), ranks(&y));
    let m = (x.len() as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (p, q) in rx.iter().zip(&ry) {
        sxy += (p - m) * (q - m);
        sxx += (p - m) * (p - m);
        syy += (q - m) * (q - m);
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

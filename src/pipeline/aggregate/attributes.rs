//! Customer attributes of a transaction log (age, gender, branch, account
//! type ...): which columns are carried, each customer's values interned
//! and counted while the rows stream by, and the most frequent value per
//! customer at the end. A column whose values vary within customers is a
//! per-transaction column and is not carried.

use super::accumulate::{Acc, Shard};
use super::output::OutColumns;
use super::pass::{Grouped, Order};
use super::report::{AggregateReport, Disagreement};
use crate::pipeline::excerpt;
use crate::pipeline::fxhash::FxBuild;
use crate::pipeline::id_key::IdKey;
use crate::pipeline::mapping::{ColumnMapping, ColumnUse, Mapping, Role};
use crate::pipeline::table::{
    Column, ColumnData, ColumnInfo, ColumnType, MISSING_DATE, Table, TextColumn, format_date,
};
use std::collections::HashMap;

/// Roles that describe the customer rather than one transaction.
const ATTRIBUTE_ROLES: [Role; 7] = [
    Role::Age,
    Role::BirthDate,
    Role::Gender,
    Role::Branch,
    Role::OpenDate,
    Role::ProductCount,
    Role::Tenure,
];

/// One attribute of one customer: the single value seen so far and how often
/// (`count == 0`: none yet; `count == MULTI`: the customer's rows disagree,
/// and `value` is the index of their counts in the attribute's overflow
/// list). All attributes of a customer sit next to each other, so a row
/// touches one cache line for them.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    value: u32,
    count: u32,
}

pub(super) const EMPTY: Slot = Slot { value: 0, count: 0 };
const MULTI: u32 = u32::MAX;

enum AttrValues<'a> {
    Text {
        col: &'a TextColumn,
        ids: HashMap<IdKey<'a>, u32, FxBuild>,
        strings: Vec<&'a str>,
        /// Give up (per-transaction column) when distinct values pass the
        /// customers seen so far plus this.
        slack: Option<usize>,
    },
    Number {
        col: &'a [f64],
        ids: HashMap<u64, u32, FxBuild>,
        values: Vec<f64>,
    },
    Date(&'a [i32]),
}

/// A column carried to the customer table as an attribute.
pub(super) struct AttrSpec<'a> {
    pub(super) source: &'a Column,
    pub(super) mapping: Option<&'a ColumnMapping>,
    /// `Some` for unmapped text columns, which may turn out per-transaction.
    pub(super) slack: Option<usize>,
}

/// A customer whose rows disagree on an attribute: (customer, [(value,
/// count, last row)]).
type Disagreeing = (u32, Vec<(u32, u32, u32)>);

pub(super) struct Attr<'a> {
    values: AttrValues<'a>,
    pub(super) overflow: Vec<Disagreeing>,
    pub(super) abandoned: bool,
}

impl<'a> Attr<'a> {
    pub(super) fn new(spec: &AttrSpec<'a>) -> Attr<'a> {
        let values = match &*spec.source.data {
            ColumnData::Text(t) => AttrValues::Text {
                col: t,
                ids: HashMap::default(),
                strings: Vec::new(),
                slack: spec.slack,
            },
            ColumnData::Number(v) => AttrValues::Number {
                col: v,
                ids: HashMap::default(),
                values: Vec::new(),
            },
            ColumnData::Date(v) => AttrValues::Date(v),
        };
        Attr {
            values,
            overflow: Vec::new(),
            abandoned: false,
        }
    }

    /// The interned value of row `i`, `None` when missing.
    #[inline]
    pub(super) fn key(&mut self, i: usize, customers: usize) -> Option<u32> {
        match &mut self.values {
            AttrValues::Text {
                col,
                ids,
                strings,
                slack,
            } => {
                let s = col.get(i)?;
                let k = IdKey::text(s);
                if let Some(&id) = ids.get(&k) {
                    return Some(id);
                }
                if slack.is_some_and(|sl| strings.len() >= customers + sl) {
                    self.abandoned = true;
                    return None;
                }
                let id = strings.len() as u32;
                ids.insert(k, id);
                strings.push(s);
                Some(id)
            }
            AttrValues::Number { col, ids, values } => {
                let x = col[i];
                if x.is_nan() {
                    return None;
                }
                let bits = if x == 0.0 { 0 } else { x.to_bits() };
                let next = values.len() as u32;
                let id = *ids.entry(bits).or_insert(next);
                if id == next {
                    values.push(x);
                }
                Some(id)
            }
            AttrValues::Date(v) => (v[i] != MISSING_DATE).then_some(v[i] as u32),
        }
    }

    #[inline]
    pub(super) fn observe(&mut self, slot: &mut Slot, cust: u32, row: u32, v: u32) {
        if slot.count == 0 {
            *slot = Slot { value: v, count: 1 };
        } else if slot.count != MULTI && slot.value == v {
            slot.count += 1;
        } else {
            if slot.count != MULTI {
                // The first value's last row is unknown but earlier than this
                // row and than every later one, so 0 orders it exactly.
                self.overflow
                    .push((cust, vec![(slot.value, slot.count, 0)]));
                *slot = Slot {
                    value: (self.overflow.len() - 1) as u32,
                    count: MULTI,
                };
            }
            let list = &mut self.overflow[slot.value as usize].1;
            match list.iter_mut().find(|e| e.0 == v) {
                Some(e) => {
                    e.1 += 1;
                    e.2 = row;
                }
                None => list.push((v, 1, row)),
            }
        }
    }

    /// Most frequent value of a customer (ties: the value seen last).
    pub(super) fn resolve(&self, slot: Slot) -> Option<u32> {
        match slot.count {
            0 => None,
            MULTI => self.overflow[slot.value as usize]
                .1
                .iter()
                .max_by_key(|e| (e.1, e.2))
                .map(|e| e.0),
            _ => Some(slot.value),
        }
    }

    pub(super) fn display(&self, v: u32) -> String {
        match &self.values {
            AttrValues::Text { strings, .. } => {
                format!("'{}'", excerpt::cell(strings[v as usize]))
            }
            AttrValues::Number { values, .. } => {
                crate::pipeline::table::format_number(values[v as usize])
            }
            AttrValues::Date(_) => format_date(v as i32),
        }
    }

    /// The interned strings of a text attribute.
    pub(super) fn strings(&self) -> &[&'a str] {
        match &self.values {
            AttrValues::Text { strings, .. } => strings,
            _ => &[],
        }
    }
}

/// The columns carried to the customer table as attributes: those mapped to
/// an attribute role, and unmapped text columns not marked "ignore" (which
/// may still turn out per-transaction). `used` are the columns the
/// aggregates read; every other column goes to `not_carried` with the reason.
pub(super) fn attribute_specs<'a>(
    table: &'a Table,
    mapping: &'a Mapping,
    used: &[&str],
    max_levels: usize,
    not_carried: &mut Vec<(String, String)>,
) -> Vec<AttrSpec<'a>> {
    let mut specs = Vec::new();
    for col in &table.columns {
        if used.contains(&col.name.as_str()) {
            continue;
        }
        let cm = mapping.columns.iter().find(|c| c.column == col.name);
        let role = cm.and_then(|c| c.role);
        let usage = cm.map_or(ColumnUse::Ignore, |c| c.usage);
        let is_attr_role = role.is_some_and(|r| ATTRIBUTE_ROLES.contains(&r));
        if !is_attr_role
            && (role.is_some() || col.ctype != ColumnType::Text || usage == ColumnUse::Ignore)
        {
            not_carried.push((col.name.clone(), why_not_carried(col, role, usage)));
            continue;
        }
        specs.push(AttrSpec {
            source: col,
            mapping: cm,
            slack: (!is_attr_role).then_some(max_levels),
        });
    }
    specs
}

/// Why a column that is not an attribute is not carried.
fn why_not_carried(col: &Column, role: Option<Role>, usage: ColumnUse) -> String {
    if let Some(r) = role {
        format!(
            "mapped as {}, which is per transaction; the aggregates replace it",
            r.label()
        )
    } else if usage == ColumnUse::Ignore {
        "marked 'ignore' in the mapping".to_string()
    } else {
        format!(
            "an unmapped {} column is taken as a per-transaction value; map it to a role to carry it",
            col.ctype.name()
        )
    }
}

/// One attribute's output column, customer by customer in `order`.
fn attr_column(
    shards: &[Shard<'_>],
    a: usize,
    spec: &AttrSpec<'_>,
    order: &Order,
    name: &str,
) -> Column {
    let resolve = |&(_, s, l): &(u32, u8, u32)| -> Option<(&Attr<'_>, u32)> {
        let sh = &shards[s as usize];
        let attr = &sh.attrs[a];
        attr.resolve(sh.slots[l as usize * sh.attrs.len() + a])
            .map(|v| (attr, v))
    };
    let data = match &*spec.source.data {
        ColumnData::Text(_) => {
            let mut t = TextColumn::default();
            for o in order {
                match resolve(o) {
                    // Interned strings come from a table whose arena already
                    // fit, so this cannot pass 4 GiB in practice; a failure
                    // leaves the cell missing.
                    Some((attr, v)) => {
                        if !t.push(attr.strings()[v as usize]) {
                            t.push_missing();
                        }
                    }
                    None => t.push_missing(),
                }
            }
            ColumnData::Text(t)
        }
        ColumnData::Number(_) => ColumnData::Number(
            order
                .iter()
                .map(|o| {
                    resolve(o).map_or(f64::NAN, |(attr, v)| match &attr.values {
                        AttrValues::Number { values, .. } => values[v as usize],
                        _ => f64::NAN,
                    })
                })
                .collect(),
        ),
        ColumnData::Date(_) => ColumnData::Date(
            order
                .iter()
                .map(|o| resolve(o).map_or(MISSING_DATE, |(_, v)| v as i32))
                .collect(),
        ),
    };
    Column {
        name: name.to_string(),
        ctype: spec.source.ctype,
        data: data.into(),
        info: ColumnInfo::default(),
    }
}

/// The attribute columns: each customer's most frequent value. A column
/// that turns out per-transaction is not carried; customers whose rows
/// disagree are counted, with the first one as an example.
pub(super) fn attribute_columns(
    out: &mut OutColumns,
    report: &mut AggregateReport,
    grouped: &Grouped<'_>,
    specs: &[AttrSpec<'_>],
    accs: &[&Acc],
    id_col: &Column,
) {
    let shards = &grouped.shards;
    let customers = accs.len();
    let multi_row = accs.iter().filter(|a| a.count >= 2).count();
    for (a, spec) in specs.iter().enumerate() {
        let name = spec.source.name.clone();
        let disagreeing: usize = shards.iter().map(|sh| sh.attrs[a].overflow.len()).sum();
        if let Some(why) = per_transaction(shards, a, spec, customers, disagreeing, multi_row) {
            report.not_carried.push((name, why));
            continue;
        }
        if let Some(example) = first_disagreement(shards, a, id_col) {
            report.disagreements.push(Disagreement {
                column: name.clone(),
                customers: disagreeing,
                example,
            });
        }
        let role = spec.mapping.and_then(|m| m.role);
        let usage = spec.mapping.map_or(ColumnUse::Profile, |m| m.usage);
        let col = attr_column(shards, a, spec, &grouped.order, &name);
        out.add(
            col,
            role,
            usage,
            format!("customer attribute '{name}': most frequent value per customer"),
        );
        // What the hygiene rules found in the log holds for the attribute.
        if let (Some(last), Some(m)) = (out.cmap.last_mut(), spec.mapping) {
            last.hygiene = m.hygiene.clone();
        }
    }
}

/// Why attribute `a` is a per-transaction column after all, if it is: more
/// distinct values than customers, or (an unmapped column) values that
/// differ within most customers with several rows.
fn per_transaction(
    shards: &[Shard<'_>],
    a: usize,
    spec: &AttrSpec<'_>,
    customers: usize,
    disagreeing: usize,
    multi_row: usize,
) -> Option<String> {
    let abandoned = shards.iter().any(|sh| sh.attrs[a].abandoned);
    let levels = if spec.slack.is_some() {
        shards
            .iter()
            .flat_map(|sh| sh.attrs[a].strings().iter().copied())
            .collect::<std::collections::HashSet<&str>>()
            .len()
    } else {
        0
    };
    if abandoned || levels > customers {
        return Some(format!(
            "more distinct values than customers ({customers}): a per-transaction \
             column (e.g. a transaction id), not a customer attribute"
        ));
    }
    if spec.slack.is_some() && disagreeing * 2 > multi_row && multi_row >= 10 {
        // A product, description or channel varies within a customer.
        return Some(format!(
            "differs between the rows of {disagreeing} of the {multi_row} customers \
             with several rows: a per-transaction column, not a customer attribute"
        ));
    }
    None
}

/// The disagreeing customer of attribute `a` that appears first, worded
/// "C12: 'Delhi' x3, 'Mumbai' x2 -> 'Delhi'".
fn first_disagreement(shards: &[Shard<'_>], a: usize, id_col: &Column) -> Option<String> {
    let (first_row, s, l, list) = shards
        .iter()
        .enumerate()
        .flat_map(|(s, sh)| {
            sh.attrs[a]
                .overflow
                .iter()
                .map(move |(l, list)| (sh.accs[*l as usize].first_row, s, *l, list))
        })
        .min_by_key(|e| e.0)?;
    let sh = &shards[s];
    let attr = &sh.attrs[a];
    let display = |v: u32| attr.display(v);
    let mut parts: Vec<String> = list
        .iter()
        .map(|e| format!("{} x{}", display(e.0), e.1))
        .collect();
    parts.truncate(4);
    let chosen = attr
        .resolve(sh.slots[l as usize * sh.attrs.len() + a])
        .map_or(String::new(), display);
    Some(format!(
        "{}: {} -> {chosen}",
        id_col.data.display(first_row as usize),
        parts.join(", ")
    ))
}

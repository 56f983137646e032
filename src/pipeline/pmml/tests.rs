//! The document's expressions evaluated by a small interpreter of PMML's
//! arithmetic (the real engine check is `bench/score/verify_pmml.sh`):
//! the calendar functions against chrono for every day of 1900–2100, and
//! each feature's steps against custseg's own `apply_features`.

use super::dates::DateFunctions;
use super::steps::{Inputs, feature_fields};
use super::xml::Node;
use crate::pipeline::clean::IsoDate;
use crate::pipeline::features::{
    FeatureMode, FeatureParams, FeatureSource, FeatureSpec, Transform, apply_features,
};
use crate::pipeline::mapping::Mapping;
use crate::pipeline::table::{Column, SourceInfo, Table, date_to_days};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

type Env = HashMap<String, Option<f64>>;

struct Interp<'a> {
    functions: HashMap<String, &'a Node>,
}

fn attr<'n>(n: &'n Node, key: &str) -> &'n str {
    n.attrs
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{} has no {key}", n.name))
}

impl<'a> Interp<'a> {
    fn new(definitions: &'a [Node]) -> Self {
        let functions = definitions
            .iter()
            .map(|d| (attr(d, "name").to_string(), d))
            .collect();
        Interp { functions }
    }

    fn eval(&self, n: &Node, env: &Env) -> Option<f64> {
        match n.name {
            "Constant" => Some(n.text.as_deref().unwrap().parse().unwrap()),
            "FieldRef" => *env
                .get(attr(n, "field"))
                .unwrap_or_else(|| panic!("unknown field {}", attr(n, "field"))),
            "Apply" => {
                let args: Vec<Option<f64>> = n.children.iter().map(|c| self.eval(c, env)).collect();
                self.apply(attr(n, "function"), &args)
            }
            other => panic!("unexpected expression {other}"),
        }
    }

    fn apply(&self, f: &str, a: &[Option<f64>]) -> Option<f64> {
        let b = |x: bool| Some(f64::from(u8::from(x)));
        match f {
            "isMissing" => b(a[0].is_none()),
            "if" => match a[0]? != 0.0 {
                true => a[1],
                false => a.get(2).copied().flatten(),
            },
            _ if self.functions.contains_key(f) => {
                let def = self.functions[f];
                let params: Vec<&Node> = def
                    .children
                    .iter()
                    .filter(|c| c.name == "ParameterField")
                    .collect();
                let env: Env = params
                    .iter()
                    .zip(a)
                    .map(|(p, v)| (attr(p, "name").to_string(), *v))
                    .collect();
                self.eval(def.children.last().unwrap(), &env)
            }
            _ => {
                let x = a[0]?;
                let y = a.get(1).copied().flatten();
                match f {
                    "floor" => Some(x.floor()),
                    "abs" => Some(x.abs()),
                    "ln1p" => Some(x.ln_1p()),
                    "+" => Some(x + y?),
                    "-" => Some(x - y?),
                    "*" => Some(x * y?),
                    "/" => Some(x / y?),
                    "equal" => b(x == y?),
                    "lessThan" => b(x < y?),
                    "greaterThan" => b(x > y?),
                    "greaterOrEqual" => b(x >= y?),
                    "lessOrEqual" => b(x <= y?),
                    other => panic!("function {other} not interpreted"),
                }
            }
        }
    }

    /// Evaluates derived fields in order, each seeing the ones before it.
    fn derive(&self, fields: &[Node], mut env: Env) -> Env {
        for d in fields {
            let v = self.eval(&d.children[0], &env);
            env.insert(attr(d, "name").to_string(), v);
        }
        env
    }
}

fn ymd(d: NaiveDate) -> f64 {
    f64::from(d.year() * 10000 + d.month() as i32 * 100 + d.day() as i32)
}

#[test]
fn civil_is_the_calendar_for_every_day_from_1900_to_2100() {
    let dates = DateFunctions::new("t:");
    let defs = dates.definitions();
    let interp = Interp::new(&defs);
    let call = dates.civil(super::expr::field("d"));
    let mut day = NaiveDate::from_ymd_opt(1899, 12, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2101, 3, 1).unwrap();
    let mut checked = 0;
    while day <= end {
        let env = Env::from([("d".to_string(), Some(f64::from(date_to_days(day))))]);
        assert_eq!(interp.eval(&call, &env), Some(ymd(day)), "{day}");
        day = day.succ_opt().unwrap();
        checked += 1;
    }
    assert!(checked > 73_000);
    let missing = Env::from([("d".to_string(), None)]);
    assert_eq!(interp.eval(&call, &missing), None);
}

/// A one-column table and the feature's value from custseg and from the
/// document's derived fields, for every value.
fn both_ways(spec: &FeatureSpec, column: Column, as_of: Option<IsoDate>) -> Vec<(f64, f64)> {
    let values: Vec<Option<f64>> = match &*column.data {
        crate::pipeline::table::ColumnData::Number(v) => {
            v.iter().map(|x| (!x.is_nan()).then_some(*x)).collect()
        }
        crate::pipeline::table::ColumnData::Date(v) => v
            .iter()
            .map(|&d| (d != crate::pipeline::table::MISSING_DATE).then_some(f64::from(d)))
            .collect(),
        _ => unreachable!(),
    };
    let table = Table::new(vec![column], SourceInfo::default());
    let params = FeatureParams {
        mode: FeatureMode::default(),
        as_of,
        features: vec![spec.clone()],
    };
    let custseg = apply_features(&table, &Mapping::default(), &params).unwrap();
    let dates = DateFunctions::new("t:");
    let defs = dates.definitions();
    let interp = Interp::new(&defs);
    let inputs = Inputs {
        column: "c",
        as_of,
        dates: &dates,
    };
    let (fields, z) = feature_fields(spec, &inputs, &|s| format!("t:{s}"));
    values
        .iter()
        .zip(custseg)
        .map(|(v, want)| {
            let env = interp.derive(&fields, Env::from([("c".to_string(), *v)]));
            (env[&z].unwrap(), want)
        })
        .collect()
}

fn spec(source: FeatureSource) -> FeatureSpec {
    FeatureSpec {
        name: "f".into(),
        source,
        fill: 7.0,
        clip: None,
        missing_value: None,
        transform: Transform::None,
        mean: 0.0,
        std: 1.0,
    }
}

#[test]
fn months_and_years_match_custseg_across_month_ends_and_leap_days() {
    let days: Vec<i32> = (date_to_days(NaiveDate::from_ymd_opt(1900, 1, 1).unwrap())
        ..date_to_days(NaiveDate::from_ymd_opt(2030, 12, 31).unwrap()))
        .step_by(3)
        .chain([crate::pipeline::table::MISSING_DATE])
        .collect();
    let as_ofs = [
        (2024, 2, 29),
        (2024, 3, 1),
        (2023, 2, 28),
        (2024, 12, 31),
        (2025, 1, 31),
    ];
    for (y, m, d) in as_ofs {
        let as_of = IsoDate::from_ymd(y, m, d);
        for source in [
            FeatureSource::MonthsSince { column: "c".into() },
            FeatureSource::YearsSince { column: "c".into() },
            FeatureSource::DaysSince { column: "c".into() },
        ] {
            let pairs = both_ways(
                &spec(source.clone()),
                Column::date("c", days.clone()),
                as_of,
            );
            let wrong: Vec<_> = pairs.iter().filter(|(a, b)| a != b).take(3).collect();
            assert!(wrong.is_empty(), "{source:?} as of {as_of:?}: {wrong:?}");
        }
    }
}

#[test]
fn fill_sentinel_clip_transforms_and_z_match_custseg() {
    let values = vec![
        f64::NAN,
        -1.0,
        0.0,
        -0.0,
        3.5,
        -250.25,
        1e-9,
        12_345.678,
        9e99,
        -9e99,
        999.0,
    ];
    let cases = [
        (None, None, Transform::None),
        (Some([-100.0, 5000.0]), Some(-1.0), Transform::Log1p),
        (Some([-100.0, 5000.0]), None, Transform::SignedLog1p),
        (None, Some(999.0), Transform::SignedLog1p),
        (None, None, Transform::Log1p),
    ];
    for (clip, sentinel, transform) in cases {
        for (mean, std) in [(2.5, 1.75), (0.0, 1e-160), (-3.0, 0.1)] {
            let s = FeatureSpec {
                clip,
                missing_value: sentinel,
                transform,
                mean,
                std,
                ..spec(FeatureSource::Column { column: "c".into() })
            };
            for (got, want) in both_ways(&s, Column::number("c", values.clone()), None) {
                // Bit for bit but for the sign of a zero: custseg's signed
                // log keeps -0's sign (PMML has no copysign); -0 and 0 give
                // the same distances.
                let same = got.to_bits() == want.to_bits() || (got == 0.0 && want == 0.0);
                assert!(same, "{s:?}: {got:?} vs {want:?}");
            }
        }
    }
}

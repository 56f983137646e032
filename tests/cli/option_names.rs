//! The options' names and spellings, as flags and the TUI read them: each
//! name parses back to its value, the documented aliases and any letter case
//! are accepted, and an unknown value is refused with a message that lists
//! the valid ones.

use std::fmt::Debug;
use std::str::FromStr;

use custseg::pipeline::aggregate::InputKind;
use custseg::pipeline::clean::DuplicatePolicy;
use custseg::pipeline::cluster::Storage;
use custseg::pipeline::features::{FeatureMode, Transform, TransformMode};
use custseg::pipeline::hygiene::FlagUse;
use custseg::pipeline::load::DateOrder;
use custseg::pipeline::profile::LabelScheme;

/// Every spelling in `ok` parses to its value, in lower and upper case;
/// `bad` is refused with a message naming it and containing `hint`.
fn check<T>(ok: &[(&str, T)], bad: &str, hint: &str)
where
    T: FromStr<Err = String> + PartialEq + Debug + Copy,
{
    for &(text, value) in ok {
        assert_eq!(text.parse::<T>(), Ok(value), "{text}");
        assert_eq!(text.to_uppercase().parse::<T>(), Ok(value), "{text}");
    }
    let err = bad.parse::<T>().unwrap_err();
    assert!(
        err.contains(&format!("'{bad}'")) && err.contains(hint),
        "{err}"
    );
}

#[test]
fn feature_modes_and_transforms() {
    use FeatureMode::*;
    check(
        &[
            ("auto", Auto),
            ("template", Template),
            ("bank", Template),
            ("rfm", Template),
            ("generic", Generic),
        ],
        "magic",
        "use auto, template or generic",
    );
    for m in [Auto, Template, Generic] {
        assert_eq!(m.name().parse::<FeatureMode>(), Ok(m));
    }
    check(
        &[
            ("none", TransformMode::None),
            ("off", TransformMode::None),
            ("log", TransformMode::Log),
            ("log1p", TransformMode::Log),
            ("auto", TransformMode::Auto),
        ],
        "sqrt",
        "use none, log or auto",
    );
    check(
        &[
            ("none", Transform::None),
            ("log", Transform::Log1p),
            ("log1p", Transform::Log1p),
            ("signed_log", Transform::SignedLog1p),
            ("signed-log", Transform::SignedLog1p),
            ("slog", Transform::SignedLog1p),
        ],
        "sqrt",
        "use none, log or signed_log",
    );
    assert_eq!(Transform::Log1p.name(), "log1p");
    assert_eq!(Transform::SignedLog1p.name(), "signed log1p");
}

#[test]
fn clean_load_and_cluster_options() {
    use DuplicatePolicy::*;
    check(
        &[
            ("keep-first", KeepFirst),
            ("keep_first", KeepFirst),
            ("first", KeepFirst),
            ("keep-last", KeepLast),
            ("last", KeepLast),
            ("fail", Fail),
            ("error", Fail),
        ],
        "drop",
        "use keep-first, keep-last or fail",
    );
    for p in [KeepFirst, KeepLast, Fail] {
        assert_eq!(p.name().parse::<DuplicatePolicy>(), Ok(p));
    }
    check(
        &[
            ("dmy", DateOrder::Dmy),
            ("day-first", DateOrder::Dmy),
            ("mdy", DateOrder::Mdy),
            ("monthfirst", DateOrder::Mdy),
        ],
        "ymd",
        "use dmy or mdy",
    );
    check(
        &[
            ("auto", InputKind::Auto),
            ("customer", InputKind::Customers),
            ("txn", InputKind::Transactions),
            ("transactions", InputKind::Transactions),
        ],
        "rows",
        "use auto, customers or transactions",
    );
    check(
        &[
            ("f64", Storage::F64),
            ("double", Storage::F64),
            ("f32", Storage::F32),
            ("single", Storage::F32),
        ],
        "f16",
        "expected f64 or f32",
    );
}

#[test]
fn hygiene_and_label_options() {
    check(
        &[
            ("profile", FlagUse::Profile),
            ("feature", FlagUse::Feature),
            ("features", FlagUse::Feature),
        ],
        "cluster",
        "profile or feature",
    );
    use LabelScheme::*;
    check(
        &[
            ("auto", Auto),
            ("bank", Bank),
            ("rfm", Rfm),
            ("card", Card),
            ("credit-card", Card),
            ("descriptive", Descriptive),
            ("generic", Descriptive),
        ],
        "fancy",
        "auto, bank, rfm, card, descriptive",
    );
    for s in [Auto, Bank, Rfm, Card, Descriptive] {
        assert_eq!(s.name().parse::<LabelScheme>(), Ok(s));
    }
}

use super::*;
use crate::pipeline::cluster::Choice;
use crate::pipeline::progress::{FnProgress, NoProgress};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

/// A customer file with `groups` planted groups of `per` customers each
/// (balance and transactions well apart), from a small seeded generator.
fn planted_csv(dir: &Path, groups: usize, per: usize) -> PathBuf {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as f64 / 1000.0
    };
    let mut text = String::from("CustomerID,Balance,TxnCount,Age\n");
    for g in 0..groups {
        for i in 0..per {
            let balance = 1000.0 * (1 + 10 * g) as f64 * (1.0 + 0.1 * noise());
            let txns = (5 + 40 * g) as f64 + 3.0 * noise();
            let age = 25 + 15 * g + (noise() * 5.0) as usize;
            text.push_str(&format!("C{g}{i:05},{balance:.2},{txns:.0},{age}\n"));
        }
    }
    let path = dir.join("customers.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn config_for(path: &Path) -> RunConfig {
    let mut cfg = RunConfig {
        input: Some(path.to_path_buf()),
        ..RunConfig::default()
    };
    cfg.cluster.k_min = 2;
    cfg.cluster.k_max = 6;
    cfg.cluster.n_init = 2;
    cfg
}

fn run_all_of(cfg: &RunConfig) -> Analysis {
    let mut a = Analysis::new(cfg.clone());
    a.run_to(Step::Profile, &NoProgress, &|_| {}).unwrap();
    a
}

#[test]
fn runs_every_stage_in_order_and_shares_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 3, 60));
    let mut a = Analysis::new(cfg);
    let steps = RefCell::new(Vec::new());
    a.run_to(Step::Features, &NoProgress, &|s| steps.borrow_mut().push(s))
        .unwrap();
    assert_eq!(
        steps.take(),
        [
            Step::Load,
            Step::Map,
            Step::Prepare,
            Step::Clean,
            Step::Features
        ]
    );
    assert!(!a.has(Step::Cluster) && a.output().is_none());
    // Running further runs only what is missing.
    a.run_to(Step::Profile, &NoProgress, &|s| steps.borrow_mut().push(s))
        .unwrap();
    assert_eq!(steps.take(), [Step::Cluster, Step::Profile]);
    let out = a.output().unwrap();
    assert!(Arc::ptr_eq(&out.table, a.table().unwrap()));
    assert!(Arc::ptr_eq(&out.features, a.features().unwrap()));
    assert!(Arc::ptr_eq(&out.profiles, a.profiles().unwrap()));
    assert_eq!(out.table.n_rows, 180);
    assert_eq!(out.profiles.segments.len(), out.pick.k);
    let sizes: usize = out.profiles.segments.iter().map(|s| s.size).sum();
    assert_eq!(sizes, 180, "every customer is in one segment");
}

#[test]
fn a_config_change_makes_stale_from_the_first_stage_it_affects() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 3, 40));
    let base = run_all_of(&cfg);
    type Change = Box<dyn Fn(&mut RunConfig)>;
    let cases: Vec<(&str, Change, Option<Step>)> = vec![
        ("nothing", Box::new(|_| {}), None),
        (
            "labels",
            Box::new(|c| {
                let mine = crate::pipeline::labels::LabelOverride {
                    label: Some("Mine".into()),
                    action: None,
                    ..Default::default()
                };
                c.labels.overrides.insert(0, mine);
            }),
            Some(Step::Profile),
        ),
        ("seed", Box::new(|c| c.seed += 1), Some(Step::Cluster)),
        (
            "k range",
            Box::new(|c| c.cluster.k_max = 5),
            Some(Step::Cluster),
        ),
        (
            "features",
            Box::new(|c| c.features.skew_threshold = 3.0),
            Some(Step::Features),
        ),
        (
            "clean",
            Box::new(|c| c.clean.max_missing = 0.1),
            Some(Step::Clean),
        ),
        ("input", Box::new(|c| c.input = None), Some(Step::Load)),
    ];
    for (what, change, expected) in cases {
        let mut a = base.clone();
        let mut new = cfg.clone();
        change(&mut new);
        assert_eq!(a.set_config(new), expected, "{what}");
        for step in Step::ALL {
            let kept = expected.is_none_or(|from| step < from);
            assert_eq!(a.has(step), kept, "{what}: {step:?}");
        }
        // What is kept is the same output, not a copy.
        if expected.is_none_or(|s| s > Step::Features) {
            assert!(Arc::ptr_eq(a.features().unwrap(), base.features().unwrap()));
        }
    }
}

#[test]
fn moving_k_reprofiles_from_the_same_sweep_and_an_unswept_k_resweeps() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 3, 40));
    let mut a = run_all_of(&cfg);
    let sweep = Arc::clone(a.sweep().unwrap());
    let mut fixed = cfg.clone();
    fixed.cluster.k = Some(5);
    assert_eq!(a.set_config(fixed.clone()), Some(Step::Profile));
    a.run_to(Step::Profile, &NoProgress, &|_| {}).unwrap();
    assert!(Arc::ptr_eq(&sweep, a.sweep().unwrap()), "no new sweep");
    assert_eq!(a.pick().unwrap(), &KPick::fixed(5));
    assert_eq!(a.profiles().unwrap().segments.len(), 5);
    // Back to automatic: the sweep's own choice again.
    assert_eq!(a.set_config(cfg.clone()), Some(Step::Profile));
    a.run_to(Step::Profile, &NoProgress, &|_| {}).unwrap();
    assert_eq!(a.pick().unwrap().k, sweep.chosen_k);
    // A K outside the swept range needs the sweep again.
    fixed.cluster.k = Some(9);
    assert_eq!(a.set_config(fixed), Some(Step::Cluster));
    a.run_to(Step::Profile, &NoProgress, &|_| {}).unwrap();
    assert_eq!(a.profiles().unwrap().segments.len(), 9);
}

#[test]
fn back_to_automatic_after_a_k_outside_the_range_sweeps_again() {
    // Small ranges search the knee over every computed K, so a fixed K
    // computed outside the range would move the automatic choice.
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config_for(&planted_csv(dir.path(), 3, 40));
    cfg.cluster.k_max = 4;
    let mut fixed = cfg.clone();
    fixed.cluster.k = Some(8);
    let mut a = run_all_of(&fixed);
    assert_eq!(a.set_config(cfg.clone()), Some(Step::Cluster));
    a.run_to(Step::Profile, &NoProgress, &|_| {}).unwrap();
    let fresh = run_all_of(&cfg);
    assert_eq!(a.pick(), fresh.pick(), "the same K as a run without K=8");
    assert_eq!(
        a.sweep().unwrap().results.len(),
        fresh.sweep().unwrap().results.len()
    );
}

#[test]
fn the_k_rule_after_a_fixed_sweep_is_the_automatic_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 4, 40));
    let auto = run_all_of(&cfg);
    let mut fixed_cfg = cfg.clone();
    fixed_cfg.cluster.k = Some(6);
    let fixed = run_all_of(&fixed_cfg);
    let fixed_sweep = fixed.sweep().unwrap();
    assert_eq!(fixed_sweep.choice, Choice::Fixed);
    let again = k_choice::auto_pick(fixed_sweep);
    assert_eq!(again, KPick::of_sweep(auto.sweep().unwrap()));
    assert_ne!(again.choice, Choice::Fixed);
    // A fixed K the sweep did not compute is refused, naming the range.
    let e = k_choice::pick(fixed_sweep, Some(40)).unwrap_err();
    assert!(e.to_string().contains("K=40"), "{e}");
}

#[test]
fn cancel_stops_between_stages_and_keeps_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 2, 30));
    let cancel = AtomicBool::new(false);
    let progress = FnProgress {
        callback: |_, _: &str| {},
        cancel: Some(&cancel),
    };
    let mut a = Analysis::new(cfg);
    let err = a
        .run_to(Step::Profile, &progress, &|s| {
            if s == Step::Clean {
                cancel.store(true, Ordering::Relaxed);
            }
        })
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert!(a.has(Step::Prepare) && !a.has(Step::Features));
}

#[test]
fn exports_the_same_files_as_run_all() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 3, 40));
    let a = run_all_of(&cfg);
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let parts = &Output::ALL;
    a.export(&one, false, parts, &NoProgress).unwrap();
    let run = crate::pipeline::run::run_all(&cfg, &NoProgress, &|_| {}).unwrap();
    export::write_all(&run, &cfg, &two, false, &NoProgress).unwrap();
    for name in [
        "segmentation_results.csv",
        "cluster_summary.csv",
        "model.json",
    ] {
        let read = |d: &Path| std::fs::read(d.join(name)).unwrap();
        assert_eq!(read(&one), read(&two), "{name}");
    }
    let e = Analysis::new(cfg)
        .export(&dir.path().join("three"), false, parts, &NoProgress)
        .unwrap_err();
    assert!(e.to_string().contains("nothing to export"), "{e}");
}

#[test]
fn each_option_is_taken_with_the_stage_that_reads_it() {
    let base = RunConfig::default();
    let mut edited = base.clone();
    edited.input = Some("other.csv".into());
    edited.load.skip_bad_rows = !edited.load.skip_bad_rows;
    edited
        .mapping
        .usage
        .insert("Age".into(), crate::pipeline::mapping::ColumnUse::Ignore);
    edited.clean.as_of = crate::pipeline::clean::IsoDate::from_ymd(2024, 1, 31);
    edited.clean.max_missing = 0.1;
    edited.features.skew_threshold = 3.0;
    edited.seed += 1;
    edited.cluster.k_max = 5;
    edited.cluster.gap_references = 3;
    edited.cluster.k = Some(3);
    edited.cluster.stability_resamples = 7;
    edited.labels.overrides.insert(0, Default::default());
    let mut all = base.clone();
    for step in Step::ALL {
        let mut one = base.clone();
        stale::take_options(step, &mut one, &edited);
        assert_eq!(stale::first_affected(&base, &one), Some(step), "{step:?}");
        stale::take_options(step, &mut all, &edited);
    }
    assert_eq!(all, edited, "every option belongs to some stage");
}

#[test]
fn an_output_made_elsewhere_replaces_its_stage_and_drops_the_later_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 3, 40));
    let mut a = run_all_of(&cfg);
    let prepared = Arc::clone(a.prepared().unwrap());
    let mut edited = cfg.clone();
    edited.clean.max_missing = 0.1;
    let (t, m) = (a.customer_table().unwrap(), a.customer_mapping().unwrap());
    let cleaned = Arc::new(steps::clean(t, m, &edited).unwrap());
    assert!(a.put(edited.clone(), Made::Cleaned(Arc::clone(&cleaned))));
    assert!(Arc::ptr_eq(a.cleaned().unwrap(), &cleaned));
    assert!(Arc::ptr_eq(a.prepared().unwrap(), &prepared), "kept");
    assert!(!a.has(Step::Features) && !a.has(Step::Profile));
    assert_eq!(a.config(), &edited);
    // An output whose config changes what it was made from is refused.
    let mut other = edited.clone();
    other
        .mapping
        .usage
        .insert("Age".into(), crate::pipeline::mapping::ColumnUse::Ignore);
    assert!(!a.put(other, Made::Cleaned(cleaned)));
    assert_eq!(a.config(), &edited, "nothing changed");
    // The same mapping from other options keeps what follows it.
    a.run_to(Step::Features, &NoProgress, &|_| {}).unwrap();
    let mut same = edited.clone();
    same.mapping
        .usage
        .insert("Age".into(), crate::pipeline::mapping::ColumnUse::Feature);
    let mapping = Arc::new(steps::map(a.table().unwrap(), &same).unwrap());
    assert_eq!(Some(&mapping), a.mapping());
    assert!(a.put(same.clone(), Made::Mapping(mapping)));
    assert!(a.has(Step::Features) && a.config() == &same);
}

#[test]
fn naming_the_k_already_profiled_keeps_the_segments() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config_for(&planted_csv(dir.path(), 3, 40));
    let mut a = run_all_of(&cfg);
    let profiles = Arc::clone(a.profiles().unwrap());
    let k = a.pick().unwrap().k;
    let mut fixed = cfg.clone();
    fixed.cluster.k = Some(k);
    assert_eq!(a.set_config(fixed), None);
    assert!(Arc::ptr_eq(a.profiles().unwrap(), &profiles));
    assert_eq!(a.pick().unwrap(), &KPick::fixed(k));
    assert_eq!(a.set_config(cfg), None);
    assert_ne!(a.pick().unwrap().choice, Choice::Fixed);
}

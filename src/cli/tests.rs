use super::*;
use crate::config::RunConfig;
use crate::pipeline::features::Winsorize;
use crate::pipeline::mapping::Role;

fn parse(args: &[&str]) -> Cli {
    Cli::try_parse_from(std::iter::once("custseg").chain(args.iter().copied())).unwrap()
}

#[test]
fn headless_flags_fill_the_config() {
    let cli = parse(&[
        "--no-tui",
        "data.csv",
        "--out",
        "out",
        "--delimiter",
        "tab",
        "--map",
        "balance=资产余额",
        "--no-header",
        "--date-order",
        "mdy",
    ]);
    assert!(cli.no_tui);
    let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
    assert_eq!(cfg.input.as_deref(), Some(std::path::Path::new("data.csv")));
    assert_eq!(cfg.load.delimiter, Some('\t'));
    assert_eq!(cfg.load.header, Some(false));
    assert_eq!(cfg.load.date_order, DateOrder::Mdy);
    assert_eq!(cfg.mapping.roles[&Role::Balance], "资产余额");
}

#[test]
fn subcommands_parse() {
    let cli = parse(&[
        "sample",
        "--rows",
        "10",
        "--out",
        "x.csv",
        "--chinese",
        "--encoding",
        "gbk",
    ]);
    assert!(matches!(
        cli.command,
        Some(Command::Sample(SampleArgs {
            rows: 10,
            chinese: true,
            ..
        }))
    ));
    let cli = parse(&["score", "--model", "m.json", "new.csv", "--out", "s.csv"]);
    assert!(matches!(cli.command, Some(Command::Score(_))));
}

#[test]
fn log_policy_flags_fill_the_config() {
    let cli = parse(&[
        "--no-tui",
        "x.csv",
        "--returns",
        "exclude",
        "--monetary",
        "outflow",
        "--signed-amounts",
        "flows",
        "--inflow-values",
        "PRIJEM",
        "--outflow-values",
        "VYDAJ,VYBER",
    ]);
    let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
    let a = &cfg.aggregate;
    assert_eq!(a.returns, ReturnsPolicy::Exclude);
    assert_eq!(a.monetary, MonetaryBasis::Outflow);
    assert_eq!(a.signed_amounts, SignedAmounts::Flows);
    assert_eq!(a.direction_words.inflow, ["PRIJEM"]);
    assert_eq!(a.direction_words.outflow, ["VYDAJ", "VYBER"]);
    // They survive run.toml.
    let again =
        crate::config::RunConfig::from_toml_str(&cfg.to_toml_string().unwrap(), "t").unwrap();
    assert_eq!(again.aggregate, cfg.aggregate);
}

#[test]
fn bad_map_is_a_usage_error() {
    let cli = parse(&["--no-tui", "x.csv", "--map", "wealth=x"]);
    let e = cli.run.to_config(cli.file.as_ref()).unwrap_err();
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn stage_flags_fill_the_config() {
    let cli = parse(&[
        "--no-tui",
        "x.csv",
        "--k",
        "5",
        "--k-range",
        "3..8",
        "--max-missing",
        "0.4",
        "--as-of",
        "2024-06-30",
        "--transform",
        "none",
        "--drop-feature",
        "Age",
        "--labels",
        "rfm",
        "--input",
        "transactions",
    ]);
    let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
    assert_eq!(cfg.cluster.k, Some(5));
    assert_eq!((cfg.cluster.k_min, cfg.cluster.k_max), (3, 8));
    assert_eq!(cfg.clean.max_missing, 0.4);
    assert_eq!(cfg.clean.as_of.unwrap().to_string(), "2024-06-30");
    assert_eq!(cfg.features.transform, TransformMode::None);
    assert_eq!(cfg.features.drop_features, ["Age"]);
    assert_eq!(cfg.labels.scheme, LabelScheme::Rfm);
    assert_eq!(cfg.aggregate.input, InputKind::Transactions);
}

#[test]
fn bad_stage_flags_are_usage_errors() {
    assert!(Cli::try_parse_from(["custseg", "x.csv", "--k-range", "5..2"]).is_err());
    assert!(Cli::try_parse_from(["custseg", "x.csv", "--k-range", "0..3"]).is_err());
    assert!(Cli::try_parse_from(["custseg", "x.csv", "--as-of", "yesterday"]).is_err());
    let cli = parse(&["--no-tui", "x.csv", "--max-missing", "3"]);
    assert_eq!(
        cli.run
            .to_config(cli.file.as_ref())
            .unwrap_err()
            .exit_code(),
        2
    );
    let cli = parse(&["--no-tui", "x.csv", "--k", "0"]);
    assert_eq!(
        cli.run
            .to_config(cli.file.as_ref())
            .unwrap_err()
            .exit_code(),
        2
    );
}

#[test]
fn feature_and_cluster_flags_fill_the_config() {
    let cli = parse(&[
        "--no-tui",
        "x.csv",
        "--features",
        "generic",
        "--select",
        "AccountBalance",
        "--select",
        "TxnCount12M",
        "--select",
        "AccountBalance",
        "--one-hot",
        "--winsorize",
        "1,99",
        "--skew-threshold",
        "0.5",
        "--transform-feature",
        "AccountBalance=log",
        "--transform-feature",
        "Gender=F=none",
        "--silhouette-sample",
        "500",
        "--max-iter",
        "50",
        "--tol",
        "0",
    ]);
    let cfg = cli.run.to_config(cli.file.as_ref()).unwrap();
    assert_eq!(cfg.features.mode, FeatureMode::Generic);
    assert_eq!(cfg.features.select, ["AccountBalance", "TxnCount12M"]);
    assert!(cfg.features.one_hot);
    assert_eq!(
        cfg.features.winsorize,
        Some(Winsorize {
            lower: 0.01,
            upper: 0.99
        })
    );
    assert_eq!(cfg.features.skew_threshold, 0.5);
    assert_eq!(
        cfg.features.transform_overrides,
        [
            ("AccountBalance".to_string(), Transform::Log1p),
            ("Gender=F".to_string(), Transform::None)
        ]
        .into()
    );
    assert_eq!(cfg.cluster.silhouette_sample, 500);
    assert_eq!(cfg.cluster.max_iter, 50);
    assert_eq!(cfg.cluster.tol, 0.0);

    // Without the flags the defaults stay.
    let cfg = parse(&["--no-tui", "x.csv"]).run.to_config(None).unwrap();
    assert_eq!(cfg, RunConfig::default());
}

#[test]
fn winsorize_takes_percents_or_fractions_and_off() {
    let w = |s: &str| parse_winsorize(s).map(|w| w.0);
    let p = |lower, upper| Ok(Some(Winsorize { lower, upper }));
    assert_eq!(w("1,99"), p(0.01, 0.99));
    assert_eq!(w("0.01,0.99"), p(0.01, 0.99));
    assert_eq!(w(" 0.5 , 99.5 "), p(0.005, 0.995));
    assert_eq!(w("0,100"), p(0.0, 1.0));
    assert_eq!(w("5,100"), p(0.05, 1.0));
    assert_eq!(w("off"), Ok(None));
    for (bad, why) in [
        ("99,1", "below the upper"),
        ("-1,99", "at least 0"),
        ("1,150", "up to 100"),
        ("0.01,1", "ambiguous"),
        ("1", "LO,HI"),
        ("a,99", "'a' is not a number"),
        ("1,inf", "'inf' is not a number"),
    ] {
        let e = w(bad).unwrap_err();
        assert!(e.contains(why), "{bad}: {e}");
    }
}

#[test]
fn winsorize_off_overrides_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let toml = dir.path().join("run.toml");
    std::fs::write(
        &toml,
        "[features]\nwinsorize = { lower = 0.05, upper = 0.95 }\nselect = [\"A\", \"B\"]\n",
    )
    .unwrap();
    let toml = toml.to_str().unwrap();
    let cfg = parse(&["--no-tui", "--config", toml])
        .run
        .to_config(None)
        .unwrap();
    assert_eq!(cfg.features.select, ["A", "B"]);
    assert!(cfg.features.winsorize.is_some());
    let cfg = parse(&[
        "--no-tui",
        "--config",
        toml,
        "--winsorize",
        "off",
        "--select",
        "C",
    ])
    .run
    .to_config(None)
    .unwrap();
    assert_eq!(cfg.features.winsorize, None);
    assert_eq!(
        cfg.features.select,
        ["C"],
        "--select replaces the file's list"
    );
}

#[test]
fn bad_feature_and_cluster_flags_are_usage_errors() {
    for args in [
        ["--winsorize", "-1,99"],
        ["--winsorize", "99,1"],
        ["--winsorize", "0.5,1"],
        ["--transform-feature", "Balance"],
        ["--transform-feature", "Balance=sqrt"],
        ["--transform-feature", "=log"],
        ["--max-iter", "many"],
    ] {
        let e =
            Cli::try_parse_from(["custseg", "--no-tui", "x.csv", args[0], args[1]]).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}");
        assert!(e.to_string().contains(args[0]), "{args:?}: {e}");
    }
    for (args, needle) in [
        (["--max-iter", "0"], "at least 1 iteration"),
        (["--tol", "-1"], ">= 0"),
        (["--tol", "NaN"], ">= 0"),
        (["--tol", "inf"], "finite"),
        (["--silhouette-sample", "1"], "at least 2 rows"),
        (["--skew-threshold", "-0.5"], ">= 0"),
    ] {
        let cli = parse(&["--no-tui", "x.csv", args[0], args[1]]);
        let e = cli.run.to_config(cli.file.as_ref()).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{args:?}");
        let msg = e.to_string();
        assert!(
            msg.starts_with(args[0]) && msg.contains(needle),
            "{args:?}: {msg}"
        );
    }
}

#[test]
fn multi_character_delimiter_is_rejected() {
    assert!(Cli::try_parse_from(["custseg", "x.csv", "--delimiter", ";;"]).is_err());
}

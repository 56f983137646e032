//! `custseg pmml` checked as a document: read back with an XML parser
//! (quick-xml) and compared with the model it was written from — the fields
//! it declares, the fill values and valid ranges, the clusters and their
//! centres to the bit, every reference resolved, names with markup and
//! Chinese characters round-tripped — and its refusals. Whether a PMML
//! engine gives custseg's segments is checked in the reference engine by
//! `bench/score/verify_pmml.sh` (JPMML-Evaluator on Java).

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn custseg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_custseg"))
        .args(args)
        .output()
        .expect("custseg runs")
}

fn ok(args: &[&str]) -> String {
    let out = custseg(args);
    assert!(
        out.status.success(),
        "custseg {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An element read back from the document.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    fn get(&self, key: &str) -> &str {
        self.attr(key)
            .unwrap_or_else(|| panic!("<{}> has no {key}", self.name))
    }
    fn kids<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn one(&self, name: &str) -> &El {
        let all: Vec<&El> = self.children.iter().filter(|c| c.name == name).collect();
        assert_eq!(all.len(), 1, "one <{name}> in <{}>", self.name);
        all[0]
    }
    fn walk<'a>(&'a self, out: &mut Vec<&'a El>) {
        out.push(self);
        for c in &self.children {
            c.walk(out);
        }
    }
}

fn element(e: &BytesStart) -> El {
    El {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        ..El::default()
    }
}

/// The document as a tree; panics when it is not well-formed XML.
fn parse(xml: &str) -> El {
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![El::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let top = stack.last_mut().unwrap();
                match quick_xml::escape::resolve_xml_entity(&r) {
                    Some(x) => top.text.push_str(x),
                    None => top.text.push(r.resolve_char_ref().unwrap().unwrap()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "every element closed");
    let mut top = stack.pop().unwrap();
    assert_eq!(top.children.len(), 1, "one root element");
    top.children.remove(0)
}

/// A model trained on `file` and its document.
struct Written {
    _dir: tempfile::TempDir,
    model: Value,
    model_path: PathBuf,
    pmml: PathBuf,
    stdout: String,
}

impl Written {
    fn doc(&self) -> El {
        parse(&std::fs::read_to_string(&self.pmml).unwrap())
    }
}

fn train(file: &Path, flags: &[&str], pmml_flags: &[&str]) -> Written {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut args = vec![
        "--no-tui",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    ok(&args);
    let model_path = out.join("model.json");
    let pmml = dir.path().join("model.pmml");
    let mut args = vec![
        "pmml",
        "--model",
        model_path.to_str().unwrap(),
        "--out",
        pmml.to_str().unwrap(),
    ];
    args.extend_from_slice(pmml_flags);
    let stdout = ok(&args);
    let model = serde_json::from_str(&std::fs::read_to_string(&model_path).unwrap()).unwrap();
    Written {
        _dir: dir,
        model,
        model_path,
        pmml,
        stdout,
    }
}

/// The model's feature source columns, each once.
fn source_columns(model: &Value) -> BTreeSet<String> {
    model["features"]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"]["column"].as_str().unwrap().to_string())
        .collect()
}

fn clean_params<'a>(model: &'a Value, column: &str) -> &'a Value {
    model["clean"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == column)
        .unwrap_or_else(|| panic!("no clean params for {column}"))
}

/// The declared inputs are the columns the features read, with the
/// model's fill values and valid ranges in the MiningSchema / intervals.
fn check_inputs(w: &Written, doc: &El) {
    let dict = doc.one("DataDictionary");
    let fields: Vec<&El> = dict.kids("DataField").collect();
    let names: BTreeSet<String> = fields.iter().map(|f| f.get("name").to_string()).collect();
    assert_eq!(
        names,
        source_columns(&w.model),
        "one DataField per source column"
    );
    assert_eq!(dict.get("numberOfFields"), fields.len().to_string());
    let model = doc.one("ClusteringModel");
    let mining: Vec<&El> = model.one("MiningSchema").kids("MiningField").collect();
    assert_eq!(mining.len(), fields.len(), "one MiningField per DataField");
    for m in mining {
        let name = m.get("name");
        assert!(names.contains(name), "MiningField {name} is declared");
        assert_eq!(m.get("invalidValueTreatment"), "asMissing");
        let p = clean_params(&w.model, name);
        let fill = &p["imputation"]["value"];
        match fill["kind"].as_str() {
            Some("number") => {
                let got: f64 = m.get("missingValueReplacement").parse().unwrap();
                assert_eq!(
                    got.to_bits(),
                    fill["value"].as_f64().unwrap().to_bits(),
                    "{name}"
                );
            }
            Some(_) => assert_eq!(
                m.get("missingValueReplacement"),
                fill["value"].as_str().unwrap(),
                "{name}"
            ),
            None => assert!(m.attr("missingValueReplacement").is_none(), "{name}"),
        }
        let field = fields.iter().find(|f| f.get("name") == name).unwrap();
        match p["validity"]["kind"].as_str().unwrap() {
            "range" => {
                let i = field.one("Interval");
                assert_eq!(
                    i.get("leftMargin").parse::<f64>().unwrap(),
                    p["validity"]["min"].as_f64().unwrap()
                );
                assert_eq!(
                    i.get("rightMargin").parse::<f64>().unwrap(),
                    p["validity"]["max"].as_f64().unwrap()
                );
            }
            "non_negative" => assert_eq!(field.one("Interval").get("leftMargin"), "0.0"),
            "dates" => assert_eq!(field.get("dataType"), "date"),
            _ => {}
        }
    }
}

/// k clusters in segment order named by their labels, the centres to the
/// bit, one ClusteringField per feature, and the outputs.
fn check_clusters(w: &Written, doc: &El) {
    let k = w.model["k"].as_u64().unwrap() as usize;
    let d = w.model["feature_names"].as_array().unwrap().len();
    let centres: Vec<f64> = w.model["centres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let model = doc.one("ClusteringModel");
    assert_eq!(model.get("modelClass"), "centerBased");
    assert_eq!(model.get("numberOfClusters"), k.to_string());
    let measure = model.one("ComparisonMeasure");
    assert_eq!(measure.get("kind"), "distance");
    measure.one("squaredEuclidean");
    assert_eq!(model.kids("ClusteringField").count(), d);
    let clusters: Vec<&El> = model.kids("Cluster").collect();
    assert_eq!(clusters.len(), k);
    for (c, cl) in clusters.iter().enumerate() {
        let seg = &w.model["segments"][c];
        assert_eq!(cl.get("id"), c.to_string());
        assert_eq!(cl.get("name"), seg["label"].as_str().unwrap());
        let array = cl.one("Array");
        assert_eq!(array.get("n"), d.to_string());
        let values: Vec<f64> = array
            .text
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let want = &centres[c * d..(c + 1) * d];
        assert!(
            values
                .iter()
                .zip(want)
                .all(|(a, b)| a.to_bits() == b.to_bits())
                && values.len() == d,
            "cluster {c}: {values:?} vs {want:?}"
        );
    }
    let outputs: Vec<(&str, &str)> = model
        .one("Output")
        .kids("OutputField")
        .map(|o| (o.get("name"), o.get("feature")))
        .collect();
    assert_eq!(
        outputs,
        [
            ("segment", "predictedValue"),
            ("label", "predictedDisplayValue"),
            ("action", "transformedValue"),
            ("affinity", "entityAffinity"),
            ("distance", "transformedValue"),
        ]
    );
    let rows: Vec<&El> = model
        .one("Output")
        .kids("OutputField")
        .nth(2)
        .unwrap()
        .one("MapValues")
        .one("InlineTable")
        .kids("row")
        .collect();
    assert_eq!(rows.len(), k);
    for (c, row) in rows.iter().enumerate() {
        assert_eq!(row.one("segment").text, c.to_string());
        assert_eq!(
            row.one("action").text,
            w.model["segments"][c]["action"].as_str().unwrap()
        );
    }
}

/// PMML 4.4's built-in functions the document may call.
const BUILT_INS: &[&str] = &[
    "+",
    "-",
    "*",
    "/",
    "floor",
    "abs",
    "ln1p",
    "sqrt",
    "if",
    "and",
    "or",
    "not",
    "isMissing",
    "equal",
    "lessThan",
    "lessOrEqual",
    "greaterThan",
    "greaterOrEqual",
    "isIn",
    "lowercase",
    "replace",
    "dateDaysSinceYear",
    "min",
];

/// Every field reference resolves (an input, a derived field defined
/// before it, a parameter of its function, an output) and every function
/// is a built-in or defined in the document.
fn check_references(doc: &El) {
    let mut all = Vec::new();
    doc.walk(&mut all);
    let inputs: HashSet<&str> = all
        .iter()
        .filter(|e| e.name == "DataField")
        .map(|e| e.get("name"))
        .collect();
    let functions: HashSet<&str> = all
        .iter()
        .filter(|e| e.name == "DefineFunction")
        .map(|e| e.get("name"))
        .collect();
    let outputs: HashSet<&str> = all
        .iter()
        .filter(|e| e.name == "OutputField")
        .map(|e| e.get("name"))
        .collect();
    for f in all.iter().filter(|e| e.name == "DefineFunction") {
        let params: HashSet<&str> = f.kids("ParameterField").map(|p| p.get("name")).collect();
        let mut body = Vec::new();
        f.walk(&mut body);
        for r in body.iter().filter(|e| e.name == "FieldRef") {
            assert!(
                params.contains(r.get("field")),
                "{} in {}",
                r.get("field"),
                f.get("name")
            );
        }
    }
    let mut defined: HashSet<&str> = inputs.clone();
    let model = doc.one("ClusteringModel");
    for d in model.one("LocalTransformations").kids("DerivedField") {
        let mut body = Vec::new();
        d.walk(&mut body);
        for r in body.iter().filter(|e| e.name == "FieldRef") {
            assert!(
                defined.contains(r.get("field")),
                "{} before {}",
                r.get("field"),
                d.get("name")
            );
        }
        assert!(
            defined.insert(d.get("name")),
            "{} defined twice",
            d.get("name")
        );
    }
    for c in model.kids("ClusteringField") {
        assert!(defined.contains(c.get("field")) && !inputs.contains(c.get("field")));
    }
    let mut in_output = Vec::new();
    model.one("Output").walk(&mut in_output);
    for r in in_output
        .iter()
        .filter(|e| e.name == "FieldRef" || e.name == "FieldColumnPair")
    {
        assert!(
            outputs.contains(r.get("field")),
            "output reads {}",
            r.get("field")
        );
    }
    for a in all.iter().filter(|e| e.name == "Apply") {
        let f = a.get("function");
        assert!(
            BUILT_INS.contains(&f) || functions.contains(f),
            "function {f}"
        );
    }
}

fn check_all(w: &Written) -> El {
    let doc = w.doc();
    assert_eq!(doc.name, "PMML");
    assert_eq!(doc.get("version"), "4.4");
    assert_eq!(doc.get("xmlns"), "http://www.dmg.org/PMML-4_4");
    check_inputs(w, &doc);
    check_clusters(w, &doc);
    check_references(&doc);
    doc
}

fn annotations(doc: &El) -> String {
    doc.one("Header")
        .kids("Annotation")
        .map(|a| a.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn english_sample_document_matches_its_model() {
    let w = train(&repo("samples/customers_en.csv"), &[], &[]);
    let doc = check_all(&w);
    let as_of = w.model["clean"]["as_of"].as_str().unwrap();
    assert!(annotations(&doc).contains(&format!("As-of date {as_of} (the model's")));
    assert!(
        w.stdout.contains(&format!("custseg score --as-of {as_of}")),
        "{}",
        w.stdout
    );
    // Tenure (completed months) needs the calendar functions.
    assert!(
        doc.one("TransformationDictionary")
            .kids("DefineFunction")
            .count()
            > 5
    );
}

#[test]
fn chinese_sample_keeps_its_column_names_and_age_range() {
    let w = train(&repo("samples/customers_cn_gbk.csv"), &[], &[]);
    let doc = check_all(&w);
    let names: Vec<&str> = doc
        .one("DataDictionary")
        .kids("DataField")
        .map(|f| f.get("name"))
        .collect();
    assert!(
        names.contains(&"年龄") && names.contains(&"开户日期"),
        "{names:?}"
    );
    let age = doc
        .one("DataDictionary")
        .kids("DataField")
        .find(|f| f.get("name") == "年龄")
        .unwrap();
    assert_eq!(age.one("Interval").get("rightMargin"), "120.0");
}

#[test]
fn log_model_reads_the_aggregated_customer_table_and_says_so() {
    let w = train(&repo("samples/transactions.csv"), &[], &[]);
    let doc = check_all(&w);
    let notes = annotations(&doc);
    assert!(notes.contains("cannot group rows"), "{notes}");
    for c in source_columns(&w.model) {
        assert!(
            notes.contains(&format!("{c}: aggregated from transactions")),
            "{c}: {notes}"
        );
    }
    assert!(w.stdout.contains("transaction log"), "{}", w.stdout);
    // Age from the birth date: completed years to the as-of date.
    let dob = clean_params(&w.model, "CustomerDOB");
    assert_eq!(dob["role"], "birth_date");
}

/// A generated table whose feature columns carry markup, quotes, Chinese
/// and a name starting like the document's own names.
fn odd_names_table(dir: &Path) -> PathBuf {
    let header = [
        "id",
        "bal <\"¥\"> & 'co'",
        "custseg:z[x]",
        "segment",
        "金额 & 次数",
    ];
    let mut s = header
        .iter()
        .map(|h| format!("\"{}\"", h.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    for i in 0..400 {
        let blank = next(25) == 0;
        s.push_str(&format!(
            "C{i:04},{}.{:02},{},{}.5,{}\n",
            next(90_000),
            next(100),
            if blank {
                String::new()
            } else {
                next(1000).to_string()
            },
            next(300),
            next(5000)
        ));
    }
    let path = dir.join("odd.csv");
    std::fs::write(&path, s).unwrap();
    path
}

#[test]
fn odd_column_names_round_trip_and_outputs_avoid_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = odd_names_table(dir.path());
    let flags = [
        "--features",
        "generic",
        "--select",
        "bal <\"¥\"> & 'co'",
        "--select",
        "custseg:z[x]",
        "--select",
        "segment",
        "--select",
        "金额 & 次数",
        "--k",
        "3",
    ];
    let w = train(&file, &flags, &[]);
    let doc = check_all_but_outputs(&w);
    let raw = std::fs::read_to_string(&w.pmml).unwrap();
    assert!(raw.contains("name=\"bal &lt;&quot;¥&quot;&gt; &amp; 'co'\""));
    // The document's own names move away from the input's prefix.
    let derived: Vec<&str> = doc
        .one("ClusteringModel")
        .one("LocalTransformations")
        .kids("DerivedField")
        .map(|d| d.get("name"))
        .collect();
    assert!(
        derived.iter().all(|n| n.starts_with("custseg2:")),
        "{derived:?}"
    );
    let outputs: Vec<&str> = doc
        .one("ClusteringModel")
        .one("Output")
        .kids("OutputField")
        .map(|o| o.get("name"))
        .collect();
    assert_eq!(outputs[0], "custseg_segment");
    assert_eq!(outputs[1], "label");
    assert!(w.stdout.contains("custseg_segment"), "{}", w.stdout);
}

fn check_all_but_outputs(w: &Written) -> El {
    let doc = w.doc();
    check_inputs(w, &doc);
    check_references(&doc);
    doc
}

#[test]
fn as_of_given_replaces_the_models_and_moves_the_date_rules() {
    let file = repo("samples/customers_en.csv");
    let w = train(&file, &[], &["--as-of", "2025-01-31"]);
    let doc = check_all(&w);
    assert!(annotations(&doc).contains("As-of date 2025-01-31 (given"));
    // Days since 1970-01-01 of 2025-01-31: the upper bound of LastTxnDate.
    let days = (chrono::NaiveDate::from_ymd_opt(2025, 1, 31).unwrap()
        - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
    .num_days();
    let clean = doc
        .one("ClusteringModel")
        .one("LocalTransformations")
        .kids("DerivedField")
        .find(|d| d.get("name") == "custseg:clean[LastTxnDate]")
        .unwrap();
    let mut all = Vec::new();
    clean.walk(&mut all);
    assert!(
        all.iter()
            .any(|e| e.name == "Constant" && e.text == format!("{days}.0")),
        "the as-of date bounds the dates"
    );
    let bad = custseg(&[
        "pmml",
        "--model",
        w.model_path.to_str().unwrap(),
        "--out",
        w.pmml.to_str().unwrap(),
        "--force",
        "--as-of",
        "2025-02-30",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn an_existing_file_needs_force_and_is_kept_without_it() {
    let w = train(&repo("samples/customers_en.csv"), &[], &[]);
    std::fs::write(&w.pmml, "mine").unwrap();
    let args = [
        "pmml",
        "--model",
        w.model_path.to_str().unwrap(),
        "--out",
        w.pmml.to_str().unwrap(),
    ];
    let out = custseg(&args);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert_eq!(std::fs::read_to_string(&w.pmml).unwrap(), "mine");
    let mut forced = args.to_vec();
    forced.push("--force");
    ok(&forced);
    parse(&std::fs::read_to_string(&w.pmml).unwrap());
}

#[test]
fn a_control_character_in_a_column_name_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("id,\"amount\u{1b}[2J\",count\n");
    for i in 0..200u32 {
        s.push_str(&format!(
            "C{i},{}.25,{}\n",
            (i * 7919) % 5000,
            (i * 31) % 97
        ));
    }
    let file = dir.path().join("ctl.csv");
    std::fs::write(&file, s).unwrap();
    let out = dir.path().join("run");
    ok(&[
        "--no-tui",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--features",
        "generic",
        "--k",
        "2",
    ]);
    let model = out.join("model.json");
    let text = std::fs::read_to_string(&model).unwrap();
    assert!(text.contains("amount\\u001b[2J"), "the column is a feature");
    let pmml = dir.path().join("m.pmml");
    let r = custseg(&[
        "pmml",
        "--model",
        model.to_str().unwrap(),
        "--out",
        pmml.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8(r.stderr).unwrap();
    assert!(err.contains("U+001B") && err.contains("amount"), "{err}");
    assert!(!err.contains('\u{1b}'), "nothing raw reaches the terminal");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!pmml.exists(), "nothing written");
}

#[test]
fn a_model_without_an_as_of_date_is_refused_naming_the_flag() {
    use custseg::pipeline::model::Model;
    use custseg::pipeline::pmml::{PmmlRequest, pmml_document};
    let w = train(&repo("samples/customers_en.csv"), &[], &[]);
    let mut model = Model::read(&w.model_path).unwrap();
    model.clean.as_of = None;
    model.features.as_of = None;
    let err = pmml_document(&model, &PmmlRequest::default()).unwrap_err();
    let line = custseg::cli::error_line(&err);
    assert!(
        line.contains("no as-of date") && line.contains("--as-of"),
        "{line}"
    );
    let given = PmmlRequest {
        as_of: "2024-06-30".parse().ok(),
    };
    let doc = pmml_document(&model, &given).unwrap();
    parse(&doc.xml);
}

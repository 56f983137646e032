//! PNG chart export: every chart is written, decodes, has the right size, is
//! not blank, is owner-only; optional inputs skip charts; Chinese text renders
//! with the embedded font; PCA on hand-checkable data.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use custseg::Error;
use custseg::pipeline::export::charts::{
    COMBINED_PNG, ChartInput, SEGMENT_SIZES_PNG, SegmentInfo, SweepPoint, write_charts,
};
use custseg::pipeline::export::fonts::{FONT_BOLD, FONT_FAMILY, FONT_REGULAR, register_fonts};
use custseg::pipeline::export::pca::pca_2d;
use ndarray::ArrayView2;

/// The row-major `n × d` matrix in `data` as a view.
fn mat(data: &[f64], n: usize, d: usize) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((n, d), data).expect("n × d values")
}

const ALL: [&str; 9] = [
    "elbow.png",
    "segment_sizes.png",
    "balance_distribution.png",
    "radar.png",
    "heatmap.png",
    "scatter.png",
    "pca.png",
    "stability.png",
    "segmentation_charts.png",
];

/// Owned data behind a `ChartInput`: `k` segments with separated centres in
/// `d` standardised features, skewed money and frequency columns.
struct Fixture {
    n: usize,
    d: usize,
    k: usize,
    scaled: Vec<f64>,
    labels: Vec<u8>,
    money: Vec<f64>,
    freq: Vec<f64>,
}

impl Fixture {
    fn new(n: usize, k: usize, d: usize) -> Self {
        let mut state = 0x1234_5678_u64;
        let mut unif = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut scaled = Vec::with_capacity(n * d);
        let mut labels = Vec::with_capacity(n);
        let mut money = Vec::with_capacity(n);
        let mut freq = Vec::with_capacity(n);
        for i in 0..n {
            let s = (i * 7 + i / 3) % k;
            labels.push(s as u8);
            for j in 0..d {
                let centre = if (s + j).is_multiple_of(3) { 1.5 } else { -0.5 };
                scaled.push(centre + unif() - 0.5);
            }
            money.push((6.0 + 1.5 * s as f64 + 2.0 * unif()).exp());
            freq.push((2.0 + 10.0 * unif() * (s + 1) as f64).round());
        }
        Fixture {
            n,
            d,
            k,
            scaled,
            labels,
            money,
            freq,
        }
    }

    fn input(&self) -> ChartInput<'_> {
        let labels = [
            "High-Value Customers (VIP)",
            "高价值客户",
            "Young Digital Actives / 年轻活跃客户",
            "沉睡客户 (Dormant)",
            "New Customers",
        ];
        let names = [
            "资产余额",
            "Txn frequency",
            "Recency (days)",
            "贷款余额",
            "年龄 Age",
        ];
        let mut centroid_z = vec![vec![0.0; self.d]; self.k];
        let mut sizes = vec![0usize; self.k];
        for (row, &s) in self.scaled.chunks_exact(self.d).zip(&self.labels) {
            sizes[s as usize] += 1;
            for (c, x) in centroid_z[s as usize].iter_mut().zip(row) {
                *c += x;
            }
        }
        for (row, &size) in centroid_z.iter_mut().zip(&sizes) {
            row.iter_mut().for_each(|z| *z /= size.max(1) as f64);
        }
        ChartInput {
            title_suffix: "客户数据_2024.csv".into(),
            feature_names: (0..self.d)
                .map(|j| {
                    names
                        .get(j)
                        .map_or(format!("Feature {j}"), |s| s.to_string())
                })
                .collect(),
            segments: (0..self.k)
                .map(|s| SegmentInfo {
                    id: s as u32,
                    label: labels
                        .get(s)
                        .map_or(format!("Segment {s} with a rather long label"), |l| {
                            l.to_string()
                        }),
                    size: sizes[s],
                })
                .collect(),
            sweep: (2..=8)
                .map(|k| SweepPoint {
                    k,
                    sse: 1000.0 / k as f64,
                    silhouette: Some(0.3 + 0.02 * k as f64),
                })
                .collect(),
            chosen_k: self.k,
            centroid_z,
            scaled: mat(&self.scaled, self.n, self.d),
            labels: &self.labels,
            money_feature: Some(("资产余额".into(), &self.money)),
            scatter: Some((
                ("资产余额".into(), &self.money),
                ("Txn frequency".into(), &self.freq),
            )),
            stability: (0..self.k)
                .map(|s| 0.5 + 0.45 * s as f64 / self.k as f64)
                .collect(),
        }
    }
}

/// Decodes an RGB(A) PNG: (width, height, pixels as RGB triples).
fn decode(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

fn names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Not blank: many colours, and a real share of non-white pixels.
fn assert_not_blank(path: &Path, px: &[[u8; 3]]) {
    let distinct: HashSet<[u8; 3]> = px.iter().copied().collect();
    let inked = px.iter().filter(|p| **p != [255, 255, 255]).count();
    assert!(
        distinct.len() >= 50,
        "{}: only {} colours",
        path.display(),
        distinct.len()
    );
    assert!(
        inked * 50 >= px.len(),
        "{}: only {inked} of {} pixels drawn",
        path.display(),
        px.len()
    );
}

#[test]
fn every_chart_is_written_decodes_and_is_not_blank() {
    let fx = Fixture::new(3000, 5, 5);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("charts"); // created by write_charts
    let written = write_charts(&out, &fx.input()).unwrap();
    assert_eq!(names(&written), ALL);
    for path in &written {
        let (w, h, px) = decode(path);
        let expected = if path.ends_with(COMBINED_PNG) {
            (2400, 1600)
        } else {
            (1200, 800)
        };
        assert_eq!((w, h), expected, "{}", path.display());
        assert_not_blank(path, &px);
    }
    // Nothing else left behind (no temporary files).
    let mut listed: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let mut all: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    all.sort();
    assert_eq!(listed, all);
}

#[cfg(unix)]
#[test]
fn chart_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new(500, 3, 4);
    let dir = tempfile::tempdir().unwrap();
    // Rewriting replaces the files and keeps them 0600.
    write_charts(dir.path(), &fx.input()).unwrap();
    for path in write_charts(dir.path(), &fx.input()).unwrap() {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}

#[test]
fn output_is_deterministic() {
    let fx = Fixture::new(2000, 4, 5);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let pa = write_charts(a.path(), &fx.input()).unwrap();
    let pb = write_charts(b.path(), &fx.input()).unwrap();
    for (x, y) in pa.iter().zip(&pb) {
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs between runs",
            x.display()
        );
    }
}

#[test]
fn missing_optional_inputs_skip_their_charts() {
    let fx = Fixture::new(800, 3, 4);
    let mut input = fx.input();
    input.sweep.clear();
    input.centroid_z.clear();
    input.money_feature = None;
    input.scatter = None;
    input.stability.clear();
    let dir = tempfile::tempdir().unwrap();
    let written = write_charts(dir.path(), &input).unwrap();
    assert_eq!(
        names(&written),
        ["segment_sizes.png", "pca.png", "segmentation_charts.png"]
    );
    // Two charts left: the combined image is one row of two.
    let (w, h, _) = decode(&dir.path().join(COMBINED_PNG));
    assert_eq!((w, h), (2400, 800));
    for skipped in [
        "elbow.png",
        "radar.png",
        "heatmap.png",
        "scatter.png",
        "stability.png",
    ] {
        assert!(!dir.path().join(skipped).exists(), "{skipped} was written");
    }
}

#[test]
fn small_and_large_k_and_feature_counts() {
    // K = 1 with one feature: no PCA (needs 2 features), no radar (needs 3).
    let fx = Fixture::new(300, 1, 1);
    let dir = tempfile::tempdir().unwrap();
    let got = names(&write_charts(dir.path(), &fx.input()).unwrap());
    assert_eq!(
        got,
        [
            "elbow.png",
            "segment_sizes.png",
            "balance_distribution.png",
            "heatmap.png",
            "scatter.png",
            "stability.png",
            "segmentation_charts.png"
        ]
    );

    // K = 2 with two features: everything but the radar.
    let fx = Fixture::new(300, 2, 2);
    let dir = tempfile::tempdir().unwrap();
    let got = names(&write_charts(dir.path(), &fx.input()).unwrap());
    assert!(!got.contains(&"radar.png".to_string()) && got.contains(&"pca.png".to_string()));

    // K = 15 with 30 features (long labels and names): all charts.
    let fx = Fixture::new(3000, 15, 30);
    let dir = tempfile::tempdir().unwrap();
    let written = write_charts(dir.path(), &fx.input()).unwrap();
    assert_eq!(names(&written), ALL);
    for path in &written {
        let (_, _, px) = decode(path);
        assert_not_blank(path, &px);
    }
}

#[test]
fn inconsistent_input_is_a_data_error() {
    let fx = Fixture::new(100, 2, 3);
    let dir = tempfile::tempdir().unwrap();

    let mut input = fx.input();
    input.labels = &fx.labels[..50];
    assert!(matches!(
        write_charts(dir.path(), &input),
        Err(Error::Data(_))
    ));

    let mut input = fx.input();
    input.feature_names.pop();
    assert!(matches!(
        write_charts(dir.path(), &input),
        Err(Error::Data(_))
    ));

    let mut input = fx.input();
    let short = vec![1.0; 10];
    input.money_feature = Some(("Balance".into(), &short));
    assert!(matches!(
        write_charts(dir.path(), &input),
        Err(Error::Data(_))
    ));

    let mut input = fx.input();
    input.segments.clear();
    input.centroid_z.clear();
    assert!(matches!(
        write_charts(dir.path(), &input),
        Err(Error::Data(_))
    ));

    // Nothing was written by the failed calls.
    assert!(!dir.path().join(SEGMENT_SIZES_PNG).exists());
}

#[test]
fn embedded_font_has_the_chinese_glyphs() {
    use ab_glyph::{Font, FontRef};
    for bytes in [FONT_REGULAR, FONT_BOLD] {
        let font = FontRef::try_from_slice(bytes).expect("embedded font parses");
        for c in "资产余额高价值客户沉睡年龄贷款交易次数ABCxyz0123456789%（）·—…".chars()
        {
            assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?}");
        }
        // Every character the Chinese samples put in a chart (headers, branch
        // names; level-2 hanzi such as 圳 of 深圳 included).
        let mut sample: String = custseg::sample::BRANCHES.iter().map(|b| b.1).collect();
        sample.extend(custseg::sample::CUSTOMER_COLUMNS_CN);
        sample.extend(custseg::sample::TRANSACTION_COLUMNS_CN);
        sample.push_str(custseg::sample::INCOME_COLUMN_CN);
        sample.push_str("珠海琦婷¥万亿");
        let missing: String = sample
            .chars()
            .filter(|&c| font.glyph_id(c).0 == 0)
            .collect();
        assert!(missing.is_empty(), "no glyphs for {missing:?}");
        // The check can fail: a rare character outside the subset has none.
        assert_eq!(font.glyph_id('龘').0, 0);
    }
    // Small enough to embed: all 6,763 GB2312 hanzi, two weights.
    assert!(FONT_REGULAR.len() + FONT_BOLD.len() < 3_500_000);
}

/// Renders `text` with the embedded font into an RGB buffer.
fn render_text(text: &str) -> Vec<u8> {
    use plotters::prelude::*;
    use plotters::style::{FontDesc, FontFamily, FontStyle};
    register_fonts();
    let mut buf = vec![255u8; 200 * 60 * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (200, 60)).into_drawing_area();
        let font = FontDesc::new(FontFamily::Name(FONT_FAMILY), 32.0, FontStyle::Normal);
        root.draw_text(text, &font.color(&BLACK), (10, 10)).unwrap();
        root.present().unwrap();
    }
    buf
}

#[test]
fn chinese_text_renders_as_distinct_glyphs() {
    let blank = vec![255u8; 200 * 60 * 3];
    let zichan = render_text("资产余额");
    let kehu = render_text("高价值客");
    // '龘' is not in the subset: it draws the .notdef box.
    let missing = render_text("龘龘龘龘");
    assert_ne!(zichan, blank, "nothing drawn for 资产余额");
    assert_ne!(zichan, kehu);
    assert_ne!(zichan, missing);
    // Every Chinese glyph differs from the missing-glyph box.
    let boxes = render_text("龘");
    for c in "资产余额".chars() {
        assert_ne!(
            render_text(&c.to_string()),
            boxes,
            "{c} renders as a missing glyph"
        );
    }
}

#[test]
fn pca_of_perfectly_correlated_features() {
    // Rows (t, t): one direction carries all the variance, PC1 = (1, 1)/√2.
    let ts = [-2.0, -1.0, 0.0, 1.0, 2.0];
    let data: Vec<f64> = ts.iter().flat_map(|&t| [t, t]).collect();
    let (proj, ratio) = pca_2d(mat(&data, 5, 2));
    assert!((ratio[0] - 1.0).abs() < 1e-12, "{ratio:?}");
    assert!(ratio[1].abs() < 1e-12);
    for (p, t) in proj.iter().zip(ts) {
        assert!((p[0] - t * 2f64.sqrt()).abs() < 1e-9, "{p:?} for t = {t}");
        assert!(p[1].abs() < 1e-9);
    }
}

#[test]
fn pca_of_independent_features_with_known_variances() {
    // Columns with variances 4 : 1 : 0 and no correlation: PC1 is the first
    // axis (80%), PC2 the second (20%); projections are the centred columns.
    let pairs = [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)];
    let data: Vec<f64> = pairs
        .iter()
        .flat_map(|&(a, b)| [2.0 * a + 3.0, b - 1.0, 7.0])
        .collect();
    let (proj, ratio) = pca_2d(mat(&data, 4, 3));
    assert!(
        (ratio[0] - 0.8).abs() < 1e-12 && (ratio[1] - 0.2).abs() < 1e-12,
        "{ratio:?}"
    );
    for (p, &(a, b)) in proj.iter().zip(&pairs) {
        assert!(
            (p[0] - 2.0 * a).abs() < 1e-9 && (p[1] - b).abs() < 1e-9,
            "{p:?}"
        );
    }

    // Sign convention: the largest loading is positive, so negating the data
    // negates the projections instead of flipping the axes.
    let neg: Vec<f64> = data.iter().map(|x| -x).collect();
    let (proj_neg, _) = pca_2d(mat(&neg, 4, 3));
    for (p, q) in proj.iter().zip(&proj_neg) {
        assert!((p[0] + q[0]).abs() < 1e-9 && (p[1] + q[1]).abs() < 1e-9);
    }
}

#[test]
fn pca_is_deterministic_across_thread_counts() {
    let fx = Fixture::new(50_000, 4, 6);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| pca_2d(mat(&fx.scaled, fx.n, fx.d)));
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap()
        .install(|| pca_2d(mat(&fx.scaled, fx.n, fx.d)));
    assert_eq!(one.1, many.1);
    assert!(one.0 == many.0);
}

//! What segment identity costs on N customers (default 1,000,000): the
//! canonical renumbering of a fit, following a previous model
//! (`--previous`: the centre matching and the relabelling), and applying
//! label edits by identity, each timed on the centres of a real model.json
//! with N customer labels. Run by bench/identity/run.sh.
//!
//!   cargo run --release --example identity_cost -- MODEL.json [N] [REPS]

use custseg::pipeline::cluster::KMeansResult;
use custseg::pipeline::cluster::canonical::renumber;
use custseg::pipeline::continuity::follow;
use custseg::pipeline::labels::LabelOverride;
use custseg::pipeline::labels::identity::{centre_of, resolve};
use custseg::pipeline::model::Model;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let model = Model::read(std::path::Path::new(&args[1])).expect("a model.json");
    let n: usize = args.get(2).map_or(1_000_000, |s| s.parse().unwrap());
    let reps: usize = args.get(3).map_or(5, |s| s.parse().unwrap());
    let (k, d) = (model.k, model.features.features.len());
    let specs = &model.features.features;
    // The model's segments in reverse order, as a fit might number them.
    let mut centres = Vec::with_capacity(k * d);
    for s in (0..k).rev() {
        centres.extend_from_slice(&model.centres[s * d..(s + 1) * d]);
    }
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let labels: Vec<u8> = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % k as u64) as u8
        })
        .collect();
    let mut sizes = vec![0; k];
    for &l in &labels {
        sizes[l as usize] += 1;
    }
    let fit = KMeansResult {
        k,
        d,
        centres,
        labels,
        sizes,
        inertia: 0.0,
        n_iter: 1,
        converged: true,
        n_init: 1,
        best_restart: 0,
        warnings: Vec::new(),
    };
    let edits: BTreeMap<u32, LabelOverride> = (0..k as u32)
        .map(|s| {
            let o = LabelOverride {
                label: Some(format!("edited {s}")),
                centre: Some(centre_of(specs, &model.centres, s as usize)),
                ..Default::default()
            };
            (s, o)
        })
        .collect();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (mut canon, mut prev, mut edit) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..reps {
        let mut f = fit.clone();
        let t = Instant::now();
        renumber(&mut f);
        canon.push(t.elapsed().as_secs_f64());
        let mut f = fit.clone();
        let t = Instant::now();
        let c = follow(&mut f, specs, &model, "model.json").expect("follows");
        prev.push(t.elapsed().as_secs_f64());
        assert_eq!(c.continued.len(), k);
        let t = Instant::now();
        let (applied, _) = resolve(&edits, specs, &f.centres, k);
        edit.push(t.elapsed().as_secs_f64());
        assert_eq!(applied.len(), k);
    }
    println!(
        "{n} customers, K = {k}, {d} features, median of {reps}: canonical renumbering {:.1} ms, --previous matching and relabelling {:.1} ms, label edits by identity {:.3} ms",
        median(canon) * 1e3,
        median(prev) * 1e3,
        median(edit) * 1e3
    );
}

//! Which text encoding a file is in, decided by evidence rather than by one
//! detector's guess.
//!
//! A file that is valid UTF-8 is UTF-8. Otherwise every plausible candidate
//! (UTF-8 with a few stray bytes, GB18030, Big5, Shift_JIS, EUC-JP, EUC-KR,
//! windows-1252/1250/1251/1253, KOI8-R) decodes the evidence — the header
//! line and the lines that hold non-ASCII bytes, from the sample — and is
//! scored on what comes out:
//!
//! - **clean decoding**: bytes the candidate cannot decode, control
//!   characters and private-use characters cost heavily;
//! - **the header**: a non-ASCII header cell that the column-role dictionary
//!   knows (`客户编号`, `年龄`...) is strong evidence, and a candidate whose
//!   header maps roles beats one whose header maps none;
//! - **plausible text** ([`script`]): common Chinese characters, common
//!   Hangul syllables, kana next to kanji, accented letters inside Latin
//!   words, Cyrillic and Greek words in one case pattern with the letters
//!   their languages use often — against rare characters, symbols inside
//!   words and mixed-case fragments, which is what a wrong code page makes.
//!
//! The winner's margin over the runner-up gives the confidence. Only a
//! sample is looked at; detection costs a few milliseconds.

mod script;

use super::sniff::{DELIMITERS, DetectedEncoding, bom, sample_records, utf16_without_bom};
use crate::pipeline::excerpt;
use crate::pipeline::mapping::role_for_header;
use encoding_rs::{DecoderResult, Encoding};
use script::{Family, TextScore, score_text};
use serde::{Deserialize, Serialize};

/// Bytes of evidence looked at: the header line, and lines with non-ASCII bytes.
const HEADER_BYTES: usize = 16 << 10;
const BODY_BYTES: usize = 48 << 10;
/// Points a non-ASCII header cell that names a role is worth (times the
/// dictionary's score for it).
const ROLE_POINTS: f64 = 12.0;
/// Confidence below which the runner-up is reported.
const CLOSE_CALL: f64 = 0.9;
/// Confidence below which both faces warn.
pub const LOW_CONFIDENCE: f64 = 0.75;

/// One candidate: the encoding, the languages it writes, and a small prior
/// for how common it is in bank exports (it only breaks near-ties).
struct Candidate {
    encoding: &'static Encoding,
    family: Family,
    prior: f64,
}

fn candidates() -> [Candidate; 11] {
    use encoding_rs::*;
    let c = |encoding, family, prior| Candidate {
        encoding,
        family,
        prior,
    };
    [
        c(UTF_8, Family::Unicode, 2.0),
        c(GB18030, Family::Chinese, 1.5),
        c(BIG5, Family::Chinese, 0.5),
        c(SHIFT_JIS, Family::Japanese, 0.5),
        c(EUC_JP, Family::Japanese, 0.0),
        c(EUC_KR, Family::Korean, 0.5),
        c(WINDOWS_1252, Family::Latin, 1.0),
        c(WINDOWS_1250, Family::Latin, 0.0),
        c(WINDOWS_1251, Family::Cyrillic, 0.5),
        c(KOI8_R, Family::Cyrillic, 0.0),
        c(WINDOWS_1253, Family::Greek, 0.0),
    ]
}

/// How the encoding was chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingSource {
    /// Named by the user (`--encoding`, the Load options).
    Forced,
    /// A byte-order mark.
    Bom,
    /// Only ASCII in the sample: any ASCII-compatible encoding reads it the same.
    Ascii,
    /// Valid UTF-8 with non-ASCII text.
    ValidUtf8,
    /// Chosen among candidates by the evidence.
    #[default]
    Evidence,
}

/// The other candidate when the call was close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunnerUp {
    pub name: String,
    /// What to pass to `--encoding` to read the file this way.
    pub label: String,
}

/// The encoding decision, for every face (Load screen, summary, report, JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EncodingReport {
    /// "GBK/GB18030", "UTF-8 (BOM)", "windows-1251", ...
    pub name: String,
    /// What to pass to `--encoding` for this encoding.
    pub label: String,
    /// 0..=1: how sure custseg is (1 for a BOM, valid UTF-8 or a forced choice).
    pub confidence: f64,
    pub source: EncodingSource,
    /// What the decision rests on, in a few words.
    pub evidence: String,
    /// The next best candidate, when the call was close.
    pub runner_up: Option<RunnerUp>,
    /// The header, read this way, looks garbled: no role maps and its
    /// characters are an unlikely mix.
    pub header_garbled: bool,
    /// The encoding that reads the header best, when it is not this one.
    pub likely: Option<RunnerUp>,
    /// On a close call, the first cell the two candidates read differently,
    /// as each reads it: ("Søren", "Sřren").
    #[serde(default)]
    pub differs_in: Option<(String, String)>,
}

impl EncodingReport {
    /// "GBK/GB18030 (97% sure)", "Big5 (62% sure; runner-up GBK/GB18030)".
    pub fn summary(&self) -> String {
        let how = match self.source {
            EncodingSource::Forced => "as set".to_string(),
            EncodingSource::Bom => "byte-order mark".to_string(),
            EncodingSource::Ascii => "plain ASCII".to_string(),
            _ => format!("{:.0}% sure", self.confidence * 100.0),
        };
        match &self.runner_up {
            Some(r) => format!("{} ({how}; runner-up {})", self.name, r.name),
            None => format!("{} ({how})", self.name),
        }
    }

    /// "GBK/GB18030 97%", or the name alone when there was nothing to
    /// guess (a byte-order mark, plain ASCII, a forced choice): for a
    /// narrow field that says "auto (...)".
    pub fn brief(&self) -> String {
        match self.source {
            EncodingSource::Evidence | EncodingSource::ValidUtf8 => {
                format!("{} {:.0}%", self.name, self.confidence * 100.0)
            }
            _ => self.name.clone(),
        }
    }

    /// Whether the faces should warn: a garbled header or a close call.
    pub fn needs_attention(&self) -> bool {
        self.header_garbled || self.confidence < LOW_CONFIDENCE
    }

    /// The problem in words, without the remedy (each face words that):
    /// "the header looks garbled as windows-1251 (no column role matches);
    /// it reads best as GBK/GB18030".
    pub fn problem(&self) -> Option<String> {
        let alternative = match (&self.likely, &self.runner_up) {
            (Some(likely), _) => format!("; the likely encoding is {}", likely.name),
            (None, Some(r)) => match &self.differs_in {
                Some((mine, theirs)) => format!(
                    "; the runner-up is {}, which reads '{}' as '{}'",
                    r.name,
                    excerpt::cell(mine),
                    excerpt::cell(theirs)
                ),
                None => format!("; the runner-up is {}", r.name),
            },
            (None, None) => String::new(),
        };
        if self.header_garbled {
            Some(format!(
                "the header looks garbled when read as {} (no column role matches it and its characters are an unlikely mix){alternative}",
                self.name
            ))
        } else if self.confidence < LOW_CONFIDENCE {
            Some(format!(
                "the encoding is uncertain: {} is only {:.0}% sure{alternative}",
                self.name,
                self.confidence * 100.0
            ))
        } else {
            None
        }
    }

    /// The encoding label the faces should suggest, if any.
    pub fn suggested_label(&self) -> Option<&str> {
        self.likely
            .as_ref()
            .or(self.runner_up.as_ref())
            .map(|r| r.label.as_str())
    }
}

/// What the user passes to `--encoding` for `encoding`.
pub fn label_of(encoding: &'static Encoding) -> String {
    if encoding == encoding_rs::GB18030 || encoding == encoding_rs::GBK {
        "gbk".into()
    } else {
        encoding.name().to_ascii_lowercase()
    }
}

fn plain(encoding: &'static Encoding) -> DetectedEncoding {
    DetectedEncoding {
        encoding,
        bom_len: 0,
    }
}

/// Decides the encoding of `sample` (the start of the file; `complete` when
/// it is the whole file), or judges the `forced` one.
pub fn detect(
    sample: &[u8],
    complete: bool,
    forced: Option<DetectedEncoding>,
) -> (DetectedEncoding, EncodingReport) {
    if let Some(chosen) = forced {
        return (chosen, judge_forced(sample, complete, chosen));
    }
    if let Some(found) = bom(sample) {
        let report = EncodingReport {
            name: found.display_name(),
            label: label_of(found.encoding),
            confidence: 1.0,
            source: EncodingSource::Bom,
            evidence: "byte-order mark".into(),
            ..EncodingReport::default()
        };
        return (found, report);
    }
    if let Some(encoding) = utf16_without_bom(sample) {
        // NULs at every other byte are no code page's text; the byte
        // order is in which side they are on.
        let report = EncodingReport {
            name: encoding.name().into(),
            label: label_of(encoding),
            confidence: 0.95,
            source: EncodingSource::Evidence,
            evidence: "NUL bytes at every other position: UTF-16 without a byte-order mark".into(),
            ..EncodingReport::default()
        };
        return (plain(encoding), report);
    }
    let ev = Evidence::from_sample(sample, complete);
    let utf8_ok = match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => !complete && e.error_len().is_none(),
    };
    if utf8_ok && ev.is_ascii() {
        let report = EncodingReport {
            name: "UTF-8".into(),
            label: "utf-8".into(),
            confidence: 1.0,
            source: EncodingSource::Ascii,
            evidence: "the sample is plain ASCII".into(),
            ..EncodingReport::default()
        };
        return (plain(encoding_rs::UTF_8), report);
    }
    let all = candidates();
    let utf8 = ev.score(&all[0]);
    if utf8_ok && (utf8.text.non_ascii >= 4 || utf8.odd_share() < 0.5) {
        // Valid UTF-8 is UTF-8 (legacy encodings almost never form valid
        // sequences by chance), unless a few characters read as nonsense.
        let mut report = report_for(&utf8, 1.0, EncodingSource::ValidUtf8);
        report.evidence = format!("valid UTF-8 ({} non-ASCII characters)", utf8.text.non_ascii);
        if utf8.header_odd >= 0.3 && utf8.roles_all == 0 {
            let others: Vec<Scored> = all.iter().map(|c| ev.score(c)).collect();
            flag_garbled(&mut report, &utf8, &others);
        }
        return (plain(encoding_rs::UTF_8), report);
    }
    let mut scored: Vec<Scored> = std::iter::once(utf8)
        .chain(all[1..].iter().map(|c| ev.score(c)))
        .collect();
    scored.sort_by(|a, b| {
        b.rank()
            .partial_cmp(&a.rank())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let best = &scored[0];
    // A candidate that reads the evidence exactly as the winner does is no
    // rival (windows-1250 reads "é" as windows-1252 does).
    let second = scored[1..].iter().find(|s| s.text_hash != best.text_hash);
    let confidence = confidence(best, second);
    let mut report = report_for(best, confidence, EncodingSource::Evidence);
    if confidence < CLOSE_CALL
        && let Some(second) = second
    {
        report.runner_up = Some(RunnerUp {
            name: plain(second.encoding).display_name(),
            label: label_of(second.encoding),
        });
        report.differs_in = ev.first_difference(best.encoding, second.encoding);
    }
    flag_garbled(&mut report, best, &scored);
    (plain(best.encoding), report)
}

/// A user-chosen encoding: sure by definition, but say so when its header
/// looks garbled and another encoding reads it well.
fn judge_forced(sample: &[u8], complete: bool, chosen: DetectedEncoding) -> EncodingReport {
    let mut report = EncodingReport {
        name: chosen.display_name(),
        label: label_of(chosen.encoding),
        confidence: 1.0,
        source: EncodingSource::Forced,
        evidence: "set by the user".into(),
        ..EncodingReport::default()
    };
    let Some(family) = candidates()
        .into_iter()
        .find(|c| c.encoding == chosen.encoding)
        .map(|c| c.family)
    else {
        return report;
    };
    let ev = Evidence::from_sample(&sample[chosen.bom_len.min(sample.len())..], complete);
    if ev.is_ascii() {
        return report;
    }
    let mine = ev.score(&Candidate {
        encoding: chosen.encoding,
        family,
        prior: 0.0,
    });
    let all: Vec<Scored> = candidates().iter().map(|c| ev.score(c)).collect();
    flag_garbled(&mut report, &mine, &all);
    report
}

/// The sample cut down to what tells encodings apart.
struct Evidence {
    header: Vec<u8>,
    body: Vec<u8>,
    delimiter: u8,
}

impl Evidence {
    fn from_sample(sample: &[u8], complete: bool) -> Evidence {
        let mut lines = sample.split(|&b| b == b'\n');
        let header: Vec<u8> = lines
            .next()
            .unwrap_or_default()
            .iter()
            .take(HEADER_BYTES)
            .copied()
            .collect();
        let mut body = Vec::new();
        let mut rest: Vec<&[u8]> = lines.collect();
        if !complete {
            // The last line of a prefix may stop inside a character.
            rest.pop();
        }
        for line in rest {
            if body.len() + line.len() > BODY_BYTES {
                break;
            }
            if !line.is_ascii() {
                body.extend_from_slice(line);
                body.push(b'\n');
            }
        }
        let delimiter = DELIMITERS
            .iter()
            .copied()
            .max_by_key(|&d| {
                (
                    header.iter().filter(|&&b| b == d).count(),
                    std::cmp::Reverse(DELIMITERS.iter().position(|&x| x == d)),
                )
            })
            .unwrap_or(b',');
        Evidence {
            header,
            body,
            delimiter,
        }
    }

    /// The first cell (of the header, then the body) that `a` and `b` decode
    /// differently, as each decodes it: what a user looks at to judge a
    /// close call.
    fn first_difference(
        &self,
        a: &'static Encoding,
        b: &'static Encoding,
    ) -> Option<(String, String)> {
        let d = self.delimiter;
        [&self.header, &self.body]
            .into_iter()
            .flat_map(|bytes| bytes.split(move |&c| c == d || c == b'\n' || c == b'\r'))
            .filter(|cell| !cell.is_ascii())
            .take(5000)
            .find_map(|cell| {
                let (x, _) = decode_counting(a, cell);
                let (y, _) = decode_counting(b, cell);
                (x != y).then(|| (x.trim().to_string(), y.trim().to_string()))
            })
    }

    fn is_ascii(&self) -> bool {
        self.header.is_ascii() && self.body.is_empty()
    }

    fn score(&self, c: &Candidate) -> Scored {
        let (header_text, header_bad) = decode_counting(c.encoding, &self.header);
        let (body_text, body_bad) = decode_counting(c.encoding, &self.body);
        let head = score_text(&header_text, c.family, c.encoding);
        let mut text = score_text(&body_text, c.family, c.encoding);
        text.add(&head);
        let malformed = header_bad + body_bad;
        let text_hash = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (&header_text, &body_text).hash(&mut h);
            h.finish()
        };
        let (roles, role_points, roles_all) = self.header_roles(&header_text);
        Scored {
            encoding: c.encoding,
            total: text.points - 10.0 * malformed as f64 + role_points + c.prior,
            roles,
            roles_all,
            malformed,
            header_odd: head.odd_share(),
            header_non_ascii: head.non_ascii,
            text,
            text_hash,
        }
    }

    /// (non-ASCII header cells that name a role, their points, all header
    /// cells that name a role).
    fn header_roles(&self, header: &str) -> (usize, f64, usize) {
        let cells = sample_records(header.trim_end_matches('\r'), self.delimiter, true, 1);
        let mut roles = 0;
        let mut points = 0.0;
        let mut all = 0;
        for cell in cells.first().into_iter().flatten() {
            let Some((_, score)) = role_for_header(cell) else {
                continue;
            };
            all += 1;
            if !cell.is_ascii() {
                roles += 1;
                points += ROLE_POINTS * score;
            }
        }
        (roles, points, all)
    }
}

/// Text decoded by `encoding`, and how many malformed sequences it met
/// (each skipped).
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (String, usize) {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 + 16);
    let mut input = bytes;
    let mut bad = 0;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(input, &mut out, true);
        input = &input[read..];
        match result {
            DecoderResult::InputEmpty => return (out, bad),
            DecoderResult::Malformed(_, _) => bad += 1,
            DecoderResult::OutputFull => out.reserve(input.len() * 3 + 16),
        }
    }
}

/// One candidate's evidence.
struct Scored {
    encoding: &'static Encoding,
    total: f64,
    /// Non-ASCII header cells that name a role.
    roles: usize,
    /// Header cells that name a role, ASCII ones included.
    roles_all: usize,
    malformed: usize,
    header_odd: f64,
    header_non_ascii: usize,
    text: TextScore,
    /// Identifies the decoded evidence.
    text_hash: u64,
}

impl Scored {
    /// A candidate whose header maps roles beats one whose header maps none.
    fn rank(&self) -> (bool, f64) {
        (self.roles > 0, self.total)
    }

    /// Share of non-ASCII characters (and malformed sequences) that look wrong.
    fn odd_share(&self) -> f64 {
        let bad = self.text.odd as f64 + self.malformed as f64;
        let all = self.text.non_ascii as f64 + self.malformed as f64;
        if all == 0.0 { 0.0 } else { bad / all }
    }
}

/// From the margin over the runner-up, lowered when even the winner reads
/// as an unlikely mix.
fn confidence(best: &Scored, second: Option<&Scored>) -> f64 {
    let Some(second) = second else { return 1.0 };
    let mut margin = best.total - second.total;
    if best.roles > 0 && second.roles == 0 {
        margin += 2.0 * ROLE_POINTS;
    }
    let by_margin = 1.0 - 0.5 * (-margin.max(0.0) / 10.0).exp();
    (by_margin * (1.0 - 0.8 * best.odd_share())).clamp(0.0, 1.0)
}

fn report_for(s: &Scored, confidence: f64, source: EncodingSource) -> EncodingReport {
    let mut evidence = format!("{} non-ASCII characters", s.text.non_ascii);
    if s.text.non_ascii > 0 {
        evidence.push_str(&format!(
            ", {:.0}% plausible",
            100.0 * (1.0 - s.odd_share())
        ));
    }
    if s.roles > 0 {
        evidence.push_str(&format!(
            "; {} non-ASCII header cell{} name{} a column role",
            s.roles,
            if s.roles == 1 { "" } else { "s" },
            if s.roles == 1 { "s" } else { "" }
        ));
    }
    if s.malformed > 0 {
        evidence.push_str(&format!("; {} undecodable byte sequence(s)", s.malformed));
    }
    EncodingReport {
        name: plain(s.encoding).display_name(),
        label: label_of(s.encoding),
        confidence,
        source,
        evidence,
        ..EncodingReport::default()
    }
}

/// Marks the header as garbled when, read as `chosen`, no header cell names
/// a role and its non-ASCII characters are an unlikely mix; names the
/// candidate that reads the header best.
fn flag_garbled(report: &mut EncodingReport, chosen: &Scored, all: &[Scored]) {
    if chosen.header_non_ascii == 0 || chosen.roles_all > 0 || chosen.header_odd < 0.3 {
        return;
    }
    report.header_garbled = true;
    let better = all
        .iter()
        .filter(|s| s.encoding != chosen.encoding)
        .filter(|s| s.roles > 0 || s.header_odd + 0.2 < chosen.header_odd)
        .max_by(|a, b| {
            a.rank()
                .partial_cmp(&b.rank())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    report.likely = better.map(|s| RunnerUp {
        name: plain(s.encoding).display_name(),
        label: label_of(s.encoding),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(bytes: &[u8]) -> (String, EncodingReport) {
        let (e, r) = detect(bytes, true, None);
        (e.display_name(), r)
    }

    #[test]
    fn gbk_header_and_gender_is_not_cyrillic() {
        let text = "客户号,性别,年龄,余额\nC001,男,35,1200\nC002,女,41,5600\nC003,男,29,300\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (name, r) = detected(&gbk);
        assert_eq!(name, "GBK/GB18030", "{r:?}");
        assert!(r.confidence > 0.9, "{r:?}");
        assert!(!r.header_garbled);
    }

    #[test]
    fn ascii_and_utf8_are_sure() {
        let (name, r) = detected(b"id,age\n1,2\n");
        assert_eq!((name.as_str(), r.source), ("UTF-8", EncodingSource::Ascii));
        let (name, r) = detected("客户号,年龄\nC1,3\n".as_bytes());
        assert_eq!(
            (name.as_str(), r.source),
            ("UTF-8", EncodingSource::ValidUtf8)
        );
    }

    #[test]
    fn a_forced_wrong_encoding_is_called_garbled() {
        let (gbk, _, _) = encoding_rs::GBK.encode("客户号,性别,年龄\nC1,男,3\n");
        let forced = plain(encoding_rs::WINDOWS_1251);
        let (_, r) = detect(&gbk, true, Some(forced));
        assert!(r.header_garbled, "{r:?}");
        assert_eq!(r.suggested_label(), Some("gbk"));
    }
}

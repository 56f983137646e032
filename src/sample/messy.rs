//! Messy mode: every decision comes from its own stream, so a messy file holds
//! the same customers as the clean file with the same seed.

use chrono::NaiveDate;

use super::draw::Draw;
use super::format::{DateStyle, push_date, push_i64, push_money, push_money_grouped};
use super::sink::Sink;
use super::{SampleEncoding, SampleOptions};

pub(super) const MISSING_TOKENS: [&str; 4] = ["", "NA", "NULL", "-"];

pub(super) struct Messy {
    pub(super) on: bool,
    pub(super) draw: Draw,
    pub(super) scratch: String,
    pub(super) currency: &'static str,
    pub(super) unknown: &'static str,
}

impl Messy {
    pub(super) fn new(opts: &SampleOptions) -> Self {
        Messy {
            on: opts.messy,
            draw: Draw::new(opts.seed, 1),
            scratch: String::new(),
            // U+00A5 is not in GBK; the full-width sign is.
            currency: match opts.encoding {
                SampleEncoding::Utf8 => "¥",
                SampleEncoding::Gbk => "￥",
            },
            unknown: if opts.chinese { "未知" } else { "unknown" },
        }
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.on && self.draw.chance(p)
    }

    /// With probability `p`, writes a missing-value token and returns true.
    pub(super) fn missing<S: Sink>(&mut self, sink: &mut S, p: f64) -> bool {
        if self.chance(p) {
            let t = MISSING_TOKENS[self.draw.below(MISSING_TOKENS.len() as u64) as usize];
            sink.text(t);
            true
        } else {
            false
        }
    }

    pub(super) fn pad(&mut self) -> bool {
        self.chance(0.015)
    }

    pub(super) fn padded<S: Sink>(&mut self, sink: &mut S, fill: impl FnOnce(&mut String)) {
        self.scratch.clear();
        let spaces = ["  ", " ", "\t"];
        let left = spaces[self.draw.below(3) as usize];
        let right = spaces[self.draw.below(3) as usize];
        self.scratch.push_str(left);
        fill(&mut self.scratch);
        self.scratch.push_str(right);
        sink.text(&self.scratch);
    }

    pub(super) fn int<S: Sink>(&mut self, sink: &mut S, v: i64) {
        if self.pad() {
            self.padded(sink, |s| push_i64(s, v));
        } else {
            sink.int(v);
        }
    }

    pub(super) fn money<S: Sink>(&mut self, sink: &mut S, cents: i64, currency_p: f64) {
        if self.chance(currency_p) {
            self.scratch.clear();
            match self.draw.below(4) {
                0 | 1 => {
                    self.scratch.push_str(self.currency);
                    push_money_grouped(&mut self.scratch, cents);
                }
                2 => push_money_grouped(&mut self.scratch, cents),
                _ => {
                    self.scratch.push_str("CNY ");
                    push_money_grouped(&mut self.scratch, cents);
                }
            }
            sink.text(&self.scratch);
        } else if self.pad() {
            self.padded(sink, |s| push_money(s, cents));
        } else {
            sink.money(cents);
        }
    }

    pub(super) fn date<S: Sink>(&mut self, sink: &mut S, d: NaiveDate, style: DateStyle) {
        if style == DateStyle::Iso && self.chance(0.02) {
            self.scratch.clear();
            push_date(&mut self.scratch, d, DateStyle::Slash);
            sink.text(&self.scratch);
        } else if self.pad() {
            self.padded(sink, |s| push_date(s, d, style));
        } else {
            sink.date(d, style);
        }
    }

    pub(super) fn text<S: Sink>(&mut self, sink: &mut S, s: &str) {
        if self.pad() {
            self.padded(sink, |buf| buf.push_str(s));
        } else {
            sink.text(s);
        }
    }
}

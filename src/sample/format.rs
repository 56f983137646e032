//! Formatting helpers (no allocation).

use chrono::{Datelike, NaiveDate};

pub(super) fn push_u64(buf: &mut String, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &tmp[i..] {
        buf.push(b as char);
    }
}

pub(super) fn push_i64(buf: &mut String, n: i64) {
    if n < 0 {
        buf.push('-');
    }
    push_u64(buf, n.unsigned_abs());
}

pub(super) fn push_padded(buf: &mut String, n: u64, width: usize) {
    let mut digits = 1;
    let mut m = n;
    while m >= 10 {
        m /= 10;
        digits += 1;
    }
    for _ in digits..width {
        buf.push('0');
    }
    push_u64(buf, n);
}

pub(super) fn push_money(buf: &mut String, cents: i64) {
    if cents < 0 {
        buf.push('-');
    }
    let c = cents.unsigned_abs();
    push_u64(buf, c / 100);
    buf.push('.');
    push_padded(buf, c % 100, 2);
}

/// `1,234,567.89`
pub(super) fn push_money_grouped(buf: &mut String, cents: i64) {
    if cents < 0 {
        buf.push('-');
    }
    let c = cents.unsigned_abs();
    let mut whole = String::new();
    push_u64(&mut whole, c / 100);
    let len = whole.len();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            buf.push(',');
        }
        buf.push(ch);
    }
    buf.push('.');
    push_padded(buf, c % 100, 2);
}

pub(super) fn push_customer_id(buf: &mut String, number: u64) {
    buf.push('C');
    push_padded(buf, number, 7);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateStyle {
    /// 2024-06-30
    Iso,
    /// 30/6/24 (day/month/two-digit year, as in the Kaggle transactions)
    Dmy,
    /// 2024/6/30 (messy mode only)
    Slash,
}

pub(super) fn push_date(buf: &mut String, d: NaiveDate, style: DateStyle) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match style {
        DateStyle::Iso => {
            push_padded(buf, y.max(0) as u64, 4);
            buf.push('-');
            push_padded(buf, u64::from(m), 2);
            buf.push('-');
            push_padded(buf, u64::from(day), 2);
        }
        DateStyle::Dmy => {
            push_u64(buf, u64::from(day));
            buf.push('/');
            push_u64(buf, u64::from(m));
            buf.push('/');
            push_padded(buf, y.rem_euclid(100) as u64, 2);
        }
        DateStyle::Slash => {
            push_u64(buf, y.max(0) as u64);
            buf.push('/');
            push_u64(buf, u64::from(m));
            buf.push('/');
            push_u64(buf, u64::from(day));
        }
    }
}

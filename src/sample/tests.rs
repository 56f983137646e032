use super::format::{DateStyle, push_customer_id, push_date, push_money, push_money_grouped};
use super::sink::Gbk;
use super::*;
use crate::Error;

#[test]
fn money_formatting() {
    let mut s = String::new();
    push_money(&mut s, 123_456_789);
    assert_eq!(s, "1234567.89");
    s.clear();
    push_money_grouped(&mut s, 123_456_789);
    assert_eq!(s, "1,234,567.89");
    s.clear();
    push_money_grouped(&mut s, 5);
    assert_eq!(s, "0.05");
    s.clear();
    push_money_grouped(&mut s, 100_000);
    assert_eq!(s, "1,000.00");
}

#[test]
fn date_formatting() {
    let d = NaiveDate::from_ymd_opt(1994, 1, 10).unwrap();
    let mut s = String::new();
    push_date(&mut s, d, DateStyle::Dmy);
    assert_eq!(s, "10/1/94");
    s.clear();
    push_date(&mut s, d, DateStyle::Iso);
    assert_eq!(s, "1994-01-10");
    s.clear();
    push_date(
        &mut s,
        NaiveDate::from_ymd_opt(2005, 3, 4).unwrap(),
        DateStyle::Dmy,
    );
    assert_eq!(s, "4/3/05");
}

#[test]
fn memoised_gbk_matches_encoding_rs() {
    let mut gbk = Gbk::new();
    let lines = [
        "客户ID;年龄;性别;网点\r\n",
        "C0000001;24;女;上海分行;￥1,234.56;未知\r\n",
        "C0000002; 男 ;北京分行\t;NA;上海分行\n",
        "plain ascii only\n",
        "",
    ];
    for _ in 0..2 {
        for line in lines {
            let (expected, _, bad) = encoding_rs::GBK.encode(line);
            assert!(!bad);
            assert_eq!(gbk.encode_line(line).unwrap(), &expected[..], "{line}");
        }
    }
    assert!(matches!(gbk.encode_line("a¥b"), Err(Error::Data(_))));
}

#[test]
fn customer_ids() {
    let mut s = String::new();
    push_customer_id(&mut s, 1);
    assert_eq!(s, "C0000001");
    s.clear();
    push_customer_id(&mut s, 12_345_678);
    assert_eq!(s, "C12345678");
}

#[test]
fn customers_are_consistent() {
    let as_of = default_as_of();
    for c in sample_customers(5000, 7, as_of) {
        assert!(c.last_txn <= as_of);
        assert!(c.open_date < c.last_txn, "{c:?}");
        assert!((1..=8).contains(&c.products));
        assert!((18..=90).contains(&c.age));
        assert!(c.balance_cents >= 0);
        let recency = (as_of - c.last_txn).num_days();
        if recency > 365 {
            assert_eq!(c.txn_count_12m, 0);
        } else {
            assert!(c.txn_count_12m >= 1);
        }
    }
}

use super::*;
use crate::pipeline::table::{Column, SourceInfo, Table, TextColumn};

fn table(cols: Vec<Column>) -> Table {
    Table::new(cols, SourceInfo::default())
}

#[test]
fn normalise_ignores_case_space_and_punctuation() {
    assert_eq!(
        normalise("Cust_Account Balance (INR)"),
        "custaccountbalanceinr"
    );
    assert_eq!(normalise("客户 ID"), "客户id");
}

#[test]
fn header_scores() {
    assert_eq!(header_score(Role::CustomerId, "CUST_ID"), 1.0);
    assert_eq!(header_score(Role::CustomerId, "客户编号"), 1.0);
    assert_eq!(
        header_score(Role::TxnAmount, "TransactionAmount (INR)"),
        1.0
    );
    assert_eq!(header_score(Role::TxnCount, "TxnCount12M"), 1.0);
    assert!(header_score(Role::Balance, "CustAccountBalance") == 1.0);
    assert!(header_score(Role::Balance, "月末资产余额") > 0.6);
    assert_eq!(header_score(Role::Age, "Vintage"), 0.0);
    // A ratio about the balance is not a transaction count.
    assert_eq!(header_score(Role::TxnCount, "BALANCE_FREQUENCY"), 0.0);
    assert_eq!(header_score(Role::Balance, "GlobalRank"), 0.0);
}

#[test]
fn chinese_and_english_tables_map() {
    let t = table(vec![
        Column::text("客户ID", TextColumn::from_values([Some("C1"), Some("C2")])),
        Column::number("年龄", vec![30.0, 40.0]),
        Column::text("性别", TextColumn::from_values([Some("男"), Some("女")])),
        Column::number("资产余额", vec![1.0, 2.0]),
        Column::date("最近交易日期", vec![1, 2]),
        Column::number("信用分", vec![600.0, 700.0]),
    ]);
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::CustomerId), Some("客户ID"));
    assert_eq!(m.column_for(Role::Age), Some("年龄"));
    assert_eq!(m.column_for(Role::Gender), Some("性别"));
    assert_eq!(m.column_for(Role::Balance), Some("资产余额"));
    assert_eq!(m.column_for(Role::LastDate), Some("最近交易日期"));
    assert_eq!(m.usage_of("信用分"), ColumnUse::Feature);
    assert_eq!(m.usage_of("客户ID"), ColumnUse::Ignore);
    assert_eq!(m.usage_of("性别"), ColumnUse::Profile);
}

#[test]
fn overrides_win_and_bad_overrides_are_explained() {
    let t = table(vec![
        Column::number("a", vec![1.0]),
        Column::number("Balance", vec![2.0]),
        Column::text("g", TextColumn::from_values([Some("M")])),
    ]);
    let mut opts = MappingOptions::default();
    opts.roles.insert(Role::Balance, "a".into());
    let m = map_columns(&t, &opts).unwrap();
    assert_eq!(m.column_for(Role::Balance), Some("a"));
    assert_eq!(m.role_of("Balance"), None);
    assert_eq!(m.column_for(Role::Gender), Some("g"), "gender from values");

    opts.roles.insert(Role::Age, "nope".into());
    let e = map_columns(&t, &opts).unwrap_err().to_string();
    assert!(
        e.contains("no column 'nope'") && e.contains("Balance"),
        "{e}"
    );

    let mut opts = MappingOptions::default();
    opts.roles.insert(Role::LastDate, "a".into());
    let e = map_columns(&t, &opts).unwrap_err().to_string();
    assert!(e.contains("needs dates"), "{e}");
}

#[test]
fn text_age_column_is_noted_not_mapped() {
    let mut c = Column::text("Age", TextColumn::from_values([Some("old"), Some("young")]));
    c.info.unparsed_examples.push((0, "old".into()));
    let m = map_columns(&table(vec![c]), &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::Age), None);
    assert!(m.notes[0].text.contains("looks like age"), "{:?}", m.notes);
    assert!(m.notes[0].is_about("Age"), "{:?}", m.notes);
}

#[test]
fn map_args_parse() {
    assert_eq!(
        parse_map_arg("balance=资产余额").unwrap(),
        (Role::Balance, "资产余额".to_string())
    );
    assert_eq!(
        parse_map_arg("Customer ID = id").unwrap(),
        (Role::CustomerId, "id".to_string())
    );
    assert!(
        parse_map_arg("wealth=x")
            .unwrap_err()
            .contains("unknown role")
    );
    assert!(parse_map_arg("balance").is_err());
}

#[test]
fn a_ratio_named_like_a_count_is_not_the_transaction_count() {
    let t = table(vec![
        Column::number("PURCHASES_FREQUENCY", vec![0.25, 1.0, 0.083333, 0.5]),
        Column::number("PURCHASES_TRX", vec![3.0, 12.0, 1.0, 0.0]),
    ]);
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::TxnCount), None, "{:?}", m.roles());
    assert!(
        m.notes
            .iter()
            .any(|n| n.text.contains("'PURCHASES_FREQUENCY' is named like")),
        "{:?}",
        m.notes
    );
    // Whole numbers under a partial name still map.
    let t = table(vec![Column::number(
        "MONTHLY_FREQUENCY",
        vec![3.0, 12.0, 1.0],
    )]);
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::TxnCount), Some("MONTHLY_FREQUENCY"));
}

#[test]
fn code_like_numeric_columns_are_not_features() {
    let t = table(vec![
        Column::number("ZipCode", vec![1.0]),
        Column::number("RowNumber", vec![1.0]),
    ]);
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.usage_of("ZipCode"), ColumnUse::Ignore);
    assert_eq!(m.usage_of("RowNumber"), ColumnUse::Ignore);
}

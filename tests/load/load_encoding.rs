//! Encoding detection on generated files: every supported encoding, with
//! (a) only the header non-ASCII, (b) the header and a two-valued column,
//! (c) plenty of text, (d) one stray invalid byte. Each must be detected
//! right; where the role dictionary knows the headers, the roles must map
//! and the customer ids survive.

use custseg::pipeline::load::encoding::EncodingSource;
use custseg::pipeline::load::{LoadOptions, load};
use custseg::pipeline::mapping::{MappingOptions, Role, map_columns};
use custseg::pipeline::progress::NoProgress;
use custseg::pipeline::table::Table;
use encoding_rs::Encoding;
use std::path::Path;

/// One language's words for a customer table.
struct Language {
    /// id, gender, age, balance, opened, branch, note
    header: [&'static str; 7],
    genders: [&'static str; 2],
    branches: &'static [&'static str],
    notes: &'static [&'static str],
    /// The alias dictionary knows the headers: the roles must map.
    mapped: bool,
}

const CHINESE: Language = Language {
    header: [
        "客户号",
        "性别",
        "年龄",
        "资产余额",
        "开户日期",
        "所属网点",
        "备注",
    ],
    genders: ["男", "女"],
    branches: &["北京分行", "上海分行", "广州分行", "深圳分行", "杭州分行"],
    notes: &[
        "优质客户",
        "定期存款到期",
        "理财产品客户",
        "信用卡还款正常",
        "近期无交易",
    ],
    mapped: true,
};

const TRADITIONAL: Language = Language {
    header: [
        "客戶編號",
        "性別",
        "年齡",
        "存款餘額",
        "開戶日期",
        "所屬網點",
        "備註",
    ],
    genders: ["男", "女"],
    branches: &["台北分行", "高雄分行", "台中分行", "新竹分行"],
    notes: &["優質客戶", "定期存款到期", "理財產品客戶", "信用卡還款正常"],
    mapped: true,
};

const JAPANESE: Language = Language {
    header: [
        "顧客番号",
        "性別",
        "年齢",
        "預金残高",
        "口座開設日",
        "支店名",
        "備考",
    ],
    genders: ["男", "女"],
    branches: &["東京支店", "大阪支店", "名古屋支店", "札幌支店"],
    notes: &[
        "普通預金のお客様",
        "定期預金が満期です",
        "カードローンの利用あり",
        "住所変更の届出",
    ],
    mapped: false,
};

const KOREAN: Language = Language {
    header: [
        "고객번호",
        "성별",
        "나이",
        "잔액",
        "개설일자",
        "지점",
        "비고",
    ],
    genders: ["남", "여"],
    branches: &["서울지점", "부산지점", "대구지점", "인천지점"],
    notes: &[
        "우수 고객",
        "정기 예금 만기",
        "신용카드 연체 없음",
        "최근 거래 없음",
    ],
    mapped: false,
};

const FRENCH: Language = Language {
    header: [
        "Numéro client",
        "Sexe déclaré",
        "Âge",
        "Solde créditeur",
        "Date d'ouverture",
        "Agence",
        "Remarque",
    ],
    genders: ["Féminin", "Masculin"],
    branches: &["Besançon", "Orléans", "Nîmes", "Périgueux", "Montréal"],
    notes: &[
        "Client fidèle depuis des années",
        "Épargne à échéance",
        "Prêt immobilier accordé",
        "Téléphone à vérifier",
    ],
    mapped: false,
};

const POLISH: Language = Language {
    header: [
        "Numer klienta",
        "Płeć",
        "Wiek",
        "Saldo środków",
        "Data otwarcia",
        "Oddział",
        "Uwagi",
    ],
    genders: ["Kobieta", "Mężczyzna"],
    branches: &["Łódź", "Kraków", "Gdańsk", "Poznań", "Wrocław"],
    notes: &[
        "Klient zweryfikowany",
        "Lokata zakończona",
        "Kredyt hipoteczny spłacony",
        "Zmiana adresu zgłoszona",
    ],
    mapped: false,
};

const RUSSIAN: Language = Language {
    header: [
        "Номер клиента",
        "Пол",
        "Возраст",
        "Остаток",
        "Дата открытия",
        "Отделение",
        "Примечание",
    ],
    genders: ["Мужской", "Женский"],
    branches: &["Москва", "Казань", "Самара", "Новосибирск"],
    notes: &[
        "Надёжный клиент",
        "Вклад закрыт досрочно",
        "Кредитная карта без просрочек",
        "Смена адреса",
    ],
    mapped: false,
};

const GREEK: Language = Language {
    header: [
        "Αριθμός πελάτη",
        "Φύλο",
        "Ηλικία",
        "Υπόλοιπο",
        "Ημερομηνία ανοίγματος",
        "Κατάστημα",
        "Σημειώσεις",
    ],
    genders: ["Άνδρας", "Γυναίκα"],
    branches: &["Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Ηράκλειο"],
    notes: &[
        "Καλός πελάτης",
        "Λήξη προθεσμιακής κατάθεσης",
        "Πιστωτική κάρτα χωρίς καθυστερήσεις",
    ],
    mapped: false,
};

/// An encoding, the language written in it and a byte it cannot hold (or,
/// for code pages that map every byte, one that is a control character).
struct Case {
    encoding: &'static Encoding,
    language: &'static Language,
    stray: u8,
}

fn cases() -> Vec<Case> {
    use encoding_rs::*;
    let c = |encoding, language, stray| Case {
        encoding,
        language,
        stray,
    };
    vec![
        c(UTF_8, &CHINESE, 0xFF),
        c(UTF_8, &RUSSIAN, 0xFF),
        c(GB18030, &CHINESE, 0xFF),
        c(BIG5, &TRADITIONAL, 0xFF),
        c(SHIFT_JIS, &JAPANESE, 0xFF),
        c(EUC_JP, &JAPANESE, 0xFF),
        c(EUC_KR, &KOREAN, 0xFF),
        c(WINDOWS_1252, &FRENCH, 0x81),
        c(WINDOWS_1250, &POLISH, 0x81),
        c(WINDOWS_1251, &RUSSIAN, 0x98),
        c(KOI8_R, &RUSSIAN, 0xFF),
        c(WINDOWS_1253, &GREEK, 0x81),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Only the header is non-ASCII.
    HeaderOnly,
    /// The header and a two-valued column.
    TwoValued,
    /// Every text column in the language, 300 rows.
    Plenty,
}

struct Generated {
    bytes: Vec<u8>,
    ids: Vec<String>,
    genders: Vec<String>,
}

fn generate(case: &Case, shape: Shape, rows: usize) -> Generated {
    let lang = case.language;
    let mut text = lang.header.join(",");
    text.push('\n');
    let mut ids = Vec::new();
    let mut genders = Vec::new();
    for i in 0..rows {
        let id = format!("C{:05}", 10_007 * (i + 3) % 99_991);
        let gender = match shape {
            Shape::HeaderOnly => ["F", "M"][i % 2].to_string(),
            _ => lang.genders[(i * 7 / 3) % 2].to_string(),
        };
        let (branch, note) = match shape {
            Shape::Plenty => (
                lang.branches[i % lang.branches.len()].to_string(),
                lang.notes[(i / 2) % lang.notes.len()].to_string(),
            ),
            _ => (format!("BR{:02}", i % 7), format!("n{}", i % 5)),
        };
        text.push_str(&format!(
            "{id},{gender},{},{}.{:02},2021-{:02}-{:02},{branch},{note}\n",
            20 + (i * 13) % 60,
            1000 + (i * 7919) % 90_000,
            i % 100,
            1 + i % 12,
            1 + (i * 5) % 28,
        ));
        ids.push(id);
        genders.push(gender);
    }
    let (bytes, _, unmappable) = case.encoding.encode(&text);
    assert!(
        !unmappable,
        "{} cannot write the text",
        case.encoding.name()
    );
    Generated {
        bytes: bytes.into_owned(),
        ids,
        genders,
    }
}

fn load_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Table {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    load(&path, &LoadOptions::default(), &NoProgress).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn detected(t: &Table) -> String {
    t.source
        .encoding_report
        .as_ref()
        .map(|r| r.label.clone())
        .unwrap_or_default()
}

fn expected_label(e: &'static Encoding) -> String {
    if e == encoding_rs::GB18030 {
        "gbk".into()
    } else {
        e.name().to_ascii_lowercase()
    }
}

fn text_column(t: &Table, j: usize) -> Vec<Option<String>> {
    let col = t.columns[j].texts().expect("a text column");
    (0..t.n_rows)
        .map(|i| col.get(i).map(str::to_string))
        .collect()
}

/// What a user depends on: the header reads right, the two-valued column
/// too, and where the dictionary knows the words the roles map and the ids
/// are the file's.
fn check_table(case: &Case, shape: Shape, g: &Generated, t: &Table, what: &str) {
    let lang = case.language;
    assert_eq!(t.names(), lang.header, "{what}: header");
    assert_eq!(t.n_rows, g.ids.len(), "{what}: rows");
    let genders: Vec<Option<String>> = g.genders.iter().cloned().map(Some).collect();
    assert_eq!(text_column(t, 1), genders, "{what}: genders");
    let report = t.source.encoding_report.as_ref().unwrap();
    assert!(!report.needs_attention(), "{what}: {report:?}");
    assert!(report.confidence >= 0.8, "{what}: {report:?}");
    if lang.mapped {
        let m = map_columns(t, &MappingOptions::default()).unwrap();
        assert_eq!(
            m.column_for(Role::CustomerId),
            Some(lang.header[0]),
            "{what}"
        );
        assert_eq!(m.column_for(Role::Gender), Some(lang.header[1]), "{what}");
        assert_eq!(m.column_for(Role::Age), Some(lang.header[2]), "{what}");
        assert_eq!(m.column_for(Role::Balance), Some(lang.header[3]), "{what}");
        assert_eq!(m.column_for(Role::OpenDate), Some(lang.header[4]), "{what}");
        let ids: Vec<Option<String>> = g.ids.iter().cloned().map(Some).collect();
        assert_eq!(text_column(t, 0), ids, "{what}: ids");
    }
    let _ = shape;
}

#[test]
fn every_encoding_is_detected_on_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases() {
        for (shape, rows) in [
            (Shape::HeaderOnly, 40),
            (Shape::TwoValued, 40),
            (Shape::Plenty, 300),
        ] {
            let what = format!(
                "{} {:?} {shape:?}",
                case.encoding.name(),
                case.language.header[1]
            );
            let g = generate(&case, shape, rows);
            let t = load_bytes(dir.path(), "f.csv", &g.bytes);
            if detected(&t) != expected_label(case.encoding) {
                failures.push(format!("{what}: read as {:?}", t.source.encoding_report));
                continue;
            }
            check_table(&case, shape, &g, &t, &what);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A stray byte inside a cell of row 17 (file line 18).
fn with_stray_byte(g: &Generated, stray: u8) -> Vec<u8> {
    let mut bytes = g.bytes.clone();
    let line_start = bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(17)
        .map(|(i, _)| i + 1)
        .unwrap();
    // After "id," — inside the gender cell.
    let at = line_start + bytes[line_start..].iter().position(|&b| b == b',').unwrap() + 1;
    bytes.insert(at, stray);
    bytes
}

#[test]
fn one_stray_byte_does_not_change_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in cases() {
        for shape in [Shape::TwoValued, Shape::Plenty] {
            let what = format!(
                "{} {:?} {shape:?} + stray",
                case.encoding.name(),
                case.language.header[1]
            );
            let g = generate(&case, shape, 300);
            let bytes = with_stray_byte(&g, case.stray);
            let t = load_bytes(dir.path(), "stray.csv", &bytes);
            if detected(&t) != expected_label(case.encoding) {
                failures.push(format!("{what}: read as {:?}", t.source.encoding_report));
                continue;
            }
            assert_eq!(t.n_rows, 300, "{what}");
            let genders = text_column(&t, 1);
            // Multi-byte encodings cannot decode the byte, and a code page
            // leaves it undefined (a C1 control character): either way that
            // one cell is missing and reported with its line. A byte that
            // is a letter of the code page (0xFF in KOI8-R) cannot be told.
            let stray_byte = [case.stray];
            let (as_text, _) = case.encoding.decode_without_bom_handling(&stray_byte);
            let stray = !case.encoding.is_single_byte() || as_text.chars().all(char::is_control);
            if stray {
                assert_eq!(genders[17], None, "{what}");
                let w = t.source.warnings.join("\n");
                assert!(
                    w.contains("line 19") && w.contains(case.language.header[1]),
                    "{what}: {w}"
                );
            }
            for (i, g) in g.genders.iter().enumerate().filter(|&(i, _)| i != 17) {
                assert_eq!(genders[i].as_deref(), Some(g.as_str()), "{what}: row {i}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_latin1_byte_in_a_utf8_file_is_one_missing_cell() {
    let case = Case {
        encoding: encoding_rs::UTF_8,
        language: &CHINESE,
        stray: 0xE9,
    };
    let g = generate(&case, Shape::Plenty, 300);
    let bytes = with_stray_byte(&g, 0xE9);
    let dir = tempfile::tempdir().unwrap();
    let t = load_bytes(dir.path(), "latin1.csv", &bytes);
    assert_eq!(detected(&t), "utf-8");
    assert_eq!(t.n_rows, 300);
    assert_eq!(text_column(&t, 1)[17], None);
    let col = &t.columns[1];
    assert_eq!(
        col.info.unparsed, 1,
        "counted as a cell that could not be read"
    );
    let m = map_columns(&t, &MappingOptions::default()).unwrap();
    assert_eq!(m.column_for(Role::CustomerId), Some("客户号"));
}

#[test]
fn a_gbk_file_forced_as_cyrillic_is_called_garbled() {
    let case = Case {
        encoding: encoding_rs::GB18030,
        language: &CHINESE,
        stray: 0xFF,
    };
    let g = generate(&case, Shape::TwoValued, 40);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forced.csv");
    std::fs::write(&path, &g.bytes).unwrap();
    let opts = LoadOptions {
        encoding: Some("windows-1251".into()),
        ..LoadOptions::default()
    };
    let t = load(&path, &opts, &NoProgress).unwrap();
    let r = t.source.encoding_report.as_ref().unwrap();
    assert_eq!(r.source, EncodingSource::Forced);
    assert!(r.header_garbled, "{r:?}");
    assert_eq!(r.suggested_label(), Some("gbk"));
}

/// UTF-16 as some tools write it: no byte-order mark. It is read by its NUL
/// bytes in either byte order, the same as with a mark, and naming it
/// (`--encoding utf-16le`) reads it too rather than refusing it as binary.
#[test]
fn utf16_without_a_byte_order_mark_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for shape in [Shape::HeaderOnly, Shape::TwoValued, Shape::Plenty] {
        let utf8 = Case {
            encoding: encoding_rs::UTF_8,
            language: &CHINESE,
            stray: 0xFF,
        };
        let g = generate(&utf8, shape, 60);
        let text = String::from_utf8(g.bytes.clone()).unwrap();
        let units = text.encode_utf16();
        for (encoding, bytes) in [
            (
                encoding_rs::UTF_16LE,
                units
                    .clone()
                    .flat_map(u16::to_le_bytes)
                    .collect::<Vec<u8>>(),
            ),
            (
                encoding_rs::UTF_16BE,
                units.clone().flat_map(u16::to_be_bytes).collect(),
            ),
        ] {
            let case = Case {
                encoding,
                language: &CHINESE,
                stray: 0xFF,
            };
            let what = format!("{} {shape:?} without BOM", encoding.name());
            let t = load_bytes(dir.path(), "u16.csv", &bytes);
            assert_eq!(detected(&t), expected_label(encoding), "{what}");
            check_table(&case, shape, &g, &t, &what);
        }
        let le: Vec<u8> = units.flat_map(u16::to_le_bytes).collect();
        let path = dir.path().join("forced.csv");
        std::fs::write(&path, &le).unwrap();
        let opts = LoadOptions {
            encoding: Some("utf-16le".into()),
            ..LoadOptions::default()
        };
        let t = load(&path, &opts, &NoProgress).unwrap();
        assert_eq!(t.n_rows, 60);
        assert_eq!(t.names(), CHINESE.header);
    }
}

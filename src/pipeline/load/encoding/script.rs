//! How plausible a decoded text is for the languages an encoding writes.
//!
//! Text is cut into tokens at ASCII non-letters (spaces, digits,
//! delimiters, punctuation). Each non-ASCII character earns points:
//! positive when it is what real text of the candidate's languages holds in
//! that place, negative when it is what a wrong decoding makes (control and
//! private-use characters, rare ideographs, symbols inside words, words
//! mixing scripts or cases, letters a language seldom uses).

use crate::pipeline::hanzi::{is_common_hanzi, is_han};
use encoding_rs::Encoding;
use std::collections::HashSet;
use std::sync::OnceLock;

/// The languages a candidate encoding writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// UTF-8: any script.
    Unicode,
    Chinese,
    Japanese,
    Korean,
    Latin,
    Cyrillic,
    Greek,
}

/// Points and counts over the non-ASCII characters of a text.
#[derive(Clone, Debug, Default)]
pub struct TextScore {
    pub points: f64,
    pub non_ascii: usize,
    /// Characters that earned negative points.
    pub odd: usize,
}

impl TextScore {
    pub fn add(&mut self, other: &TextScore) {
        self.points += other.points;
        self.non_ascii += other.non_ascii;
        self.odd += other.odd;
    }

    pub fn odd_share(&self) -> f64 {
        if self.non_ascii == 0 {
            0.0
        } else {
            self.odd as f64 / self.non_ascii as f64
        }
    }

    fn note(&mut self, points: f64) {
        self.points += points;
        self.non_ascii += 1;
        if points < 0.0 {
            self.odd += 1;
        }
    }
}

/// Common kanji of Japanese, with those of bank and retail files.
const COMMON_KANJI: &str = "日一国人年大十二本中長出三時行見月分後前間事来東高学円子外何自社者地業方新場員立開手力問代明動京目通言理体田主題意不作用度強公持野以思家世多正安院心界教文元重近考画海売知道集別物使品計死特私始朝運終台広住真有口少町料工建空急止送切転研足究楽起着店病質待試族銀早映親験英医仕去味写字答夜音注帰古歌買悪図週室歩風紙黒花春赤青館屋色走秋夏習駅洋旅服夕借曜飲肉貸堂鳥飯勉冬昼茶弟牛魚兄犬妹姉漢番号顧客氏名齢性男女残取引金額口座設支預最件数回付所電話融商品契約入振込利区種期登録更新会職収合平均満普定当貯蓄払高現在変解除状態属域都道府県市村郵便携帯生";

/// Common Hangul syllables, with those of bank and retail files.
const COMMON_HANGUL: &str = "이다는의에고하기가을지서로리자사대를한정수인도시어일아나게구보해전주있라상제니들스장위부성원과적면우경마만동소세러여무간내었요미문국생금물중것비화유연관신데방은그였까처통계선실결행모개공식발저학안입조진회터영없치드말르트때명분야업법람각던할했된되음운외단날두거오속후등점체현품불용번민반역차형예월년짜객액잔좌남녀별령최근래출설카호직득평균총합건횟송급험크포담당센종류칭코락휴폰메초순태채널온바창달환율료혜택쿠승취납청으며께록않습님씨려배벌병복본봉북빌뿐산살삼새색석섬셋손솔숙술숨쉬슬심십싸쓰악앉알앞애약양억언얼엄엇열염옆옥올옷와완왕왜욕울움웃워육윤응익읽임잘잠재절접족존졸좀좋죽준줄즉즐증질집짓째착찰참찾책천철첫촌추축춤충츠측층친칠침커컴큰클키타탁탄탈테텔토투특티파판팔패편폐표프플피필함항핵향허혈협혹혼홍확활황획효훈흐흔흘희힘";

/// Latin letters (lower case) by how often the languages written in
/// windows-1252/1250 use them: common, then occasional; the rest are rare.
const LATIN_COMMON: &str = "éèàáíóúñçüöäãõâêôßąęłńśźżćčšžřěůőűığşîûëåøý";
const LATIN_OCCASIONAL: &str = "ìòùïæœÿĺľťďňŕţșță";
/// Russian letters (lower case): the most frequent, then the middle of the
/// ranking; the rest (and the letters of other Cyrillic languages) are rare.
const CYRILLIC_COMMON: &str = "оеаинтсрвлкм";
const CYRILLIC_OCCASIONAL: &str = "дпуяыьгзбчйхжшю";
const GREEK_COMMON: &str = "αοιετσνηυρπκμλωάέίόήύώς";
const GREEK_OCCASIONAL: &str = "δγχθφβ";
/// Punctuation that real text puts at the edge of words.
const EDGE_PUNCTUATION: &str = "“”‘’„«»‹›–—…•·°€£¥¢§№¿¡×";

fn set(cell: &'static OnceLock<HashSet<char>>, chars: &str) -> &'static HashSet<char> {
    cell.get_or_init(|| chars.chars().collect())
}

fn is_common_kanji(c: char) -> bool {
    static S: OnceLock<HashSet<char>> = OnceLock::new();
    set(&S, COMMON_KANJI).contains(&c) || is_common_hanzi(c)
}

fn is_common_hangul(c: char) -> bool {
    static S: OnceLock<HashSet<char>> = OnceLock::new();
    set(&S, COMMON_HANGUL).contains(&c)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// An ASCII letter.
    AsciiLetter,
    /// Control, private-use, replacement and non-characters.
    Bad,
    Han,
    Hangul,
    Kana,
    HalfKana,
    /// CJK and full-width punctuation and spaces.
    CjkPunct,
    /// A cased letter of a modelled script (upper case or not).
    Letter(Script, bool),
    /// Letters of scripts not modelled (Hebrew, Arabic, Thai...).
    OtherLetter,
    EdgePunct,
    Symbol,
}

fn classify(c: char) -> Class {
    let u = c as u32;
    if c.is_ascii_alphabetic() {
        return Class::AsciiLetter;
    }
    if c.is_control()
        || (0xE000..=0xF8FF).contains(&u)
        || u >= 0xF0000
        || c == '\u{FFFD}'
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
    {
        return Class::Bad;
    }
    if is_han(c) || (0x3400..=0x4DBF).contains(&u) || (0xF900..=0xFAFF).contains(&u) {
        return Class::Han;
    }
    match u {
        0xAC00..=0xD7A3 => return Class::Hangul,
        0x3041..=0x30FF => return Class::Kana,
        0xFF66..=0xFF9F => return Class::HalfKana,
        0x3000..=0x303F | 0xFF01..=0xFF65 | 0xFFE0..=0xFFEE => return Class::CjkPunct,
        _ => {}
    }
    if c.is_alphabetic() && (c.is_lowercase() || c.is_uppercase()) && c != 'µ' {
        let script = match u {
            0x00C0..=0x024F | 0x1E00..=0x1EFF => Some(Script::Latin),
            0x0370..=0x03FF => Some(Script::Greek),
            0x0400..=0x04FF => Some(Script::Cyrillic),
            _ => None,
        };
        return match script {
            Some(s) => Class::Letter(s, c.is_uppercase()),
            None => Class::OtherLetter,
        };
    }
    if c.is_alphabetic() && u >= 0x0590 {
        return Class::OtherLetter;
    }
    if EDGE_PUNCTUATION.contains(c) {
        Class::EdgePunct
    } else {
        Class::Symbol
    }
}

fn is_letterish(c: Class) -> bool {
    matches!(
        c,
        Class::AsciiLetter
            | Class::Letter(..)
            | Class::Han
            | Class::Hangul
            | Class::Kana
            | Class::HalfKana
            | Class::OtherLetter
    )
}

/// Scores the non-ASCII characters of `text` as `family` text decoded by
/// `encoding`.
pub fn score_text(text: &str, family: Family, encoding: &'static Encoding) -> TextScore {
    let mut score = TextScore::default();
    let mut token: Vec<(char, Class)> = Vec::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        let separator = (c.is_ascii() && !c.is_ascii_alphabetic()) || c == '\u{a0}';
        if !separator {
            token.push((c, classify(c)));
            continue;
        }
        if token.iter().any(|&(_, k)| k != Class::AsciiLetter) {
            score_token(&token, family, encoding, &mut score);
        }
        token.clear();
    }
    score
}

/// What a token's letters look like as a word.
struct Word {
    has_ascii: bool,
    non_ascii_letters: usize,
    scripts: usize,
    has_cjk: bool,
    has_symbol: bool,
    case_ok: bool,
}

impl Word {
    fn of(token: &[(char, Class)]) -> Word {
        let mut scripts: Vec<Script> = Vec::new();
        let mut cases: Vec<bool> = Vec::new();
        let mut w = Word {
            has_ascii: false,
            non_ascii_letters: 0,
            scripts: 0,
            has_cjk: false,
            has_symbol: false,
            case_ok: true,
        };
        let last = token.len().saturating_sub(1);
        for (i, &(c, k)) in token.iter().enumerate() {
            match k {
                Class::AsciiLetter => {
                    w.has_ascii = true;
                    cases.push(c.is_ascii_uppercase());
                }
                Class::Letter(s, upper) => {
                    w.non_ascii_letters += 1;
                    if !scripts.contains(&s) {
                        scripts.push(s);
                    }
                    cases.push(upper);
                }
                Class::Han | Class::Hangul | Class::Kana | Class::HalfKana => w.has_cjk = true,
                Class::Symbol | Class::Bad => w.has_symbol = true,
                Class::EdgePunct if i != 0 && i != last => w.has_symbol = true,
                _ => {}
            }
        }
        w.scripts = scripts.len();
        // All lower case, all upper case, or capitalised.
        w.case_ok = cases.len() <= 1 || cases.iter().all(|&u| u) || cases[1..].iter().all(|&u| !u);
        w
    }

    /// Whether a non-ASCII letter of `script` reads as part of a real word.
    fn plausible(&self, script: Script) -> bool {
        let shape = match script {
            // Accented letters sit among plain ones ("José", "Müller").
            Script::Latin => self.has_ascii || self.non_ascii_letters == 1,
            Script::Cyrillic | Script::Greek => !self.has_ascii,
        };
        shape && self.scripts == 1 && !self.has_cjk && !self.has_symbol && self.case_ok
    }
}

fn is_cjk_family(family: Family) -> bool {
    matches!(family, Family::Chinese | Family::Japanese | Family::Korean)
}

fn score_token(
    token: &[(char, Class)],
    family: Family,
    encoding: &'static Encoding,
    out: &mut TextScore,
) {
    let word = Word::of(token);
    let last = token.len() - 1;
    for (i, &(c, class)) in token.iter().enumerate() {
        let near = |j: Option<usize>| j.and_then(|j| token.get(j)).map(|&(_, k)| k);
        let before = near(i.checked_sub(1));
        let after = near(Some(i + 1));
        let points = match class {
            Class::AsciiLetter => continue,
            Class::Bad => -10.0,
            Class::Han => han_points(c, family, encoding),
            Class::Hangul => hangul_points(c, family, encoding),
            Class::Kana => match family {
                Family::Japanese | Family::Unicode => 3.0,
                _ => -2.0,
            },
            Class::HalfKana => {
                let run = before == Some(Class::HalfKana) || after == Some(Class::HalfKana);
                match family {
                    Family::Japanese if run => 1.0,
                    Family::Unicode => 0.5,
                    _ => -1.0,
                }
            }
            Class::CjkPunct if is_cjk_family(family) || family == Family::Unicode => 0.0,
            Class::CjkPunct => -2.0,
            Class::Letter(script, _) => letter_points(c, script, family, &word),
            Class::OtherLetter if family == Family::Unicode => 1.0,
            Class::OtherLetter => -2.0,
            Class::EdgePunct => {
                let inside = i != 0 && i != last;
                let between_letters =
                    before.is_some_and(is_letterish) && after.is_some_and(is_letterish);
                match (inside && !is_cjk_family(family), between_letters) {
                    (true, true) => -2.0,
                    (true, false) => -1.0,
                    _ => 0.0,
                }
            }
            Class::Symbol => {
                if before.is_some_and(is_letterish) || after.is_some_and(is_letterish) {
                    -2.0
                } else {
                    -1.0
                }
            }
        };
        out.note(points);
    }
}

fn letter_points(c: char, script: Script, family: Family, word: &Word) -> f64 {
    let fits = match family {
        Family::Unicode => true,
        Family::Latin => script == Script::Latin,
        Family::Cyrillic => script == Script::Cyrillic,
        Family::Greek => script == Script::Greek,
        _ => false,
    };
    if !fits || !word.plausible(script) {
        return -2.0;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    let (common, occasional, rare) = match script {
        Script::Latin => (LATIN_COMMON, LATIN_OCCASIONAL, 0.25),
        Script::Cyrillic => (CYRILLIC_COMMON, CYRILLIC_OCCASIONAL, -0.5),
        Script::Greek => (GREEK_COMMON, GREEK_OCCASIONAL, -0.5),
    };
    if common.contains(lower) {
        2.0
    } else if occasional.contains(lower) {
        1.0
    } else {
        rare
    }
}

/// 1 for the first (most used) level of a CJK character set, 2 for the
/// second, 3 for extensions and characters outside the set.
fn level(encoding: &'static Encoding, c: char) -> u8 {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = encoding.encode(c.encode_utf8(&mut buf));
    if unmappable || bytes.len() != 2 {
        return 3;
    }
    let (lead, trail) = (bytes[0], bytes[1]);
    let name = encoding.name();
    let (first, second): ([u8; 2], [u8; 2]) = match name {
        "gb18030" | "GBK" => ([0xB0, 0xD7], [0xD8, 0xF7]),
        "Big5" => ([0xA4, 0xC6], [0xC9, 0xF9]),
        "Shift_JIS" => ([0x88, 0x98], [0x99, 0xEA]),
        "EUC-JP" => ([0xB0, 0xCF], [0xD0, 0xF4]),
        "EUC-KR" => ([0xB0, 0xC8], [0xCA, 0xFD]),
        _ => return 3,
    };
    // In the EUC sets both bytes of a standard character are 0xA1 or more.
    let euc = matches!(name, "gb18030" | "GBK" | "EUC-JP" | "EUC-KR");
    if euc && trail < 0xA1 {
        return 3;
    }
    if (first[0]..=first[1]).contains(&lead) {
        1
    } else if (second[0]..=second[1]).contains(&lead) {
        2
    } else {
        3
    }
}

fn han_points(c: char, family: Family, encoding: &'static Encoding) -> f64 {
    let common = match family {
        Family::Chinese => is_common_hanzi(c),
        Family::Japanese => is_common_kanji(c),
        Family::Unicode => is_common_hanzi(c) || is_common_kanji(c),
        // Hanja are rare in modern Korean files.
        Family::Korean => return -1.0,
        _ => return -2.0,
    };
    if common {
        return 3.0;
    }
    if family == Family::Unicode {
        return 1.0;
    }
    match level(encoding, c) {
        1 => 1.0,
        2 => 0.0,
        _ => -2.0,
    }
}

fn hangul_points(c: char, family: Family, encoding: &'static Encoding) -> f64 {
    match family {
        Family::Korean if is_common_hangul(c) => 3.0,
        Family::Korean if level(encoding, c) == 1 => 1.0,
        Family::Korean => -2.0,
        Family::Unicode if is_common_hangul(c) => 3.0,
        Family::Unicode => 1.0,
        _ => -2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(text: &str, family: Family) -> TextScore {
        score_text(text, family, encoding_rs::UTF_8)
    }

    #[test]
    fn real_words_score_above_mojibake() {
        assert_eq!(score("José São Paulo Müller", Family::Latin).odd, 0);
        assert!(score("¿Í»§ID ÄÐ Å®", Family::Latin).points < 0.0);
        assert_eq!(score("Москва Остаток пол", Family::Cyrillic).odd, 0);
        assert!(score("пНа ї»§ мЮ", Family::Cyrillic).points < 0.0);
        assert_eq!(score("Αθήνα υπόλοιπο", Family::Greek).odd, 0);
    }

    #[test]
    fn cjk_levels_come_from_the_encoding() {
        assert_eq!(level(encoding_rs::GB18030, '客'), 1);
        assert_eq!(level(encoding_rs::BIG5, '戶'), 1);
        assert_eq!(level(encoding_rs::EUC_KR, '고'), 1);
        assert_eq!(level(encoding_rs::SHIFT_JIS, '亜'), 1);
    }
}

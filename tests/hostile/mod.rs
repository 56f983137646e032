//! Generators of workbooks, valid and hostile, built byte by byte in the
//! tests: a compound file (`.xls`) with BIFF8 records, minimal `.xlsx` and
//! `.ods` archives, and the bombs of issue #9 scaled down to a few hundred
//! kilobytes on disk.

#![allow(dead_code)]

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

// ---------------------------------------------------------------------------
// ZIP
// ---------------------------------------------------------------------------

/// One part of an archive: its name and a writer of its content (so a
/// bomb's content is streamed into the deflater, never held whole).
pub struct Part<'a> {
    pub name: &'a str,
    pub write: ContentWriter<'a>,
}

pub type ContentWriter<'a> = Box<dyn Fn(&mut dyn Write) + 'a>;

pub fn part<'a>(name: &'a str, bytes: impl AsRef<[u8]> + 'a) -> Part<'a> {
    Part {
        name,
        write: Box::new(move |w| w.write_all(bytes.as_ref()).unwrap()),
    }
}

/// `text` followed by `n` copies of `byte`, written in chunks.
pub fn filler<'a>(name: &'a str, head: &'a str, byte: u8, n: usize, tail: &'a str) -> Part<'a> {
    Part {
        name,
        write: Box::new(move |w| {
            w.write_all(head.as_bytes()).unwrap();
            let chunk = vec![byte; 1 << 20];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                w.write_all(&chunk[..k]).unwrap();
                left -= k;
            }
            w.write_all(tail.as_bytes()).unwrap();
        }),
    }
}

/// A ZIP of `parts`, deflated (a part named `mimetype` is stored, first).
pub fn zip(parts: &[Part<'_>]) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    for p in parts {
        let method = if p.name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        let opts = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(false);
        z.start_file(p.name, opts).unwrap();
        (p.write)(&mut z);
    }
    z.finish().unwrap().into_inner()
}

/// Rewrites the declared inflated size of every central-directory entry
/// named `name` (the local header too), leaving the data as it is.
pub fn lie_about_size(archive: &mut [u8], name: &str, declared: u32) {
    let n = name.as_bytes();
    for i in 0..archive.len().saturating_sub(46) {
        if archive[i..i + 4] == *b"PK\x01\x02" {
            let len = u16::from_le_bytes([archive[i + 28], archive[i + 29]]) as usize;
            if archive.get(i + 46..i + 46 + len) == Some(n) {
                archive[i + 24..i + 28].copy_from_slice(&declared.to_le_bytes());
                let local =
                    u32::from_le_bytes(archive[i + 42..i + 46].try_into().unwrap()) as usize;
                archive[local + 22..local + 26].copy_from_slice(&declared.to_le_bytes());
            }
        }
    }
}

// ---------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

fn xlsx_skeleton() -> Vec<(&'static str, String)> {
    vec![
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ),
        (
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#),
        ),
    ]
}

fn col_letters(mut c: usize) -> String {
    let mut s = Vec::new();
    c += 1;
    while c > 0 {
        c -= 1;
        s.push(b'A' + (c % 26) as u8);
        c /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Sheet XML rows: numbers as numbers, other text as inline strings.
pub fn sheet_rows(rows: &[Vec<String>]) -> String {
    let mut x = String::new();
    for (r, row) in rows.iter().enumerate() {
        x.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, v) in row.iter().enumerate() {
            let at = format!("{}{}", col_letters(c), r + 1);
            if v.parse::<f64>().is_ok() {
                x.push_str(&format!("<c r=\"{at}\"><v>{v}</v></c>"));
            } else {
                x.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    xml_escape(v)
                ));
            }
        }
        x.push_str("</row>");
    }
    x
}

pub fn sheet_head() -> String {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>"#)
}

pub const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// An `.xlsx` with the given sheet and shared-strings parts.
pub fn xlsx(sheet: Part<'_>, shared_strings: Option<Part<'_>>) -> Vec<u8> {
    let skeleton = xlsx_skeleton();
    let mut parts: Vec<Part<'_>> = skeleton
        .iter()
        .map(|(n, x)| part(n, x.as_bytes()))
        .collect();
    parts.push(sheet);
    if let Some(s) = shared_strings {
        parts.push(s);
    }
    zip(&parts)
}

/// A small valid `.xlsx` of these rows.
pub fn xlsx_of(rows: &[Vec<String>]) -> Vec<u8> {
    let xml = format!("{}{}{}", sheet_head(), sheet_rows(rows), SHEET_TAIL);
    xlsx(part("xl/worksheets/sheet1.xml", xml.into_bytes()), None)
}

// ---------------------------------------------------------------------------
// ODS
// ---------------------------------------------------------------------------

/// An `.ods` whose only sheet's body (rows) is `table_body`.
pub fn ods(table_body: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{table_body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    zip(&[
        part("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        part("META-INF/manifest.xml", manifest),
        part("content.xml", content),
    ])
}

/// One ODS row of cells (numbers as floats, other text as strings).
pub fn ods_row(cells: &[&str], rows_repeated: u64) -> String {
    let mut x = if rows_repeated > 1 {
        format!("<table:table-row table:number-rows-repeated=\"{rows_repeated}\">")
    } else {
        "<table:table-row>".to_string()
    };
    for v in cells {
        if v.parse::<f64>().is_ok() {
            x.push_str(&format!(
                "<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{v}</text:p></table:table-cell>"
            ));
        } else {
            x.push_str(&format!(
                "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                xml_escape(v)
            ));
        }
    }
    x.push_str("</table:table-row>");
    x
}

// ---------------------------------------------------------------------------
// XLS: BIFF8 records in a compound file
// ---------------------------------------------------------------------------

pub fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut v = typ.to_le_bytes().to_vec();
    v.extend((data.len() as u16).to_le_bytes());
    v.extend(data);
    v
}

pub fn biff_number(row: u16, col: u16, x: f64) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(x.to_le_bytes());
    record(0x0203, &d)
}

/// A LABEL record of 8-bit (compressed) characters.
pub fn biff_label(row: u16, col: u16, s: &str) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend((s.len() as u16).to_le_bytes());
    d.push(0);
    d.extend(s.as_bytes());
    record(0x0204, &d)
}

/// DIMENSIONS: rows `first..last` (exclusive), columns `first..last`.
pub fn biff_dimensions(rows: (u32, u32), cols: (u16, u16)) -> Vec<u8> {
    let mut d = rows.0.to_le_bytes().to_vec();
    d.extend(rows.1.to_le_bytes());
    d.extend(cols.0.to_le_bytes());
    d.extend(cols.1.to_le_bytes());
    d.extend([0, 0]);
    record(0x0200, &d)
}

/// A workbook stream: globals (with `sst` records if any), one sheet
/// "Data" whose records are `cells`.
pub fn biff_workbook(cells: &[Vec<u8>], sst: &[Vec<u8>]) -> Vec<u8> {
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.extend([0u8; 12]);
        record(0x0809, &d)
    };
    let mut globals = bof(0x0005);
    for r in sst {
        globals.extend(r);
    }
    let name = b"Data";
    let bound_len = 4 + 4 + 2 + 2 + name.len();
    let eof = record(0x000A, &[]);
    let at = (globals.len() + bound_len + eof.len()) as u32;
    let mut bound = at.to_le_bytes().to_vec();
    bound.extend([0, 0]);
    bound.push(name.len() as u8);
    bound.push(0);
    bound.extend(name);
    let mut s = globals;
    s.extend(record(0x0085, &bound));
    s.extend(eof.clone());
    s.extend(bof(0x0010));
    for c in cells {
        s.extend(c);
    }
    s.extend(eof);
    // Regular (not mini) stream: at least 4096 bytes; the padding lies
    // after the last EOF and is never read.
    if s.len() < 4096 {
        s.resize(4096, 0);
    }
    s
}

/// A table as BIFF cells: row 0 the header.
pub fn biff_table(rows: &[Vec<String>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            out.push(match v.parse::<f64>() {
                Ok(x) => biff_number(r as u16, c as u16, x),
                Err(_) => biff_label(r as u16, c as u16, v),
            });
        }
    }
    out
}

pub const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const FREESECT: u32 = 0xFFFF_FFFF;

/// Where the structures of a compound file written by [`cfb`] are.
#[derive(Debug, Clone, Copy)]
pub struct CfbLayout {
    pub fat_sectors: u32,
    pub dir_sector: u32,
    pub stream_start: u32,
    pub stream_sectors: u32,
}

/// File offset of the FAT entry of `sector`.
pub fn fat_entry_offset(layout: CfbLayout, sector: u32) -> usize {
    let fat_sector = sector / 128;
    assert!(fat_sector < layout.fat_sectors);
    512 * (1 + fat_sector as usize) + 4 * (sector as usize % 128)
}

/// A version-3 compound file (512-byte sectors) holding one regular stream
/// named `Workbook`: FAT sectors first, one directory sector, the stream.
pub fn cfb(stream: &[u8]) -> (Vec<u8>, CfbLayout) {
    assert!(stream.len() >= 4096, "a regular stream");
    let stream_sectors = stream.len().div_ceil(512) as u32;
    let mut fat_sectors = 1u32;
    while fat_sectors * 128 < fat_sectors + 1 + stream_sectors {
        fat_sectors += 1;
    }
    assert!(fat_sectors <= 109, "DIFAT in the header only");
    let layout = CfbLayout {
        fat_sectors,
        dir_sector: fat_sectors,
        stream_start: fat_sectors + 1,
        stream_sectors,
    };
    let total = fat_sectors + 1 + stream_sectors;
    let mut f = vec![0u8; 512 * (1 + total as usize)];
    f[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let put =
        |f: &mut Vec<u8>, at: usize, bytes: &[u8]| f[at..at + bytes.len()].copy_from_slice(bytes);
    put(&mut f, 24, &0x3Eu16.to_le_bytes());
    put(&mut f, 26, &3u16.to_le_bytes());
    put(&mut f, 28, &0xFFFEu16.to_le_bytes());
    put(&mut f, 30, &9u16.to_le_bytes());
    put(&mut f, 32, &6u16.to_le_bytes());
    put(&mut f, 44, &fat_sectors.to_le_bytes());
    put(&mut f, 48, &layout.dir_sector.to_le_bytes());
    put(&mut f, 56, &4096u32.to_le_bytes());
    put(&mut f, 60, &ENDOFCHAIN.to_le_bytes());
    put(&mut f, 64, &0u32.to_le_bytes());
    put(&mut f, 68, &ENDOFCHAIN.to_le_bytes());
    for i in 0..109u32 {
        let v = if i < fat_sectors { i } else { FREESECT };
        put(&mut f, 76 + 4 * i as usize, &v.to_le_bytes());
    }
    let mut fat = vec![FREESECT; 128 * fat_sectors as usize];
    for i in 0..fat_sectors {
        fat[i as usize] = 0xFFFF_FFFD;
    }
    fat[layout.dir_sector as usize] = ENDOFCHAIN;
    for s in 0..stream_sectors {
        let id = layout.stream_start + s;
        fat[id as usize] = if s + 1 == stream_sectors {
            ENDOFCHAIN
        } else {
            id + 1
        };
    }
    for (i, v) in fat.iter().enumerate() {
        put(&mut f, 512 + 4 * i, &v.to_le_bytes());
    }
    let dir = 512 * (1 + layout.dir_sector as usize);
    let entry =
        |f: &mut Vec<u8>, slot: usize, name: &str, typ: u8, start: u32, size: u32, child: u32| {
            let e = dir + 128 * slot;
            for (i, u) in name.encode_utf16().enumerate() {
                f[e + 2 * i..e + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            let len = 2 * (name.encode_utf16().count() as u16 + 1);
            f[e + 64..e + 66].copy_from_slice(&len.to_le_bytes());
            f[e + 66] = typ;
            f[e + 67] = 1;
            f[e + 68..e + 72].copy_from_slice(&FREESECT.to_le_bytes());
            f[e + 72..e + 76].copy_from_slice(&FREESECT.to_le_bytes());
            f[e + 76..e + 80].copy_from_slice(&child.to_le_bytes());
            f[e + 116..e + 120].copy_from_slice(&start.to_le_bytes());
            f[e + 120..e + 124].copy_from_slice(&size.to_le_bytes());
        };
    entry(&mut f, 0, "Root Entry", 5, ENDOFCHAIN, 0, 1);
    entry(
        &mut f,
        1,
        "Workbook",
        2,
        layout.stream_start,
        stream.len() as u32,
        FREESECT,
    );
    for slot in 2..4 {
        let e = dir + 128 * slot;
        f[e + 68..e + 80].fill(0xFF);
    }
    let at = 512 * (1 + layout.stream_start as usize);
    f[at..at + stream.len()].copy_from_slice(stream);
    (f, layout)
}

/// A valid `.xls` of these rows.
pub fn xls_of(rows: &[Vec<String>]) -> Vec<u8> {
    cfb(&biff_workbook(&biff_table(rows), &[])).0
}

/// A small customer table: header + `n` rows of id, balance, products, city.
pub fn customer_rows(n: usize) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "CustomerID".to_string(),
        "Balance".to_string(),
        "Products".to_string(),
        "City".to_string(),
    ]];
    for i in 0..n {
        rows.push(vec![
            format!("C{i:04}"),
            format!("{}", 1000 + (i * 7919) % 50_000),
            format!("{}", 1 + i % 4),
            ["Beijing", "Shanghai", "Shenzhen"][i % 3].to_string(),
        ]);
    }
    rows
}

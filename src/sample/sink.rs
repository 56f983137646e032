//! Sinks: where cells go (CSV line or XLSX worksheet).

use std::io::Write;

use chrono::NaiveDate;

use super::format::{DateStyle, push_date, push_i64, push_money};
use super::{SampleEncoding, SampleOptions};
use crate::{Error, Result};

pub(super) trait Sink {
    fn int(&mut self, v: i64);
    fn money(&mut self, cents: i64);
    fn date(&mut self, d: NaiveDate, style: DateStyle);
    /// Free text; an empty string is an empty cell.
    fn text(&mut self, s: &str);
    fn end_row(&mut self) -> Result<()>;
}

/// GBK output. GBK is stateless and leaves ASCII as it is, so a line is its
/// ASCII bytes plus the encoding of each non-ASCII run, and those runs come
/// from a small set (headers, branch names, 男/女, ￥): they are memoised,
/// since encoding_rs' Hanzi lookup would otherwise double the writing time.
pub(super) struct Gbk {
    encoder: encoding_rs::Encoder,
    out: Vec<u8>,
    memo: std::collections::HashMap<String, Vec<u8>>,
}

impl Gbk {
    const MEMO_LIMIT: usize = 1024;

    pub(super) fn new() -> Self {
        Gbk {
            encoder: encoding_rs::GBK.new_encoder(),
            out: Vec::with_capacity(256),
            memo: std::collections::HashMap::new(),
        }
    }

    pub(super) fn encode_run(
        encoder: &mut encoding_rs::Encoder,
        run: &str,
        dst: &mut Vec<u8>,
    ) -> Result<()> {
        let need = encoder
            .max_buffer_length_from_utf8_without_replacement(run.len())
            .unwrap_or(run.len() * 2 + 16);
        dst.reserve(need);
        let (result, _read) = encoder.encode_from_utf8_to_vec_without_replacement(run, dst, false);
        match result {
            encoding_rs::EncoderResult::InputEmpty => Ok(()),
            encoding_rs::EncoderResult::Unmappable(c) => Err(Error::data(format!(
                "the character {c:?} cannot be written in GBK"
            ))),
            encoding_rs::EncoderResult::OutputFull => {
                Err(Error::data("GBK encoder ran out of buffer space"))
            }
        }
    }

    pub(super) fn encode_line(&mut self, line: &str) -> Result<&[u8]> {
        self.out.clear();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let ascii = bytes[i].is_ascii();
            let j = i + bytes[i..]
                .iter()
                .position(|b| b.is_ascii() != ascii)
                .unwrap_or(bytes.len() - i);
            if ascii {
                self.out.extend_from_slice(&bytes[i..j]);
            } else {
                // A run of non-ASCII bytes lies between ASCII bytes (or the
                // ends), so it starts and ends on char boundaries.
                let run = &line[i..j];
                if let Some(enc) = self.memo.get(run) {
                    self.out.extend_from_slice(enc);
                } else if self.memo.len() < Self::MEMO_LIMIT {
                    let mut enc = Vec::new();
                    Self::encode_run(&mut self.encoder, run, &mut enc)?;
                    self.out.extend_from_slice(&enc);
                    self.memo.insert(run.to_string(), enc);
                } else {
                    Self::encode_run(&mut self.encoder, run, &mut self.out)?;
                }
            }
            i = j;
        }
        Ok(&self.out)
    }
}

pub(super) struct CsvSink<W: Write> {
    out: W,
    line: String,
    delim: char,
    first: bool,
    eol: &'static str,
    gbk: Option<Gbk>,
    bytes: u64,
}

impl<W: Write> CsvSink<W> {
    pub(super) fn new(out: W, opts: &SampleOptions) -> Self {
        CsvSink {
            out,
            line: String::with_capacity(256),
            delim: opts.delimiter as char,
            first: true,
            eol: if opts.crlf { "\r\n" } else { "\n" },
            gbk: match opts.encoding {
                SampleEncoding::Utf8 => None,
                SampleEncoding::Gbk => Some(Gbk::new()),
            },
            bytes: 0,
        }
    }

    pub(super) fn sep(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.line.push(self.delim);
        }
    }

    /// Numbers and dates may need quoting too when the delimiter is `.`, `-`, `/` or a digit.
    pub(super) fn quote_if_needed(&mut self, start: usize) {
        let d = self.delim;
        let field = &self.line[start..];
        if field
            .chars()
            .any(|c| c == d || c == '"' || c == '\n' || c == '\r')
        {
            let quoted = format!("\"{}\"", field.replace('"', "\"\""));
            self.line.truncate(start);
            self.line.push_str(&quoted);
        }
    }

    pub(super) fn finish(mut self) -> Result<(W, u64)> {
        self.out
            .flush()
            .map_err(|e| Error::io("writing the sample", e))?;
        Ok((self.out, self.bytes))
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn int(&mut self, v: i64) {
        self.sep();
        let start = self.line.len();
        push_i64(&mut self.line, v);
        self.quote_if_needed(start);
    }

    fn money(&mut self, cents: i64) {
        self.sep();
        let start = self.line.len();
        push_money(&mut self.line, cents);
        self.quote_if_needed(start);
    }

    fn date(&mut self, d: NaiveDate, style: DateStyle) {
        self.sep();
        let start = self.line.len();
        push_date(&mut self.line, d, style);
        self.quote_if_needed(start);
    }

    fn text(&mut self, s: &str) {
        self.sep();
        let start = self.line.len();
        self.line.push_str(s);
        self.quote_if_needed(start);
    }

    fn end_row(&mut self) -> Result<()> {
        self.line.push_str(self.eol);
        let io = |e| Error::io("writing the sample", e);
        match &mut self.gbk {
            None => {
                self.out.write_all(self.line.as_bytes()).map_err(io)?;
                self.bytes += self.line.len() as u64;
            }
            Some(gbk) => {
                let bytes = gbk.encode_line(&self.line)?;
                self.out.write_all(bytes).map_err(io)?;
                self.bytes += bytes.len() as u64;
            }
        }
        self.line.clear();
        self.first = true;
        Ok(())
    }
}

pub(super) struct XlsxSink {
    pub(super) workbook: rust_xlsxwriter::Workbook,
    pub(super) row: u32,
    pub(super) col: u16,
    pub(super) date_format: rust_xlsxwriter::Format,
    pub(super) money_format: rust_xlsxwriter::Format,
    pub(super) error: Option<rust_xlsxwriter::XlsxError>,
}

impl XlsxSink {
    pub(super) fn new(sheet_name: &str, as_of: NaiveDate) -> Result<Self> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        // A fixed creation date keeps the file byte-identical for a seed.
        let properties = rust_xlsxwriter::DocProperties::new()
            .set_title("custseg synthetic bank customers")
            .set_comment("Synthetic data with planted segments; not real customers.")
            .set_creation_datetime(&as_of);
        workbook.set_properties(&properties);
        workbook
            .add_worksheet()
            .set_name(sheet_name)
            .map_err(xlsx_error)?;
        Ok(XlsxSink {
            workbook,
            row: 0,
            col: 0,
            date_format: rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd"),
            money_format: rust_xlsxwriter::Format::new().set_num_format("#,##0.00"),
            error: None,
        })
    }

    pub(super) fn cell(
        &mut self,
        f: impl FnOnce(
            &mut rust_xlsxwriter::Worksheet,
            u32,
            u16,
            &XlsxFormats,
        ) -> std::result::Result<(), rust_xlsxwriter::XlsxError>,
    ) {
        let (row, col) = (self.row, self.col);
        self.col += 1;
        if self.error.is_some() {
            return;
        }
        let formats = XlsxFormats {
            date: &self.date_format,
            money: &self.money_format,
        };
        let result = match self.workbook.worksheet_from_index(0) {
            Ok(ws) => f(ws, row, col, &formats),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            self.error = Some(e);
        }
    }
}

pub(super) struct XlsxFormats<'a> {
    date: &'a rust_xlsxwriter::Format,
    money: &'a rust_xlsxwriter::Format,
}

pub(super) fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> Error {
    Error::data(format!("writing the XLSX sample: {e}"))
}

impl Sink for XlsxSink {
    fn int(&mut self, v: i64) {
        self.cell(|ws, r, c, _| ws.write_number(r, c, v as f64).map(|_| ()));
    }

    fn money(&mut self, cents: i64) {
        self.cell(|ws, r, c, f| {
            ws.write_number_with_format(r, c, cents as f64 / 100.0, f.money)
                .map(|_| ())
        });
    }

    fn date(&mut self, d: NaiveDate, _style: DateStyle) {
        self.cell(|ws, r, c, f| ws.write_date_with_format(r, c, d, f.date).map(|_| ()));
    }

    fn text(&mut self, s: &str) {
        if s.is_empty() {
            self.col += 1;
        } else {
            self.cell(|ws, r, c, _| ws.write_string(r, c, s).map(|_| ()));
        }
    }

    fn end_row(&mut self) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(xlsx_error(e));
        }
        self.row += 1;
        self.col = 0;
        Ok(())
    }
}

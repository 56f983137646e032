//! How much memory calamine will take to open an `.xls` workbook, worked out
//! from its workbook stream (BIFF records) before calamine reads it.
//!
//! calamine parses every sheet when the workbook is opened: each sheet's
//! cells into a vector (reserved to the size its DIMENSIONS record claims),
//! then into a dense grid of the cells' bounding box, with every shared
//! string cloned into each cell that uses it, and a second dense grid of
//! formula texts. A few bytes of records can so ask for gigabytes (a
//! DIMENSIONS record of four billion rows; two cells at A1 and IV65536; one
//! long shared string used by every cell). [`estimate`] walks the records as
//! calamine does, with bounded loops and checked offsets, and adds up what
//! those allocations will be.

use super::Refusal;
use calamine::{Cell, Data};
use std::collections::VecDeque;
use std::mem::size_of;

const CONTINUE: u16 = 0x003C;
const EOF: u16 = 0x000A;
const BOF: u16 = 0x0809;
/// Bytes of formula text per byte of formula tokens, beyond sheet names
/// (a reference token of 3 to 9 bytes reads as up to ~20 characters).
const FORMULA_TEXT_PER_TOKEN_BYTE: u64 = 16;
/// The "Unrecognised formula for cell (r, c): ..." text calamine writes
/// for a formula it cannot read.
const FORMULA_FALLBACK_BYTES: u64 = 160;

/// The memory calamine will use for the workbook stream, and the largest
/// dense grid among the sheets (rows, columns) for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Estimate {
    pub bytes: u64,
    pub largest_grid: (u64, u64),
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One record with its CONTINUE records, as calamine's `RecordIter` gives it.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: VecDeque<&'a [u8]>,
}

impl<'a> Record<'a> {
    fn continue_record(&mut self) -> bool {
        match self.cont.pop_front() {
            Some(next) => {
                self.data = next;
                true
            }
            None => false,
        }
    }

    fn skip(&mut self, mut len: u64) -> Option<()> {
        while len > 0 {
            if self.data.is_empty() && !self.continue_record() {
                return None;
            }
            let l = len.min(self.data.len() as u64) as usize;
            self.data = &self.data[l..];
            len -= l as u64;
        }
        Some(())
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let head = self.data.get(..n)?;
        self.data = &self.data[n..];
        Some(head)
    }
}

/// Records from the start of `stream`; ends where calamine would stop with
/// an error (a cut-off record).
struct Records<'a> {
    stream: &'a [u8],
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;
    fn next(&mut self) -> Option<Record<'a>> {
        let typ = u16_at(self.stream, 0)?;
        let len = u16_at(self.stream, 2)? as usize;
        let data = self.stream.get(4..4 + len)?;
        self.stream = &self.stream[4 + len..];
        let mut cont = VecDeque::new();
        while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(CONTINUE) {
            let len = u16_at(self.stream, 2)? as usize;
            cont.push_back(self.stream.get(4..4 + len)?);
            self.stream = &self.stream[4 + len..];
        }
        Some(Record { typ, data, cont })
    }
}

/// UTF-8 bytes (an upper bound) of one SST entry, consuming it as calamine's
/// `read_rich_extended_string` does; `None` where calamine fails.
fn sst_entry_bytes(r: &mut Record<'_>) -> Option<u64> {
    if r.data.is_empty() {
        return Some(0);
    }
    let head = r.take(3)?;
    let cch = u64::from(u16::from_le_bytes([head[0], head[1]]));
    let flags = head[2];
    let mut high_byte = flags & 1 != 0;
    let runs = if flags & 0x8 != 0 {
        u64::from(u16_at(r.take(2)?, 0)?)
    } else {
        0
    };
    let ext = if flags & 0x4 != 0 {
        // calamine reads it as i32 and casts: a negative size skips "forever".
        i32::from_le_bytes(r.take(4)?.try_into().ok()?) as i64 as u64
    } else {
        0
    };
    let mut left = cch;
    let mut units = 0u64;
    while left > 0 {
        let avail = if high_byte {
            r.data.len() as u64 / 2
        } else {
            r.data.len() as u64
        };
        let l = avail.min(left);
        let consumed = if high_byte { 2 * l } else { l } as usize;
        r.data = &r.data[consumed..];
        units += l;
        left -= l;
        if left > 0 {
            if !r.continue_record() || r.data.is_empty() {
                return None;
            }
            high_byte = r.data[0] & 1 != 0;
            r.data = &r.data[1..];
        }
    }
    r.skip(runs.checked_mul(4)?)?;
    r.skip(ext)?;
    // Each UTF-16 unit or byte decodes to at most 3 bytes of UTF-8; the
    // string is first reserved at `cch` bytes.
    Some(cch.max(3 * units))
}

/// Sizes of the shared strings of an SST record, as far as calamine reads it.
fn sst_sizes(mut r: Record<'_>) -> Vec<u64> {
    let mut sizes = Vec::new();
    if r.take(8).is_none() {
        return sizes;
    }
    while !r.data.is_empty() || r.continue_record() {
        match sst_entry_bytes(&mut r) {
            Some(s) => sizes.push(s),
            None => break,
        }
    }
    sizes
}

/// What the workbook globals say: sheet offsets, shared strings, names.
struct Globals {
    sheet_offsets: Vec<usize>,
    sst: Vec<u64>,
    longest_sheet_name: u64,
    encrypted: bool,
}

fn globals(stream: &[u8]) -> Globals {
    let mut g = Globals {
        sheet_offsets: Vec::new(),
        sst: Vec::new(),
        longest_sheet_name: 0,
        encrypted: false,
    };
    for r in (Records { stream }) {
        match r.typ {
            0x002F if u16_at(r.data, 0).is_some_and(|v| v != 0) => {
                g.encrypted = true;
                break;
            }
            0x00FC => g.sst = sst_sizes(r),
            0x0085 => {
                if let Some(pos) = u32_at(r.data, 0) {
                    g.sheet_offsets.push(pos as usize);
                    // The name follows a 6-byte header; 3 bytes of UTF-8 per byte at most.
                    g.longest_sheet_name = g
                        .longest_sheet_name
                        .max(3 * r.data.len().saturating_sub(6) as u64);
                }
            }
            EOF => break,
            _ => {}
        }
    }
    g
}

/// The bounding box of a set of cell positions.
#[derive(Default, Clone, Copy)]
struct Bounds {
    any: bool,
    rows: (u32, u32),
    cols: (u32, u32),
}

impl Bounds {
    fn add(&mut self, row: u32, col: u32) {
        if !self.any {
            *self = Bounds {
                any: true,
                rows: (row, row),
                cols: (col, col),
            };
            return;
        }
        self.rows = (self.rows.0.min(row), self.rows.1.max(row));
        self.cols = (self.cols.0.min(col), self.cols.1.max(col));
    }

    /// (rows, columns) of the dense grid calamine's `Range::from_sparse` builds.
    fn grid(&self) -> (u64, u64) {
        if !self.any {
            return (0, 0);
        }
        (
            u64::from(self.rows.1 - self.rows.0) + 1,
            u64::from(self.cols.1 - self.cols.0) + 1,
        )
    }
}

/// What one sheet's parse allocates.
#[derive(Default)]
struct SheetCost {
    cells: u64,
    reserved: u64,
    formulas: u64,
    text: u64,
    cells_at: Bounds,
    formulas_at: Bounds,
    /// Stream bytes walked for this sheet.
    scanned: u64,
}

impl SheetCost {
    fn cell(&mut self, data: &[u8], text: u64) {
        if let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) {
            self.cells += 1;
            self.text += text;
            self.cells_at.add(u32::from(row), u32::from(col));
        }
    }

    /// calamine reserves `rows x cols` cells for a DIMENSIONS record (with
    /// u32 arithmetic that wraps in a release build).
    fn dimensions(&mut self, d: &[u8]) {
        let (rf, rl, mut cf, cl) = match d.len() {
            10 => (
                u32::from(u16_at(d, 0).unwrap_or(0)),
                u32::from(u16_at(d, 2).unwrap_or(0)),
                u32::from(u16_at(d, 4).unwrap_or(0)),
                u32::from(u16_at(d, 6).unwrap_or(0)),
            ),
            14 | 16 => (
                u32_at(d, 0).unwrap_or(0),
                u32_at(d, 4).unwrap_or(0),
                u32::from(u16_at(d, 8).unwrap_or(0)),
                u32::from(u16_at(d, 10).unwrap_or(0)),
            ),
            _ => return,
        };
        if 0xFF < cf || cl < cf {
            cf = 0;
        }
        let (start, end) = if rl >= 1 && cl >= 1 {
            ((rf, cf), (rl - 1, cl - 1))
        } else {
            ((rf, cf), (rf, cf))
        };
        let rows = end.0.wrapping_sub(start.0).wrapping_add(1) as u64;
        let cols = end.1.wrapping_sub(start.1).wrapping_add(1) as u64;
        self.reserved = self.reserved.max(self.cells + rows.saturating_mul(cols));
    }

    fn formula(&mut self, data: &[u8], name_bytes: u64) {
        let (Some(row), Some(col)) = (u16_at(data, 0), u16_at(data, 2)) else {
            return;
        };
        if data.len() < 20 {
            return;
        }
        // The value (a number, or a string in the next STRING record).
        self.cell(data, 0);
        self.formulas += 1;
        let tokens = (data.len() - 20) as u64;
        self.text += tokens * (FORMULA_TEXT_PER_TOKEN_BYTE + name_bytes) + FORMULA_FALLBACK_BYTES;
        self.formulas_at.add(u32::from(row), u32::from(col));
    }

    fn mul_rk(&mut self, d: &[u8]) {
        let (Some(row), Some(first), Some(last)) = (
            u16_at(d, 0),
            u16_at(d, 2),
            u16_at(d, d.len().saturating_sub(2)),
        ) else {
            return;
        };
        let n = usize::from(last).saturating_sub(usize::from(first)) + 1;
        if d.len() < 6 || last < first || d.len() != 6 + 6 * n {
            return;
        }
        self.cells += n as u64;
        self.cells_at.add(u32::from(row), u32::from(first));
        self.cells_at.add(u32::from(row), u32::from(last));
    }

    /// Bytes the sheet keeps (grids, texts) and bytes it needs only while
    /// being built (the cell vectors), with its grid's shape.
    fn cost(&self) -> (u64, u64, (u64, u64)) {
        let grid = self.cells_at.grid();
        let formula_grid = self.formulas_at.grid();
        let kept = (grid.0 * grid.1)
            .saturating_mul(size_of::<Data>() as u64)
            .saturating_add(
                (formula_grid.0 * formula_grid.1).saturating_mul(size_of::<String>() as u64),
            )
            .saturating_add(self.text);
        let capacity = self.reserved.max(self.cells.next_power_of_two());
        let building = capacity
            .saturating_mul(size_of::<Cell<Data>>() as u64)
            .saturating_add(
                self.formulas
                    .next_power_of_two()
                    .saturating_mul(size_of::<Cell<String>>() as u64),
            );
        (kept, building, grid)
    }
}

/// Walks one sheet's substream as calamine does.
fn sheet(stream: &[u8], at: usize, g: &Globals) -> SheetCost {
    let mut cost = SheetCost::default();
    let sub = &stream[at..];
    let mut records = Records { stream: sub };
    let mut seen_bof = false;
    let mut depth = 0usize;
    let text3 = |d: &[u8], skip: usize| {
        3 * d.len().saturating_sub(skip) as u64 + u64::from(u16_at(d, skip).unwrap_or(0))
    };
    for r in records.by_ref() {
        if depth > 0 {
            match r.typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match r.typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            0x0200 => cost.dimensions(r.data),
            0x0203 | 0x0205 | 0x027E => cost.cell(r.data, 0),
            0x0204 | 0x00D6 => cost.cell(r.data, text3(r.data, 6)),
            0x0207 => cost.text += text3(r.data, 0),
            0x00FD => {
                let text = u32_at(r.data, 6).and_then(|i| g.sst.get(i as usize).copied());
                if let Some(text) = text {
                    cost.cell(r.data, text);
                }
            }
            0x00BD => cost.mul_rk(r.data),
            0x0006 => cost.formula(r.data, g.longest_sheet_name),
            EOF => break,
            _ => {}
        }
    }
    cost.scanned = (sub.len() - records.stream.len()) as u64;
    cost
}

/// The memory calamine will need to open a workbook with this workbook
/// stream (beyond the file's own bytes, which it also keeps).
pub fn estimate(stream: &[u8]) -> Result<Estimate, Refusal> {
    let g = globals(stream);
    let sst_bytes: u64 = g.sst.iter().map(|s| s + size_of::<String>() as u64).sum();
    let mut est = Estimate {
        bytes: stream.len() as u64 + sst_bytes,
        largest_grid: (0, 0),
    };
    if g.encrypted {
        return Ok(est);
    }
    let mut scanned = 0u64;
    let (mut kept_all, mut building_max, mut grid_max) = (0u64, 0u64, 0u64);
    for &at in &g.sheet_offsets {
        if at > stream.len() {
            return Err(Refusal::Damaged(format!(
                "a sheet is said to start at byte {at} of a {}-byte workbook stream",
                stream.len()
            )));
        }
        let cost = sheet(stream, at, &g);
        scanned += cost.scanned;
        // Sheets that overlap make calamine parse the same records again
        // and again: refuse before that becomes a hang.
        if scanned > 2 * stream.len() as u64 + (1 << 20) {
            return Err(Refusal::Damaged(
                "its sheets overlap in the workbook stream".into(),
            ));
        }
        let (kept, building, grid) = cost.cost();
        kept_all = kept_all.saturating_add(kept);
        building_max = building_max.max(building);
        let cells = grid.0.saturating_mul(grid.1);
        if cells > grid_max {
            grid_max = cells;
            est.largest_grid = grid;
        }
    }
    // The chosen sheet's grid is copied once more when it is read.
    let copy = grid_max.saturating_mul(size_of::<Data>() as u64);
    est.bytes = est
        .bytes
        .saturating_add(kept_all)
        .saturating_add(building_max)
        .saturating_add(copy);
    Ok(est)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend([0u8; 10]);
        record(0x0203, &d)
    }

    /// Globals with one sheet at the end, then that sheet's records.
    fn workbook(sheet_records: &[Vec<u8>], sst: Option<Vec<u8>>) -> Vec<u8> {
        let mut globals = record(BOF, &[0, 6, 5, 0]);
        if let Some(sst) = sst {
            globals.extend(sst);
        }
        let bound_len = 4 + 4 + 6;
        let eof = record(EOF, &[]);
        let at = globals.len() + bound_len + eof.len();
        let mut bound = (at as u32).to_le_bytes().to_vec();
        bound.extend([0, 0, 2, 0, b'S', b'1']);
        let mut s = globals;
        s.extend(record(0x0085, &bound));
        s.extend(eof);
        s.extend(record(BOF, &[0, 6, 0x10, 0]));
        for r in sheet_records {
            s.extend(r);
        }
        s.extend(record(EOF, &[]));
        s
    }

    #[test]
    fn a_small_dense_sheet_costs_little() {
        let cells: Vec<Vec<u8>> = (0..100u16)
            .flat_map(|r| (0..5u16).map(move |c| number(r, c)))
            .collect();
        let est = estimate(&workbook(&cells, None)).unwrap();
        assert_eq!(est.largest_grid, (100, 5));
        assert!(est.bytes < 200_000, "{est:?}");
    }

    #[test]
    fn two_far_apart_cells_cost_a_whole_grid() {
        let est = estimate(&workbook(&[number(0, 0), number(65_535, 255)], None)).unwrap();
        assert_eq!(est.largest_grid, (65_536, 256));
        assert!(
            est.bytes >= 2 * 65_536 * 256 * size_of::<Data>() as u64,
            "{est:?}"
        );
    }

    #[test]
    fn a_dimensions_record_of_billions_of_rows_is_counted() {
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(4_000_000_000u32.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(200u16.to_le_bytes());
        d.extend([0, 0]);
        let est = estimate(&workbook(&[record(0x0200, &d), number(0, 0)], None)).unwrap();
        assert!(est.bytes > 1 << 40, "{est:?}");
    }

    #[test]
    fn one_long_shared_string_used_by_many_cells_is_counted_per_cell() {
        // SST: one string of 8,000 one-byte characters.
        let mut sst = 1u32.to_le_bytes().to_vec();
        sst.extend(1u32.to_le_bytes());
        sst.extend(8000u16.to_le_bytes());
        sst.push(0);
        sst.extend(vec![b'x'; 8000]);
        let label = |row: u16| {
            let mut d = row.to_le_bytes().to_vec();
            d.extend(0u16.to_le_bytes());
            d.extend(0u16.to_le_bytes());
            d.extend(0u32.to_le_bytes());
            record(0x00FD, &d)
        };
        let cells: Vec<Vec<u8>> = (0..1000).map(label).collect();
        let est = estimate(&workbook(&cells, Some(record(0x00FC, &sst)))).unwrap();
        assert!(est.bytes >= 1000 * 24_000, "{est:?}");
    }

    #[test]
    fn a_sheet_offset_beyond_the_stream_is_refused() {
        let mut s = workbook(&[number(0, 0)], None);
        // Patch the BoundSheet offset (right after the 8-byte BOF record).
        s[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(estimate(&s), Err(Refusal::Damaged(_))));
    }

    #[test]
    fn truncations_never_panic() {
        let s = workbook(&[number(0, 0), number(3, 3)], None);
        for cut in 0..s.len() {
            let _ = estimate(&s[..cut]);
        }
    }
}

//! Checks a workbook's container before a third-party reader sees it, and
//! the memory budget every workbook reader is held to.
//!
//! calamine trusts the sizes, offsets and chains written in a file: a
//! compound-file chain that points back to itself makes it loop and grow
//! without end, a declared count makes it reserve gigabytes, a sparse sheet
//! becomes a dense grid. Each check here reads the same structures first,
//! with every index range-checked and every loop bounded, and refuses a file
//! whose structures are broken or whose reading would need more memory than
//! [`memory_budget`] allows for a file of its size.
//!
//! - [`cfb`]: the OLE2 compound file of an `.xls` (header, DIFAT, FAT,
//!   directory, mini FAT and the chains of the streams calamine reads);
//! - [`biff`]: what calamine will allocate for the workbook stream of an
//!   `.xls` (every sheet's cells and dense grid, the shared strings);
//! - [`zip`]: the parts of an `.xlsx`/`.xlsb`/`.ods` archive (declared sizes
//!   against the archive size, which the zip reader then enforces while
//!   inflating, and counts that calamine would reserve memory for).

pub mod biff;
pub mod cfb;
pub mod zip;

use std::path::Path;

/// Excel's own limit on the characters of one cell.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Memory every file may use whatever its size: small files read freely.
const BUDGET_FLOOR: u64 = 512 << 20;
/// Memory per byte of file above the floor. A workbook's cells take a few
/// bytes each in the file and a few tens in memory; a file needing more
/// than this is a bomb or damaged.
const BUDGET_PER_FILE_BYTE: u64 = 64;

/// The most memory reading a workbook of `file_bytes` may take.
pub fn memory_budget(file_bytes: u64) -> u64 {
    BUDGET_FLOOR.max(file_bytes.saturating_mul(BUDGET_PER_FILE_BYTE))
}

/// What is wrong with a file, worded for the user after its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The structures are broken (a cycle, an index out of range).
    Damaged(String),
    /// Reading the file would need more memory than its size allows.
    TooLarge(String),
}

/// Checks an OLE2 (`.xls`) workbook: its compound-file chains, then the
/// memory calamine will take to parse its workbook stream. A file that
/// cannot be read at all is passed on (the workbook reader says why).
pub fn check_ole(path: &Path, file_bytes: u64) -> Result<(), Refusal> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(());
    };
    let compound = cfb::Compound::parse(&bytes)?;
    let Some(stream) = compound.workbook_stream()? else {
        return Ok(());
    };
    drop(compound);
    drop(bytes);
    let estimate = biff::estimate(&stream)?;
    // calamine also keeps the file's sectors in memory.
    let need = estimate.bytes.saturating_add(file_bytes);
    let budget = memory_budget(file_bytes);
    if need > budget {
        let (rows, cols) = estimate.largest_grid;
        return Err(Refusal::TooLarge(format!(
            "reading it would take about {} of memory (its largest sheet spans {rows} rows x {cols} columns), more than the {} allowed for a file of {}",
            size_text(need),
            size_text(budget),
            size_text(file_bytes)
        )));
    }
    Ok(())
}

/// Checks a ZIP workbook's parts (see [`zip`]).
pub fn check_zip(path: &Path, file_bytes: u64) -> Result<(), Refusal> {
    zip::check(path, file_bytes)
}

/// A size for messages: "840 KB", "161 MB" (rounded).
pub fn size_text(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{} KB", (bytes + 512) >> 10)
    } else {
        format!("{} MB", (bytes + (1 << 19)) >> 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_has_a_floor_and_grows_with_the_file() {
        assert_eq!(memory_budget(0), 512 << 20);
        assert_eq!(memory_budget(1 << 20), 512 << 20);
        assert_eq!(memory_budget(100 << 20), 6400 << 20);
        assert_eq!(memory_budget(u64::MAX), u64::MAX);
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_text(160 * 1024 + 300), "160 KB");
        assert_eq!(size_text((160 << 20) + 700), "160 MB");
        assert_eq!(size_text(1 << 30), "1024 MB");
    }
}

//! Parquet: the footer read once, then each row group column by column
//! (so an error names both), only the columns custseg can use.

use super::Reading;
use crate::error::{Error, Result};
use bytes::Bytes;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, Length};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 64 * 1024;

/// A file whose every read is checked against its length first: the
/// reader then never allocates for a range the file does not have.
pub(super) struct BoundedFile {
    file: File,
    len: u64,
}

impl BoundedFile {
    fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
        let len = file
            .metadata()
            .map_err(|e| Error::io_path("reading", path, e))?
            .len();
        Ok(BoundedFile { file, len })
    }

    fn try_clone(&self) -> std::io::Result<Self> {
        Ok(BoundedFile {
            file: self.file.try_clone()?,
            len: self.len,
        })
    }

    fn out_of_file(&self, start: u64, length: u64) -> ParquetError {
        ParquetError::EOF(format!(
            "{length} bytes at offset {start} asked for, past the end of the file ({} bytes)",
            self.len
        ))
    }
}

impl Length for BoundedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for BoundedFile {
    type T = BufReader<std::io::Take<File>>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        if start > self.len {
            return Err(self.out_of_file(start, 0));
        }
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        Ok(BufReader::new(f.take(self.len - start)))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let end = start.checked_add(length as u64);
        if end.is_none_or(|e| e > self.len) {
            return Err(self.out_of_file(start, length as u64));
        }
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        let mut buf = vec![0u8; length];
        f.read_exact(&mut buf)?;
        Ok(Bytes::from(buf))
    }
}

/// Checks the file's last bytes: `PAR1` (`PARE` is an encrypted footer).
fn check_tail(file: &BoundedFile, name: &str) -> Result<()> {
    let too_short = || {
        Error::data(format!(
            "{name}: the Parquet file is cut off ({} bytes, too short to hold its footer); copy it again",
            file.len
        ))
    };
    if file.len < 12 {
        return Err(too_short());
    }
    let tail = file.get_bytes(file.len - 4, 4).map_err(|_| too_short())?;
    match &tail[..] {
        b"PAR1" => Ok(()),
        b"PARE" => Err(Error::data(format!(
            "{name}: the Parquet file is encrypted; custseg reads plain Parquet: decrypt it (or export it without encryption) first"
        ))),
        _ => Err(Error::data(format!(
            "{name}: the Parquet file is cut off or damaged (it does not end with PAR1, where its footer should be: an interrupted copy?); copy it again"
        ))),
    }
}

pub(super) fn read(path: &Path, r: &mut Reading) -> Result<()> {
    let file = BoundedFile::open(path)?;
    let name = r.name.to_string();
    check_tail(&file, &name)?;
    let meta = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()).map_err(|e| {
        Error::data(format!(
            "{name}: the Parquet footer is damaged and cannot be read ({}); copy the file again",
            crate::pipeline::excerpt::excerpt(&e.to_string(), 300)
        ))
    })?;
    let claimed = meta.metadata().file_metadata().num_rows();
    let claimed = u64::try_from(claimed)
        .unwrap_or(0)
        .min(r.row_limit() as u64);
    let keep = r.start(meta.schema(), claimed)?;
    let groups = meta.metadata().num_row_groups();
    for rg in 0..groups {
        if r.preview_done() {
            break;
        }
        let rows = meta.metadata().row_group(rg).num_rows();
        let rows =
            usize::try_from(rows).map_err(|_| r.damaged(rg, None, format!("{rows} rows")))?;
        let rows = rows.min(r.row_limit());
        for (k, &field) in keep.iter().enumerate() {
            read_chunk(&file, &meta, rg, (k, field), r)?;
        }
        r.end_rows(rg, rows)?;
        r.report((rg + 1) as f64 / groups as f64);
    }
    Ok(())
}

/// Reads column `field` (kept as the `k`-th) of row group `rg`.
fn read_chunk(
    file: &BoundedFile,
    meta: &ArrowReaderMetadata,
    rg: usize,
    (k, field): (usize, usize),
    r: &mut Reading,
) -> Result<()> {
    let column = meta.schema().field(field).name().clone();
    let damaged = |r: &Reading, e: &dyn std::fmt::Display| r.damaged(rg, Some(&column), e);
    let input = file.try_clone().map_err(|e| damaged(r, &e))?;
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(input, meta.clone())
        .with_row_groups(vec![rg])
        .with_projection(ProjectionMask::roots(meta.parquet_schema(), [field]))
        .with_batch_size(BATCH_ROWS)
        .with_limit(r.row_limit())
        .build()
        .map_err(|e| damaged(r, &e))?;
    for batch in reader {
        let batch = batch.map_err(|e| damaged(r, &e))?;
        r.push_column(rg, k, batch.column(0).as_ref())?;
    }
    Ok(())
}

//! Arrow IPC: the file format (Feather v2) and the stream format, read
//! batch by batch with only the usable columns projected.

use super::{Columnar, Reading};
use crate::error::{Error, Result};
use arrow_ipc::reader::{FileReader, StreamReader};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

pub(super) fn read(path: &Path, format: Columnar, r: &mut Reading) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
    let name = r.name.to_string();
    let opened = |e: &dyn std::fmt::Display| {
        Error::data(format!(
            "{name}: the {} file is damaged or cut off and cannot be read ({}); copy it again",
            format.label(),
            crate::pipeline::excerpt::excerpt(&e.to_string(), 300)
        ))
    };
    match format {
        Columnar::ArrowFile => {
            // The footer gives the schema; a first pass without projection
            // decides which columns to read.
            let probe = FileReader::try_new(BufReader::new(&file), None).map_err(|e| opened(&e))?;
            let schema = probe.schema();
            let batches = probe.num_batches();
            drop(probe);
            let keep = r.start(&schema, 0)?;
            let reader =
                FileReader::try_new(BufReader::new(&file), Some(keep)).map_err(|e| opened(&e))?;
            for (part, batch) in reader.enumerate() {
                if r.preview_done() {
                    break;
                }
                let batch = batch.map_err(|e| r.damaged(part, None, e))?;
                r.push_batch(part, &batch)?;
                r.report((part + 1) as f64 / batches.max(1) as f64);
            }
        }
        _ => {
            let probe =
                StreamReader::try_new(BufReader::new(&file), None).map_err(|e| opened(&e))?;
            let schema = probe.schema();
            drop(probe);
            let keep = r.start(&schema, 0)?;
            let again = File::open(path).map_err(|e| Error::io_path("opening", path, e))?;
            let reader =
                StreamReader::try_new(BufReader::new(again), Some(keep)).map_err(|e| opened(&e))?;
            for (part, batch) in reader.enumerate() {
                if r.preview_done() {
                    break;
                }
                let batch = batch.map_err(|e| r.damaged(part, None, e))?;
                r.push_batch(part, &batch)?;
                r.report(0.5);
            }
        }
    }
    Ok(())
}

//! Workbooks (xlsx, xlsm, xlsb, xls, ods) through calamine.

use super::LoadOptions;
use crate::error::{Error, Result};
use crate::pipeline::progress::Progress;
use crate::pipeline::table::Table;
use std::path::Path;

pub fn load_workbook(path: &Path, _opts: &LoadOptions, _progress: &dyn Progress) -> Result<Table> {
    Err(Error::data(format!(
        "{}: workbooks are not supported yet",
        path.display()
    )))
}

//! The OLE2 compound file ([MS-CFB]) that holds an `.xls` workbook, read the
//! way calamine reads it but with every chain checked: sector numbers inside
//! the file, no sector visited twice (a chain that loops made calamine grow
//! without end), every FAT and mini FAT lookup in range, no FAT sector listed
//! twice. [`Compound::parse`] does all that `calamine::Cfb::new` does;
//! [`Compound::stream`] what its `get_stream` does.

use super::Refusal;

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Sector numbers from here up are markers, not sectors.
const MAXREGSECT: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const HEADER_BYTES: usize = 512;
const DIFAT_IN_HEADER: std::ops::Range<usize> = 76..512;
const DIR_ENTRY_BYTES: usize = 128;
const MINI_SECTOR_BYTES: usize = 64;
/// calamine reads streams shorter than this from the mini stream, whatever
/// the header's cutoff field says (it is 4096 in every valid file).
const MINI_STREAM_CUTOFF: u64 = 4096;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from(u32_at(b, at)) | (u64::from(u32_at(b, at + 4)) << 32)
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32_at(c, 0))
}

fn damaged(msg: String) -> Refusal {
    Refusal::Damaged(format!("its compound-file structure is broken: {msg}"))
}

/// One directory entry: a stream or storage of the compound file.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    start: u32,
    size: u64,
}

/// A checked compound file over its bytes.
pub struct Compound<'a> {
    bytes: &'a [u8],
    sector_bytes: usize,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
    entries: Vec<Entry>,
}

/// Where a chain's sectors live.
#[derive(Clone, Copy)]
enum Space {
    Regular,
    Mini,
}

impl<'a> Compound<'a> {
    /// Checks the header, DIFAT, FAT, directory, mini FAT and mini stream.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Refusal> {
        if bytes.len() < HEADER_BYTES || bytes[..8] != SIGNATURE {
            return Err(damaged("the file is shorter than its header".into()));
        }
        let sector_bytes = match u16_at(bytes, 30) {
            9 => 512,
            12 if bytes.len() >= 4096 => 4096,
            12 => {
                return Err(damaged(
                    "the file is shorter than one 4096-byte sector".into(),
                ));
            }
            s => return Err(damaged(format!("sector shift {s} is neither 9 nor 12"))),
        };
        if u16_at(bytes, 32) != 6 {
            return Err(damaged("the mini sector shift is not 6".into()));
        }
        let mut cfb = Compound {
            bytes,
            sector_bytes,
            fat: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
            entries: Vec::new(),
        };
        let difat = cfb.difat()?;
        cfb.fat = cfb.fat_from(&difat)?;
        cfb.entries = cfb.directory(u32_at(bytes, 48))?;
        if cfb.entries.is_empty() {
            return Err(damaged("the directory is empty".into()));
        }
        let version = u16_at(bytes, 26);
        if version != 3 && cfb.entries[0].start == ENDOFCHAIN {
            return Err(damaged("the root directory entry has no data".into()));
        }
        let mini_fat_sectors = u64::from(u32_at(bytes, 64));
        if mini_fat_sectors > 0 {
            let root = cfb.entries[0].clone();
            cfb.mini_stream =
                cfb.read_chain(root.start, Space::Regular, Some(root.size), "mini stream")?;
            let limit = mini_fat_sectors.saturating_mul(sector_bytes as u64);
            let table =
                cfb.read_chain(u32_at(bytes, 60), Space::Regular, Some(limit), "mini FAT")?;
            cfb.mini_fat = u32s(&table).collect();
        }
        Ok(cfb)
    }

    /// Sectors after the header (the last may be cut short).
    fn sector_count(&self) -> usize {
        (self.bytes.len() - self.sector_bytes).div_ceil(self.sector_bytes)
    }

    /// The bytes of a regular sector, which must start inside the file.
    fn sector(&self, id: u32, what: &str) -> Result<&'a [u8], Refusal> {
        if (id as usize) >= self.sector_count() {
            return Err(damaged(format!(
                "the {what} refers to sector {id}, beyond the end of the file"
            )));
        }
        let start = (id as usize + 1) * self.sector_bytes;
        let end = (start + self.sector_bytes).min(self.bytes.len());
        Ok(&self.bytes[start..end])
    }

    /// The header's 109 DIFAT entries, then the DIFAT sector chain's.
    fn difat(&self) -> Result<Vec<u32>, Refusal> {
        let mut difat: Vec<u32> = u32s(&self.bytes[DIFAT_IN_HEADER]).collect();
        let mut seen = vec![false; self.sector_count()];
        let mut id = u32_at(self.bytes, 68);
        while id < MAXREGSECT {
            let sector = self.sector(id, "DIFAT chain")?;
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(damaged(format!(
                    "the DIFAT chain loops back to sector {id}"
                )));
            }
            difat.extend(u32s(sector));
            // The last entry of a DIFAT sector is the next DIFAT sector.
            id = difat.pop().unwrap_or(ENDOFCHAIN);
        }
        Ok(difat)
    }

    /// The FAT: the sectors the DIFAT lists, each at most once.
    fn fat_from(&self, difat: &[u32]) -> Result<Vec<u32>, Refusal> {
        let mut seen = vec![false; self.sector_count()];
        let mut fat = Vec::new();
        for &id in difat.iter().filter(|&&id| id < DIFSECT) {
            let sector = self.sector(id, "DIFAT")?;
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(damaged(format!("the DIFAT lists FAT sector {id} twice")));
            }
            fat.extend(u32s(sector));
        }
        Ok(fat)
    }

    fn directory(&self, start: u32) -> Result<Vec<Entry>, Refusal> {
        let bytes = self.read_chain(start, Space::Regular, None, "directory")?;
        Ok(bytes
            .chunks_exact(DIR_ENTRY_BYTES)
            .map(|e| Entry {
                name: entry_name(e),
                start: u32_at(e, 116),
                size: if self.sector_bytes == 512 {
                    u64::from(u32_at(e, 120))
                } else {
                    u64_at(e, 120)
                },
            })
            .collect())
    }

    /// The bytes of the chain from `start` (at most `limit` of them), as
    /// calamine's `get_chain` collects them, refusing loops and sectors or
    /// table entries out of range.
    fn read_chain(
        &self,
        start: u32,
        space: Space,
        limit: Option<u64>,
        what: &str,
    ) -> Result<Vec<u8>, Refusal> {
        let (table, units) = match space {
            Space::Regular => (&self.fat, self.sector_count()),
            Space::Mini => (&self.mini_fat, self.mini_stream.len() / MINI_SECTOR_BYTES),
        };
        let limit = limit.unwrap_or(u64::MAX);
        let mut seen = vec![false; units];
        let mut out = Vec::new();
        let mut id = start;
        while id != ENDOFCHAIN {
            let data = match space {
                Space::Regular => self.sector(id, what)?,
                Space::Mini if (id as usize) < units => {
                    let at = id as usize * MINI_SECTOR_BYTES;
                    &self.mini_stream[at..at + MINI_SECTOR_BYTES]
                }
                Space::Mini => {
                    return Err(damaged(format!(
                        "the {what} refers to mini sector {id}, beyond the mini stream"
                    )));
                }
            };
            if std::mem::replace(&mut seen[id as usize], true) {
                return Err(damaged(format!(
                    "the {what} chain loops back to sector {id}"
                )));
            }
            let room = usize::try_from(limit - out.len() as u64).unwrap_or(usize::MAX);
            out.extend_from_slice(&data[..data.len().min(room)]);
            if out.len() as u64 >= limit {
                break;
            }
            id = *table.get(id as usize).ok_or_else(|| {
                damaged(format!(
                    "the {what} chain runs past the end of its allocation table at sector {id}"
                ))
            })?;
        }
        Ok(out)
    }

    /// Whether a stream or storage of this name (any case) exists.
    pub fn has(&self, name: &str) -> bool {
        self.entries
            .iter()
            .any(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// The named stream's bytes (first entry of that name, any case), as
    /// calamine reads it; `None` when there is no such entry.
    pub fn stream(&self, name: &str) -> Result<Option<Vec<u8>>, Refusal> {
        let Some(entry) = self
            .entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
        else {
            return Ok(None);
        };
        let space = if entry.size < MINI_STREAM_CUTOFF {
            Space::Mini
        } else {
            Space::Regular
        };
        let what = format!("'{name}' stream");
        self.read_chain(entry.start, space, Some(entry.size), &what)
            .map(Some)
    }

    /// The workbook stream: `Workbook`, else `Book`. A `Workbook` entry
    /// whose chain is broken is refused, not passed over for `Book`:
    /// calamine tries `Workbook` first and follows a looping chain until it
    /// has the entry's declared size (4 GB, or without end with 4096-byte
    /// sectors), so only a file whose `Workbook` is sound may go on.
    pub fn workbook_stream(&self) -> Result<Option<Vec<u8>>, Refusal> {
        if self.has("Workbook") {
            return self.stream("Workbook");
        }
        self.stream("Book")
    }
}

/// A directory entry's UTF-16 name, up to its first NUL.
fn entry_name(entry: &[u8]) -> String {
    let units: Vec<u16> = entry[..64]
        .chunks_exact(2)
        .map(|c| u16_at(c, 0))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal valid compound file with 512-byte sectors: sector 0 the FAT,
    /// sector 1 the directory, sectors 2.. one regular stream "Workbook"
    /// of `stream_sectors` sectors.
    pub(crate) fn tiny(stream_sectors: u32) -> Vec<u8> {
        let total = 2 + stream_sectors;
        let mut f = vec![0u8; 512 * (1 + total as usize)];
        f[..8].copy_from_slice(&SIGNATURE);
        f[24..26].copy_from_slice(&0x3Eu16.to_le_bytes());
        f[26..28].copy_from_slice(&3u16.to_le_bytes());
        f[28..30].copy_from_slice(&0xFFFEu16.to_le_bytes());
        f[30..32].copy_from_slice(&9u16.to_le_bytes());
        f[32..34].copy_from_slice(&6u16.to_le_bytes());
        f[44..48].copy_from_slice(&1u32.to_le_bytes()); // FAT sectors
        f[48..52].copy_from_slice(&1u32.to_le_bytes()); // directory start
        f[56..60].copy_from_slice(&4096u32.to_le_bytes());
        f[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        f[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for i in 0..109 {
            let v: u32 = if i == 0 { 0 } else { 0xFFFF_FFFF };
            f[76 + 4 * i..80 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        let fat_at = 512;
        let mut fat = vec![0xFFFF_FFFFu32; 128];
        fat[0] = 0xFFFF_FFFD;
        fat[1] = ENDOFCHAIN;
        for s in 0..stream_sectors {
            fat[2 + s as usize] = if s + 1 == stream_sectors {
                ENDOFCHAIN
            } else {
                3 + s
            };
        }
        for (i, v) in fat.iter().enumerate() {
            f[fat_at + 4 * i..fat_at + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        let dir_at = 1024;
        let mut put_entry = |slot: usize, name: &str, typ: u8, start: u32, size: u32| {
            let e = dir_at + slot * 128;
            for (i, u) in name.encode_utf16().enumerate() {
                f[e + 2 * i..e + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
            }
            let name_len = 2 * (name.encode_utf16().count() as u16 + 1);
            f[e + 64..e + 66].copy_from_slice(&name_len.to_le_bytes());
            f[e + 66] = typ;
            f[e + 116..e + 120].copy_from_slice(&start.to_le_bytes());
            f[e + 120..e + 124].copy_from_slice(&size.to_le_bytes());
        };
        put_entry(0, "Root Entry", 5, ENDOFCHAIN, 0);
        put_entry(1, "Workbook", 2, 2, 512 * stream_sectors);
        for s in 0..stream_sectors as usize {
            let at = 512 * (3 + s);
            f[at..at + 512].fill(s as u8 + 1);
        }
        f
    }

    fn set_fat(f: &mut [u8], sector: usize, next: u32) {
        f[512 + 4 * sector..512 + 4 * sector + 4].copy_from_slice(&next.to_le_bytes());
    }

    #[test]
    fn a_valid_file_gives_its_stream() {
        let f = tiny(9);
        let cfb = Compound::parse(&f).unwrap();
        assert!(cfb.has("workbook"));
        let s = cfb.workbook_stream().unwrap().unwrap();
        assert_eq!(s.len(), 512 * 9);
        assert_eq!(s[0], 1);
        assert_eq!(s[512 * 9 - 1], 9);
    }

    #[test]
    fn a_directory_chain_pointing_to_itself_is_refused() {
        let mut f = tiny(9);
        set_fat(&mut f, 1, 1);
        let Err(Refusal::Damaged(msg)) = Compound::parse(&f) else {
            panic!("a looping directory must be refused");
        };
        assert!(
            msg.contains("directory chain loops back to sector 1"),
            "{msg}"
        );
    }

    #[test]
    fn a_stream_chain_that_loops_or_leaves_the_file_is_refused() {
        let mut f = tiny(9);
        set_fat(&mut f, 6, 3);
        let cfb = Compound::parse(&f).unwrap();
        let Err(Refusal::Damaged(msg)) = cfb.workbook_stream() else {
            panic!("a looping stream must be refused");
        };
        assert!(msg.contains("loops back to sector 3"), "{msg}");
        set_fat(&mut f, 6, 5000);
        let cfb = Compound::parse(&f).unwrap();
        let Err(Refusal::Damaged(msg)) = cfb.workbook_stream() else {
            panic!("a stream leaving the file must be refused");
        };
        assert!(
            msg.contains("sector 5000, beyond the end of the file"),
            "{msg}"
        );
        // A chain into a sector the FAT does not cover.
        set_fat(&mut f, 6, 200);
        let mut long = f.clone();
        long.resize(512 * 300, 0);
        let cfb = Compound::parse(&long).unwrap();
        assert!(matches!(cfb.workbook_stream(), Err(Refusal::Damaged(_))));
    }

    #[test]
    fn a_looping_workbook_stream_is_refused_even_beside_a_sound_book_stream() {
        let mut f = tiny(9);
        // A second entry "Book" over the same (sound) sectors; then the
        // Workbook entry moved to a sector that points to itself.
        let book = 1024 + 2 * 128;
        for (i, u) in "Book".encode_utf16().enumerate() {
            f[book + 2 * i..book + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
        f[book + 66] = 2;
        f[book + 116..book + 120].copy_from_slice(&2u32.to_le_bytes());
        f[book + 120..book + 124].copy_from_slice(&(512u32 * 9).to_le_bytes());
        assert_eq!(
            Compound::parse(&f)
                .unwrap()
                .workbook_stream()
                .unwrap()
                .unwrap()
                .len(),
            512 * 9
        );
        // One more sector, 11, whose FAT entry points to itself.
        f.resize(512 * 13, 0);
        set_fat(&mut f, 11, 11);
        let workbook = 1024 + 128;
        f[workbook + 116..workbook + 120].copy_from_slice(&11u32.to_le_bytes());
        f[workbook + 120..workbook + 124].copy_from_slice(&0xFFFF_FF00u32.to_le_bytes());
        let cfb = Compound::parse(&f).unwrap();
        let Err(Refusal::Damaged(msg)) = cfb.workbook_stream() else {
            panic!("a looping Workbook stream must be refused whatever Book holds");
        };
        assert!(msg.contains("'Workbook' stream chain loops"), "{msg}");
    }

    #[test]
    fn a_fat_sector_listed_twice_or_a_looping_difat_is_refused() {
        let mut f = tiny(3);
        f[80..84].copy_from_slice(&0u32.to_le_bytes());
        assert!(matches!(Compound::parse(&f), Err(Refusal::Damaged(m)) if m.contains("twice")));
        let mut f = tiny(3);
        // DIFAT chain: sector 2 whose last entry points to sector 2.
        f[68..72].copy_from_slice(&2u32.to_le_bytes());
        f[3 * 512 - 4 + 512..3 * 512 + 512].copy_from_slice(&2u32.to_le_bytes());
        assert!(
            matches!(Compound::parse(&f), Err(Refusal::Damaged(m)) if m.contains("DIFAT chain loops"))
        );
    }

    #[test]
    fn every_truncation_and_byte_flip_of_the_header_area_is_handled() {
        let f = tiny(9);
        for cut in 0..f.len() {
            let _ = Compound::parse(&f[..cut]).map(|c| c.workbook_stream());
        }
        for at in 0..1536 {
            for v in [0u8, 1, 0x7F, 0xFF] {
                let mut g = f.clone();
                g[at] = v;
                let _ = Compound::parse(&g).map(|c| c.workbook_stream());
            }
        }
    }
}

//! Bulk import and export of NDJSON (one record a line with its `"type"`). Import creates or
//! replaces records, reports each bad line with its number and reason, and keeps the good ones.

use std::collections::{HashMap, HashSet};
use std::io;

use serde::Serialize;

use super::service::{log, now, record_name, set_id};
use super::{Directory, DirectoryError};
use crate::ingest::formats::Meta;
use crate::model::{Action, Problem, Record, RecordKind, decode_record_line, slug_from_name};
use crate::search::SearchRequest;
use crate::store::Write;

/// Lines validated and written per atomic batch.
const BATCH_LINES: usize = 2_000;
/// Bad lines listed in a report; the rest are only counted.
const MAX_REPORTED: usize = 1_000;

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    pub failed: usize,
    /// The first bad lines, in order.
    pub errors: Vec<LineError>,
    /// The change-log sequence number of the last write, to wait for it in search.
    #[serde(skip)]
    pub last_seq: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LineError {
    pub line: usize,
    pub message: String,
    pub problems: Vec<Problem>,
}

impl Directory {
    /// Imports NDJSON lines. `progress` is called after each batch with the lines read so far.
    /// An I/O error while reading ends the import with that error; batches already written stay.
    pub fn import(
        &self,
        lines: impl Iterator<Item = io::Result<String>>,
        progress: &mut dyn FnMut(usize),
    ) -> Result<ImportReport, DirectoryError> {
        let mut report = ImportReport {
            last_seq: self.store().last_seq(),
            ..ImportReport::default()
        };
        let mut batch: Vec<(usize, String)> = Vec::with_capacity(BATCH_LINES);
        let mut line_number = 0;
        // Ends the bulk import however this returns, a panic included: while one runs, the
        // indexer waits for whole batches.
        let mut bulk: Option<BulkImport<'_>> = None;
        let result = (|| {
            for line in lines {
                line_number += 1;
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                batch.push((line_number, line));
                if batch.len() == BATCH_LINES {
                    // More than a batch: a bulk import.
                    if bulk.is_none() {
                        self.begin_bulk();
                        bulk = Some(BulkImport {
                            directory: self,
                            last_seq: report.last_seq,
                        });
                    }
                    self.import_batch(std::mem::take(&mut batch), &mut report)?;
                    if let Some(bulk) = &mut bulk {
                        bulk.last_seq = report.last_seq;
                    }
                    progress(line_number);
                }
            }
            self.import_batch(std::mem::take(&mut batch), &mut report)?;
            if let Some(bulk) = &mut bulk {
                bulk.last_seq = report.last_seq;
                // Everything is written: a failure here costs the next start some time, not
                // the import its result.
                if let Err(error) = self.store().start_flush() {
                    tracing::warn!(%error, "could not start flushing the database");
                }
            }
            progress(line_number);
            Ok(())
        })();
        drop(bulk);
        result.map(|()| report)
    }

    fn import_batch(
        &self,
        lines: Vec<(usize, String)>,
        report: &mut ImportReport,
    ) -> Result<(), DirectoryError> {
        if lines.is_empty() {
            return Ok(());
        }
        let _guard = self.lock_writes();
        let mut writes = Vec::with_capacity(2 * lines.len());
        // Ids written earlier in this batch, per kind, so later lines can refer to them.
        let mut organisations = HashSet::with_capacity(lines.len());
        let mut networks = HashSet::new();
        // Where in `writes` the record each id has after this batch so far is: what the next
        // line with that id replaces. (An index, not a copy: the records of a batch, copied
        // into a growing map, cost an import more than a tenth of its importing thread.)
        let mut written: HashMap<(RecordKind, String), usize> = HashMap::with_capacity(lines.len());
        let now = now();
        for (line, text) in lines {
            if is_meta_line(&text) {
                continue;
            }
            let record = decode_record_line(&text)
                .and_then(|record| self.prepare(record, &organisations))
                .map_err(|p| p.0);
            let mut record = match record {
                Ok(record) => record,
                Err(problems) => {
                    report.failed += 1;
                    if report.errors.len() < MAX_REPORTED {
                        let message = problems
                            .iter()
                            .map(|p| {
                                if p.field.is_empty() {
                                    p.message.clone()
                                } else {
                                    format!("{}: {}", p.field, p.message)
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("; ");
                        report.errors.push(LineError {
                            line,
                            message,
                            problems,
                        });
                    }
                    continue;
                }
            };
            let kind = record.kind();
            let taken = match kind {
                RecordKind::Organisation => &mut organisations,
                RecordKind::Network => &mut networks,
            };
            if record.id().is_empty() {
                let id = self.free_id(kind, &slug_from_name(record_name(&record)), taken)?;
                set_id(&mut record, id);
            }
            // The previous version: written earlier in this batch, or stored.
            let key = (kind, record.id().to_owned());
            let earlier = written.get(&key).and_then(|&at| match &writes[at] {
                Write::Put(previous) | Write::Create(previous) => Some((**previous).clone()),
                _ => None,
            });
            let previous = match earlier {
                Some(previous) => Some(previous),
                None => self.store().get(kind, record.id())?,
            };
            let (version, created_at) = match &previous {
                Some(old) => (
                    old.version() + 1,
                    old.created_at().unwrap_or(&now).to_owned(),
                ),
                None => (
                    self.first_version(kind, record.id())?,
                    record.created_at().unwrap_or(&now).to_owned(),
                ),
            };
            record.stamp(version, created_at, now.clone());
            taken.insert(record.id().to_owned());
            writes.push(log(
                "import",
                Action::Imported,
                previous.as_ref(),
                Some(&record),
            ));
            written.insert(key, writes.len());
            writes.push(if previous.is_some() {
                Write::Put(Box::new(record))
            } else {
                Write::Create(Box::new(record))
            });
            report.imported += 1;
        }
        if !writes.is_empty() {
            report.last_seq = self.apply(writes)?;
        }
        Ok(())
    }

    /// Writes every record as NDJSON, organisations first so that the file imports as it is;
    /// with `private` false, as anyone may see them (no private contact persons).
    /// The records an export holds: every record (organisations first), or those a search
    /// selects; private fields only when `private`.
    pub fn export_records(
        &self,
        filter: Option<&SearchRequest>,
        private: bool,
    ) -> Result<Vec<Record>, DirectoryError> {
        let view = |record: Record| {
            if private {
                record
            } else {
                record.public_view()
            }
        };
        let mut out = Vec::new();
        match filter {
            None => {
                for kind in [RecordKind::Organisation, RecordKind::Network] {
                    for record in self.store().records(kind) {
                        out.push(view(record?));
                    }
                }
            }
            Some(filter) => {
                let mut request = filter.clone();
                request.offset = 0;
                request.facets.clear();
                request.highlight = false;
                request.limit = 1;
                request.limit = self.search(&request)?.total.max(1);
                let hits = self.search(&request)?.hits;
                for kind in [RecordKind::Organisation, RecordKind::Network] {
                    for hit in hits.iter().filter(|h| h.kind == kind) {
                        if let Some(record) = self.store().get(kind, &hit.id)? {
                            out.push(view(record));
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Every record as NDJSON, after a first line stating the licence and date.
    pub fn export(&self, out: &mut dyn io::Write, private: bool) -> Result<usize, DirectoryError> {
        let meta = Meta {
            generated_at: now(),
        };
        out.write_all(meta.ndjson_line().as_bytes())?;
        out.write_all(b"\n")?;
        let mut count = 0;
        for kind in [RecordKind::Organisation, RecordKind::Network] {
            for record in self.store().records(kind) {
                let record: Record = record?;
                let record = if private {
                    record
                } else {
                    record.public_view()
                };
                serde_json::to_writer(&mut *out, &record.to_tagged_json())
                    .map_err(io::Error::from)?;
                out.write_all(b"\n")?;
                count += 1;
            }
        }
        out.flush()?;
        Ok(count)
    }
}

/// A bulk import under way, ended when dropped, with the change-log sequence number of its last
/// write.
struct BulkImport<'a> {
    directory: &'a Directory,
    last_seq: u64,
}

impl Drop for BulkImport<'_> {
    fn drop(&mut self) {
        self.directory.end_bulk(self.last_seq);
    }
}

/// The first line of an NDJSON export says what it is (licence, date): not a record.
fn is_meta_line(text: &str) -> bool {
    text.contains("\"meta\"")
        && serde_json::from_str::<serde_json::Value>(text)
            .is_ok_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("meta"))
}

//! `rrjeti export` in the open-data formats, optionally of the records a search selects. CSV
//! goes to a directory: both tables and a data package stating the licence and date.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use rrjeti::api::parse_search_query;
use rrjeti::directory::now;
use rrjeti::ingest::formats::{self, Format, Meta, Table};
use rrjeti::model::{Record, RecordKind};

pub fn run(
    data_dir: &Path,
    format: Format,
    output: Option<&Path>,
    filter: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let filter = filter
        .map(|query| parse_search_query(query).map_err(|e| anyhow::anyhow!("--filter: {e}")))
        .transpose()?;
    let directory = super::open(data_dir)?;
    // The data directory's owner sees everything.
    let records = directory.export_records(filter.as_ref(), true)?;
    let meta = Meta {
        generated_at: now(),
    };
    let name_of = |id: &str| match directory.get(RecordKind::Organisation, id) {
        Ok(Record::Organisation(o)) => Some(o.name),
        _ => None,
    };
    if format == Format::Csv {
        let dir = output.context("csv needs -o DIR: it writes two tables and a data package")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        for (table, file) in [
            (Table::Organisations, "organisations.csv"),
            (Table::Memberships, "memberships.csv"),
        ] {
            let text = formats::render(format, table, &records, &meta, name_of)?;
            std::fs::write(dir.join(file), text)?;
        }
        let package = serde_json::to_string_pretty(&formats::data_package(&meta))?;
        std::fs::write(dir.join("datapackage.json"), package)?;
    } else {
        let text = formats::render(format, Table::Organisations, &records, &meta, name_of)?;
        match output {
            Some(path) => std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?,
            None => print!("{text}"),
        }
    }
    eprintln!("exported {} records as {}", records.len(), format.name());
    Ok(ExitCode::SUCCESS)
}

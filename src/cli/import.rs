//! `rrjeti import`: NDJSON (or CSV, GeoJSON, Popolo, HSDS, converted to NDJSON) into the data
//! directory (with a progress bar on a terminal), or streamed to a running server's
//! `POST /api/v1/import`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rrjeti::ingest::formats::{self, Format};

/// A file in another format as NDJSON lines: for csv, `file` is a directory holding
/// organisations.csv (and memberships.csv) or the organisations table itself.
pub fn converted(file: &str, format: Format) -> anyhow::Result<Vec<String>> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let path = Path::new(file);
    let (main, memberships) = if format == Format::Csv && path.is_dir() {
        let memberships = path.join("memberships.csv");
        (
            read(&path.join("organisations.csv"))?,
            memberships
                .exists()
                .then(|| read(&memberships))
                .transpose()?,
        )
    } else if file == "-" {
        (std::io::read_to_string(std::io::stdin())?, None)
    } else {
        (read(path)?, None)
    };
    formats::read(format, &main, memberships.as_deref())
        .with_context(|| format!("{file} is not valid {}", format.name()))
}

pub fn to_directory(data_dir: &Path, file: &str, format: Format) -> anyhow::Result<ExitCode> {
    if format != Format::Ndjson {
        let lines = converted(file, format)?;
        let directory = super::open(data_dir)?;
        let report = directory.import(lines.into_iter().map(Ok), &mut |_| {})?;
        return Ok(print_report(
            report.imported,
            report.failed,
            report.errors.iter().map(|e| (e.line, e.message.as_str())),
        ));
    }
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            File::open(file).with_context(|| format!("cannot open {file}"))?,
        ))
    };
    let directory = super::open(data_dir)?;
    let progress = ProgressBar::new_spinner();
    progress.set_style(ProgressStyle::with_template(
        "{spinner} {pos} lines read, {per_sec} {elapsed}",
    )?);
    let report = directory.import(reader.lines(), &mut |lines| {
        progress.set_position(lines as u64)
    })?;
    progress.finish_and_clear();
    Ok(print_report(
        report.imported,
        report.failed,
        report.errors.iter().map(|e| (e.line, e.message.as_str())),
    ))
}

pub fn to_server(
    file: &str,
    server: &str,
    token: Option<&str>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let url = format!("{}/api/v1/import", server.trim_end_matches('/'));
    let converted = (format != Format::Ndjson)
        .then(|| converted(file, format))
        .transpose()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let report: serde_json::Value = runtime.block_on(async {
        let body = if let Some(lines) = converted {
            reqwest::Body::from(lines.join("\n"))
        } else if file == "-" {
            reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(tokio::io::stdin()))
        } else {
            let file = tokio::fs::File::open(file)
                .await
                .with_context(|| format!("cannot open {file}"))?;
            reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file))
        };
        let mut request = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/x-ndjson")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach {url}"))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .context("the server's answer is not JSON")?;
        if !status.is_success() {
            bail!(
                "{status}: {}",
                body["error"]["message"].as_str().unwrap_or("no message")
            );
        }
        Ok::<_, anyhow::Error>(body)
    })?;
    let parsed: ImportReportView =
        serde_json::from_value(report).context("unexpected import report")?;
    Ok(print_report(
        parsed.imported,
        parsed.failed,
        parsed.errors.iter().map(|e| (e.line, e.message.as_str())),
    ))
}

#[derive(serde::Deserialize)]
struct ImportReportView {
    imported: usize,
    failed: usize,
    errors: Vec<LineView>,
}

#[derive(serde::Deserialize)]
struct LineView {
    line: usize,
    message: String,
}

/// Prints each bad line to standard error and the totals; exits 1 when any line failed, so a
/// script notices a partial import.
fn print_report<'a>(
    imported: usize,
    failed: usize,
    errors: impl Iterator<Item = (usize, &'a str)>,
) -> ExitCode {
    for (line, message) in errors {
        eprintln!("line {line}: {message}");
    }
    eprintln!("imported {imported}, failed {failed}");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! Command-line interface: one function per subcommand, each a thin translation to the library.

mod export;
mod import;
mod serve;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use rrjeti::api::Limits;
use rrjeti::directory::{Directory, Options};
use rrjeti::ingest::demo;
use rrjeti::ingest::formats::Format;
use rrjeti::model::{Role, Scope};

#[derive(Parser)]
#[command(
    name = "rrjeti",
    version,
    about = "A directory of civil-society organisations, networks and coalitions"
)]
pub struct Cli {
    /// Where the database and the search index live.
    #[arg(long, global = true, env = "RRJETI_DATA_DIR", default_value = "./var")]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (an empty data directory first gets the demo dataset).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// The token that allows writes; without one, writes answer 403.
        #[arg(long, env = "RRJETI_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Start empty instead of loading the demo dataset into an empty data directory.
        #[arg(long)]
        no_demo: bool,
        /// Reads (search, suggest, records) per client per minute; 0 for no limit.
        #[arg(long, env = "RRJETI_READS_PER_MINUTE", default_value_t = 3_000)]
        reads_per_minute: u32,
        /// Writes per client (token, or address without one) per minute; 0 for no limit.
        #[arg(long, env = "RRJETI_WRITES_PER_MINUTE", default_value_t = 600)]
        writes_per_minute: u32,
        /// Requests handled at once; more are answered 503.
        #[arg(long, default_value_t = 512)]
        max_in_flight: usize,
        /// Seconds a request may take (import and export excepted).
        #[arg(long, default_value_t = 30)]
        request_timeout: u64,
        /// Behind a reverse proxy that sets X-Forwarded-For: rate-limit by the address it
        /// gives rather than the proxy's.
        #[arg(long)]
        trust_forwarded_for: bool,
    },
    /// Import NDJSON records (one a line, each with "type"), from a file or - for standard input.
    Import {
        file: String,
        /// The file's format; for csv, FILE may be a directory with organisations.csv and
        /// memberships.csv.
        #[arg(long, value_enum, default_value = "ndjson")]
        format: ExportFormat,
        /// Send to a running server instead of opening the data directory.
        #[arg(long)]
        server: Option<String>,
        /// Admin token for --server.
        #[arg(long, env = "RRJETI_ADMIN_TOKEN", hide_env_values = true)]
        token: Option<String>,
    },
    /// Export every record, or those a search selects, in an open-data format.
    Export {
        #[arg(long, value_enum, default_value = "ndjson")]
        format: ExportFormat,
        /// Write to this file instead of standard output; for csv, a directory that gets
        /// organisations.csv, memberships.csv and datapackage.json.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Only the records this search selects, as a query string
        /// ("county=Shkodër&thematic_area=environment").
        #[arg(long)]
        filter: Option<String>,
    },
    /// Rebuild the search index from the database.
    Reindex,
    /// Copy the database consistently into DIR (new or empty), also while a server runs.
    Backup { dir: PathBuf },
    /// Restore a backup from DIR into the data directory (which must hold no database) and
    /// rebuild the search index.
    Restore { dir: PathBuf },
    /// Make, list and revoke API tokens (with the server stopped).
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Write generated, fictional demo records as NDJSON.
    DemoData {
        #[arg(long, default_value_t = demo::DEMO_ORGANISATIONS)]
        organisations: usize,
        #[arg(long, default_value_t = demo::DEMO_NETWORKS)]
        networks: usize,
        #[arg(long, default_value_t = demo::DEMO_SEED)]
        seed: u64,
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Make a token and print it once (it is stored only as a digest).
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The organisation an editor token may change.
        #[arg(long, conflicts_with = "network")]
        organisation: Option<String>,
        /// The network an editor token may change (with its member list).
        #[arg(long)]
        network: Option<String>,
        #[arg(long)]
        label: Option<String>,
        /// The token stops working after this many days.
        #[arg(long)]
        expires_in_days: Option<u64>,
    },
    /// List the tokens (never their secrets).
    List,
    /// Revoke a token by id; it stops working at once.
    Revoke { id: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Editor,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Ndjson,
    Csv,
    Geojson,
    Popolo,
    Hsds,
}

impl ExportFormat {
    fn format(self) -> Format {
        match self {
            ExportFormat::Ndjson => Format::Ndjson,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Geojson => Format::GeoJson,
            ExportFormat::Popolo => Format::Popolo,
            ExportFormat::Hsds => Format::Hsds,
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            addr,
            admin_token,
            no_demo,
            reads_per_minute,
            writes_per_minute,
            max_in_flight,
            request_timeout,
            trust_forwarded_for,
        } => {
            let limits = Limits {
                reads_per_minute: Some(reads_per_minute).filter(|n| *n > 0),
                writes_per_minute: Some(writes_per_minute).filter(|n| *n > 0),
                max_in_flight,
                timeout: std::time::Duration::from_secs(request_timeout.max(1)),
                trust_forwarded_for,
            };
            serve::serve(&cli.data_dir, addr, admin_token, !no_demo, limits)
        }
        Command::Import {
            file,
            format,
            server: Some(server),
            token,
        } => import::to_server(&file, &server, token.as_deref(), format.format()),
        Command::Import {
            file,
            format,
            server: None,
            ..
        } => import::to_directory(&cli.data_dir, &file, format.format()),
        Command::Export {
            format: ExportFormat::Ndjson,
            output,
            filter: None,
        } => {
            let directory = open(&cli.data_dir)?;
            let mut out = output_writer(output.as_deref())?;
            // The data directory's owner sees everything.
            let count = directory.export(&mut out, true)?;
            tracing::info!(records = count, "exported");
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            format,
            output,
            filter,
        } => export::run(
            &cli.data_dir,
            format.format(),
            output.as_deref(),
            filter.as_deref(),
        ),
        Command::Reindex => {
            let count = Directory::reindex(
                &cli.data_dir,
                Options {
                    writer_threads: 2,
                    ..Options::default()
                },
            )
            .context(locked_hint(&cli.data_dir))?;
            eprintln!("reindexed {count} records");
            Ok(ExitCode::SUCCESS)
        }
        Command::Token { action } => token(&cli.data_dir, action),
        Command::Backup { dir } => {
            let entries = Directory::backup(&cli.data_dir, &dir).with_context(|| {
                format!(
                    "backing up {} into {}",
                    cli.data_dir.display(),
                    dir.display()
                )
            })?;
            eprintln!(
                "backed up {entries} database entries into {}",
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { dir } => {
            let count = Directory::restore(
                &dir,
                &cli.data_dir,
                Options {
                    writer_threads: 2,
                    ..Options::default()
                },
            )
            .with_context(|| {
                format!(
                    "restoring {} into {}",
                    dir.display(),
                    cli.data_dir.display()
                )
            })?;
            eprintln!("restored {count} records into {}", cli.data_dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::DemoData {
            organisations,
            networks,
            seed,
            output,
        } => {
            let mut out = output_writer(output.as_deref())?;
            let mut result = Ok(());
            demo::generate(organisations, networks, seed, &mut |record| {
                if result.is_ok() {
                    result = serde_json::to_writer(&mut out, &record.to_tagged_json())
                        .map_err(anyhow::Error::from)
                        .and_then(|()| out.write_all(b"\n").map_err(anyhow::Error::from));
                }
            });
            result?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) fn open(data_dir: &Path) -> anyhow::Result<Directory> {
    Directory::open(data_dir, Options::default()).context(locked_hint(data_dir))
}

fn locked_hint(data_dir: &Path) -> String {
    format!(
        "cannot open the data directory {} (if a server is running on it, use `rrjeti import --server`)",
        data_dir.display()
    )
}

fn output_writer(output: Option<&Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

fn token(data_dir: &Path, action: TokenAction) -> anyhow::Result<ExitCode> {
    let directory = open(data_dir)?;
    match action {
        TokenAction::Create {
            role,
            organisation,
            network,
            label,
            expires_in_days,
        } => {
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Editor => Role::Editor,
            };
            let scope = organisation
                .map(Scope::Organisation)
                .or(network.map(Scope::Network));
            let (token, text) = directory.create_token(role, scope, label, expires_in_days)?;
            eprintln!("token {} made; it is shown once:", token.id);
            println!("{text}");
        }
        TokenAction::List => {
            for token in directory.tokens()? {
                println!("{}", serde_json::to_string(&token)?);
            }
        }
        TokenAction::Revoke { id } => {
            let token = directory.revoke_token(&id)?;
            eprintln!(
                "token {} revoked at {}",
                token.id,
                token.revoked_at.unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

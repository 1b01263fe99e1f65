//! `porte-voix`: the server binary. Reads settings, starts logging, runs
//! the command; all behaviour lives in the library.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use porte_voix_server::{auth, demo, telemetry, AppState, Application, Settings};
use porte_voix_shared::{CommuneCode, Role};
use std::io::{BufRead, Write};

#[derive(Parser)]
#[command(name = "porte-voix", version, about = "Porte-voix server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Fill an empty store with demo accounts and contributions.
    Demo {
        /// How many contributions to make (100,000 takes a few minutes in
        /// a release build).
        #[arg(long, default_value_t = demo::DEFAULT_CONTRIBUTIONS)]
        contributions: usize,
    },
    /// Rebuild the search index from the store (the server must be stopped).
    Reindex,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// INSEE code of the commune or Lyon arrondissement (commune accounts).
        #[arg(long)]
        commune: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|_| "expected volunteer, commune, officer or admin".to_string())
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    let settings = Settings::from_env()?;
    match cli.command {
        Command::Serve => {
            let app = Application::build(settings.clone())?;
            // Parsed by scripts and tests: keep this line's shape.
            println!("listening on http://{}:{}", settings.bind, app.port());
            std::io::stdout().flush().ok();
            app.run_until_stopped().await
        }
        Command::Demo { contributions } => {
            let state = AppState::open(settings)?;
            if demo::fill_with(&state, contributions, true)? {
                println!("Données de démonstration créées.");
            } else {
                println!("Le stockage contient déjà des comptes : données de démonstration non ajoutées.");
            }
            // The index holds every demo document when the server starts.
            state.index.catch_up()?;
            state.index.shutdown()?;
            print!("{}", demo::accounts_table());
            Ok(())
        }
        Command::Reindex => {
            let store: std::sync::Arc<dyn porte_voix_server::store::Store> = std::sync::Arc::new(
                porte_voix_server::store::SledStore::open_with_key(
                    &settings.data_dir,
                    settings.data_key.clone(),
                )
                .with_context(|| format!("opening the store in {}", settings.data_dir.display()))?,
            );
            let started = std::time::Instant::now();
            let (index, report) = porte_voix_server::index::SearchIndex::rebuild(
                &settings.data_dir.join("index"),
                store.clone(),
            )
            .context("rebuilding the search index (is the server stopped?)")?;
            index.shutdown().context("closing the search index")?;
            println!(
                "index rebuilt: {} documents read, {} contributions indexed in {:.1} s",
                report.indexed,
                index.num_docs(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    commune,
                    name,
                    password_stdin,
                },
        } => {
            if !password_stdin {
                bail!("pass --password-stdin and write the password on standard input");
            }
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let commune = commune.as_deref().map(CommuneCode::parse).transpose()?;
            let state = AppState::open(settings)?;
            let user =
                auth::create_user(state.store.as_ref(), &email, &name, role, commune, password)?;
            println!("created {} ({}) id {}", user.email, user.role, user.id);
            Ok(())
        }
    }
}

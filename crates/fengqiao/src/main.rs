//! `fengqiao`: the one binary. Parses the command line, resolves settings
//! and hands over to the library crates; no domain logic lives here.

mod backtest;
mod backup;
mod bench;
mod bench_cases;
mod bench_ledger;
mod bench_plan;
mod bench_roster;
mod bench_scale;
mod case;
mod config;
mod db;
mod demo;
mod forecast;
mod import;
mod ledger;
mod messages;
mod output;
mod personnel;
mod plan;
mod replay;
mod report;
mod roster;
mod serve;
mod simulate;
mod staffing;
mod user;
mod volunteer;

use clap::{Parser, Subcommand};
use config::GlobalArgs;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fengqiao",
    version,
    about = "Fengqiao (枫桥): municipal public-security and grassroots governance platform"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load a demo city into the embedded database and serve it on localhost
    Demo(demo::DemoArgs),
    /// Serve the API and the web page
    Serve,
    /// Import incidents, jurisdictions or facilities
    #[command(subcommand)]
    Import(ImportCommand),
    /// List the built-in import profiles
    Profiles,
    /// List the datasets in the database
    Datasets {
        /// Print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Forecast incidents per grid cell for the next shift, day or week, and store it
    Forecast(forecast::ForecastArgs),
    /// Simulations of what forecasting does in use
    #[command(subcommand)]
    Simulate(simulate::SimulateCommand),
    /// Evaluate forecasting models on a real incident file, window by window
    Backtest(backtest::BacktestArgs),
    /// Plan deployment: place units or posts to cover as much forecast demand as possible
    Plan(plan::PlanArgs),
    /// Crews each station needs in a forecast's window to answer calls within a target (Erlang C, and the hypercube model for crews answering each other's calls)
    Staffing(staffing::StaffingArgs),
    /// Replay real incidents against plans made shift by shift, beside baseline deployments
    Replay(replay::ReplayArgs),
    /// The tamper-evident record: checkpoints, verification, proofs
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Disputes, hazards and citizens' requests in the closed-loop case engine
    #[command(subcommand)]
    Case(case::CaseCommand),
    /// Governance KPIs over cases, by jurisdiction, department, person or month
    Report(report::ReportArgs),
    /// Accounts: add, change role, reset password, disable, API tokens
    #[command(subcommand)]
    User(user::UserCommand),
    /// Station rosters (排班): crews each shift needs, people on shifts, published drafts
    #[command(subcommand)]
    Roster(roster::RosterCommand),
    /// Personnel (警力): 民警, 辅警 and 巡特警 by station, their qualifications and leave
    #[command(subcommand)]
    Personnel(personnel::PersonnelCommand),
    /// Volunteers (鸿雁志愿者): registry, activities, hours, safety talks
    #[command(subcommand)]
    Volunteer(volunteer::VolunteerCommand),
    /// Measure performance on real data against a baseline
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Back up the database (online), its keys and the attachment files into a directory
    Backup(backup::BackupArgs),
    /// Restore a backup into this data directory and verify the ledger
    Restore(backup::RestoreArgs),
    /// Bring the database's schema up to this version (every command also does on opening)
    Migrate(db::MigrateArgs),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import an incident CSV (.csv or .csv.gz) through a profile or a mapping file
    Incidents(import::IncidentArgs),
    /// Replace the jurisdiction tree with a GeoJSON FeatureCollection
    Jurisdictions { file: PathBuf },
    /// Replace police stations and posts with a JSON list
    Facilities { file: PathBuf },
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    messages::choose(cli.global.lang);
    // The server's aggregate grid is not the grid forecasts are made on: refused, not ignored.
    if cli.global.cell_m.is_some()
        && matches!(
            cli.command,
            Command::Forecast(_) | Command::Backtest(_) | Command::Replay(_) | Command::Simulate(_)
        )
    {
        return output::fail(&fengqiao_app::Error::new(
            fengqiao_app::Code::Usage,
            "--cell-m sets the grid of the server's incident aggregates; this command's grid is --cell",
        ));
    }
    let settings = match cli.global.settings() {
        Ok(s) => s,
        Err(e) => return output::fail(&e),
    };
    let result = match cli.command {
        Command::Demo(args) => demo::run(&settings, &args),
        Command::Serve => serve::run(&settings, None),
        Command::Import(ImportCommand::Incidents(args)) => import::incidents(&settings, &args),
        Command::Import(ImportCommand::Jurisdictions { file }) => import::jurisdictions(&settings, &file),
        Command::Import(ImportCommand::Facilities { file }) => import::facilities(&settings, &file),
        Command::Profiles => import::profiles(),
        Command::Datasets { json } => import::datasets(&settings, json),
        Command::Bench(cmd) => bench::run(&settings, &cmd).map_err(fengqiao_app::Error::input),
        Command::Backup(args) => backup::backup(&settings, &args),
        Command::Restore(args) => backup::restore(&settings, &args),
        Command::Migrate(args) => db::migrate(&settings, &args),
        Command::Backtest(args) => backtest::run(&settings, &args),
        Command::Forecast(args) => forecast::run(&settings, &args),
        Command::Simulate(cmd) => simulate::run(&settings, &cmd),
        Command::Plan(args) => plan::run(&settings, &args),
        Command::Replay(args) => replay::run(&settings, &args),
        Command::Staffing(args) => staffing::run(&settings, &args),
        Command::Ledger(cmd) => ledger::run(&settings, &cmd),
        Command::Case(cmd) => case::run(&settings, &cmd),
        Command::Report(args) => report::run(&settings, &args),
        Command::Personnel(cmd) => personnel::run(&settings, &cmd),
        Command::Roster(cmd) => roster::run(&settings, &cmd),
        Command::Volunteer(cmd) => volunteer::run(&settings, &cmd),
        Command::User(cmd) => user::run(&settings, &cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output::fail(&e),
    }
}

/// `fengqiao plan | head` closes stdout early; Rust's printing then panics.
/// Exit quietly instead, as other command-line tools do on SIGPIPE.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

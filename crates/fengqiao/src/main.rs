//! `fengqiao`: the one binary. Parses the command line, resolves settings
//! and hands over to the library crates; no domain logic lives here.

mod backtest;
mod backup;
mod bench;
mod bench_cases;
mod bench_ledger;
mod bench_near_repeat;
mod bench_plan;
mod bench_roster;
mod bench_scale;
mod callbacks;
mod case;
mod config;
mod db;
mod demo;
mod equity;
mod forecast;
mod fraud;
mod import;
mod ledger;
mod messages;
mod names;
mod near_repeat;
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

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
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
    /// Equity of a forecast and its plan: by town or grid, hot cells and patrol time against citizens' calls; officers' share; lock-in
    Equity(equity::EquityArgs),
    /// Simulations of what forecasting does in use
    #[command(subcommand)]
    Simulate(simulate::SimulateCommand),
    /// Evaluate forecasting models on a real incident file, window by window
    Backtest(backtest::BacktestArgs),
    /// Plan deployment: place units or posts to cover as much forecast demand as possible
    Plan(plan::PlanArgs),
    /// Near repeats (Knox test, as the Near Repeat Calculator): are incidents close in space also close in time, and for how far and how long
    NearRepeat(near_repeat::NearRepeatArgs),
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
    /// 110 callbacks (回访): draw the week's sample, read satisfaction and perceived safety
    #[command(subcommand)]
    Callbacks(callbacks::CallbacksCommand),
    /// Anti-fraud warnings (反诈预警劝阻): import the centre's list, read how the dissuasion went
    #[command(subcommand)]
    Fraud(fraud::FraudCommand),
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
    Jurisdictions {
        /// A GeoJSON FeatureCollection of areas, each with its code, parent and level
        file: PathBuf,
    },
    /// Replace the facilities (police stations and posts; places such as markets, bars, schools) with a JSON list
    Facilities {
        /// A JSON list of facilities, each with its code, name, kind (station, post, transport, mall, bar, market, school, hospital, industrial) and position
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    let cli = Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit());
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
        Command::NearRepeat(args) => near_repeat::run(&settings, &args),
        Command::Forecast(args) => forecast::run(&settings, &args),
        Command::Simulate(cmd) => simulate::run(&settings, &cmd),
        Command::Equity(args) => equity::run(&settings, &args),
        Command::Plan(args) => plan::run(&settings, &args),
        Command::Replay(args) => replay::run(&settings, &args),
        Command::Staffing(args) => staffing::run(&settings, &args),
        Command::Ledger(cmd) => ledger::run(&settings, &cmd),
        Command::Case(cmd) => case::run(&settings, &cmd),
        Command::Report(args) => report::run(&settings, &args),
        Command::Personnel(cmd) => personnel::run(&settings, &cmd),
        Command::Fraud(cmd) => fraud::run(&settings, &cmd),
        Command::Callbacks(cmd) => callbacks::run(&settings, &cmd),
        Command::Roster(cmd) => roster::run(&settings, &cmd),
        Command::Volunteer(cmd) => volunteer::run(&settings, &cmd),
        Command::User(cmd) => user::run(&settings, &cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output::fail(&e),
    }
}

/// The command line, its global options listed once under `fengqiao --help`
/// rather than again in every subcommand's help.
fn command() -> clap::Command {
    let root = Cli::command();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .map(|a| a.clone().hide(true))
        .collect();
    hide_below(root, &globals)
}

/// Gives each subcommand, at every depth, the global options hidden: clap
/// then keeps them (it propagates only what a subcommand lacks) and they
/// still parse anywhere on the line.
fn hide_below(mut cmd: clap::Command, globals: &[clap::Arg]) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| {
            let sub = globals
                .iter()
                .fold(sub, |sub, a| sub.arg(a.clone()))
                .after_help("Global options (--lang, --db, --data-dir, --config, --timezone, ...): `fengqiao --help`");
            hide_below(sub, globals)
        });
    }
    cmd
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every option and argument a person can see says what it is for.
    #[test]
    fn every_flag_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path} {}", a.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        let mut cmd = command();
        cmd.build();
        walk(&cmd, "fengqiao", &mut missing);
        assert!(missing.is_empty(), "no description: {missing:#?}");
    }

    /// The global options are listed once, under `fengqiao --help`, and are
    /// taken after a subcommand as before it.
    #[test]
    fn global_options_show_once_and_parse_anywhere() {
        let mut cmd = command();
        cmd.build();
        let root = cmd.clone().render_help().to_string();
        assert!(root.contains("--data-dir"), "{root}");
        let case = cmd.find_subcommand_mut("case").unwrap();
        let list = case.find_subcommand_mut("list").unwrap().render_help().to_string();
        assert!(!list.contains("--data-dir <DATA_DIR>"), "{list}");
        assert!(list.contains("fengqiao --help"), "{list}");
        let after = command()
            .try_get_matches_from(["fengqiao", "case", "list", "--data-dir", "/tmp/x"])
            .unwrap();
        let cli = Cli::from_arg_matches(&after).unwrap();
        assert_eq!(cli.global.data_dir.as_deref(), Some(std::path::Path::new("/tmp/x")));
    }
}

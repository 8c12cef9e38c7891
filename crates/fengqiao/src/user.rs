//! `fengqiao user`: accounts from the command line (the machine's operator
//! is trusted here; every change is still logged in the ledger).

use crate::messages::tr;
use crate::names;
use crate::output::pad;
use fengqiao_app::Settings;
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_store::Store;
use fengqiao_store::users::{UserChange, add_user, hash_password, one_time_password};

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user; its one-time password is printed once
    Add {
        /// The name the person signs in with
        username: String,
        /// The account's role (admin, analyst, commander, officer, leader, department, mediator, volunteer, witness)
        #[arg(long)]
        role: String,
        /// The person's name as shown (the user name if not given)
        #[arg(long, default_value = "")]
        name: String,
        /// Officers: the jurisdiction code they see
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Department staff: the department code
        #[arg(long)]
        department: Option<String>,
        /// Mediators and volunteers: the name cases are assigned to
        #[arg(long)]
        assignee: Option<String>,
    },
    /// Change a user's role (and scope)
    Role {
        /// The account to change
        username: String,
        /// Its new role (admin, analyst, commander, officer, leader, department, mediator, volunteer, witness)
        role: String,
        /// An officer's area: the jurisdiction code of their station's area
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Department staff: their department's code
        #[arg(long)]
        department: Option<String>,
        /// Mediators and volunteers: the name cases are assigned to them by
        #[arg(long)]
        assignee: Option<String>,
    },
    /// Give a user a new one-time password (unlocks the account, ends its sessions)
    Reset {
        /// The account whose password is reset
        username: String,
    },
    /// Disable or re-enable an account
    Disable {
        /// The account to disable (or, with --enable, re-enable)
        username: String,
        /// Re-enable the account instead of disabling it
        #[arg(long)]
        enable: bool,
    },
    /// Issue an API token for a user (printed once)
    Token {
        /// The account the token acts as
        username: String,
        /// A label for the token, to tell it apart and revoke it (e.g. the system that uses it)
        #[arg(long)]
        name: String,
        /// Days until it expires (default: never)
        #[arg(long)]
        days: Option<i64>,
    },
    /// Issue an Open311 API key for a civic app (printed once)
    Open311Key {
        /// The civic app the key is issued to; --open311-partners names it to see requests in full
        #[arg(long)]
        name: String,
    },
    /// List users
    List {
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
}

fn find(store: &dyn Store, username: &str) -> Result<fengqiao_store::users::User> {
    store
        .user_credentials(username)?
        .map(|(u, _)| u)
        .ok_or_else(|| Error::input(format!("no user {username}")))
}

pub fn run(settings: &Settings, cmd: &UserCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let actor = "cli";
    match cmd {
        UserCommand::Add {
            username,
            role,
            name,
            jurisdiction,
            department,
            assignee,
        } => {
            let scope = (jurisdiction.clone(), department.clone(), assignee.clone());
            fengqiao_app::users::check(store, &settings.cases, role, &scope)?;
            let display = if name.is_empty() { username } else { name };
            let (user, otp) = add_user(store, username, display, role, scope, actor)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "user.created",
                    user = user.username,
                    role = names::role(&user.role),
                    password = otp
                )
            );
        }
        UserCommand::Role {
            username,
            role,
            jurisdiction,
            department,
            assignee,
        } => {
            let user = find(store, username)?;
            let scope = (
                jurisdiction.clone().or(user.jurisdiction.clone()),
                department.clone().or(user.department.clone()),
                assignee.clone().or(user.assignee.clone()),
            );
            fengqiao_app::users::check(store, &settings.cases, role, &scope)?;
            let ch = UserChange {
                role: Some(role.clone()),
                jurisdiction: jurisdiction.clone().map(Some),
                department: department.clone().map(Some),
                assignee: assignee.clone().map(Some),
                ..Default::default()
            };
            let user = store.update_user(user.id, &ch, actor)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!(
                "{}",
                tr!(
                    "user.role_changed",
                    user = user.username,
                    role = names::role(&user.role)
                )
            );
        }
        UserCommand::Reset { username } => {
            let user = find(store, username)?;
            let otp = one_time_password()?;
            let ch = UserChange {
                password_hash: Some(hash_password(&otp)?),
                must_change: Some(true),
                ..Default::default()
            };
            store.update_user(user.id, &ch, actor)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            println!("{}", tr!("user.reset", user = username, password = otp));
        }
        UserCommand::Disable { username, enable } => {
            let user = find(store, username)?;
            let ch = UserChange {
                disabled: Some(!enable),
                ..Default::default()
            };
            store.update_user(user.id, &ch, actor)?;
            fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
            if *enable {
                println!("{}", tr!("user.enabled", user = username));
            } else {
                println!("{}", tr!("user.disabled", user = username));
            }
        }
        UserCommand::Token { username, name, days } => {
            let c = fengqiao_app::users::NewCredential::ApiToken {
                username: username.clone(),
                name: name.clone(),
                days: days.map(|d| u32::try_from(d).unwrap_or(u32::MAX)),
            };
            println!(
                "{}",
                fengqiao_app::users::issue_credential(store, &c, chrono::Utc::now())?
            );
        }
        UserCommand::Open311Key { name } => {
            let c = fengqiao_app::users::NewCredential::Open311Key { name: name.clone() };
            println!(
                "{}",
                fengqiao_app::users::issue_credential(store, &c, chrono::Utc::now())?
            );
        }
        UserCommand::List { json } => {
            let users = store.users()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for u in users {
                    println!(
                        "{} {} {} {}{}",
                        pad(&u.username, 16),
                        pad(&names::role(&u.role), 12),
                        pad(&u.jurisdiction.or(u.department).or(u.assignee).unwrap_or_default(), 24),
                        u.display_name,
                        if u.disabled {
                            tr!("user.disabled_mark")
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
    }
    Ok(())
}

/// The demo's ready accounts, one per role: (user name, role, password).
pub const DEMO_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("admin", "admin", "demo-admin-2026"),
    ("analyst", "analyst", "demo-analyst-2026"),
    ("commander", "commander", "demo-commander-2026"),
    ("officer", "officer", "demo-officer-2026"),
    ("urban", "department", "demo-urban-2026"),
    ("mediator", "mediator", "demo-mediator-2026"),
    ("volunteer", "volunteer", "demo-volunteer-2026"),
    ("leader", "leader", "demo-leader-2026"),
];

/// Creates the demo accounts (known passwords: a demo database only).
pub fn demo_accounts(store: &dyn Store, officer_jurisdiction: Option<String>, mediators: &[String]) -> Result<usize> {
    if !store.users()?.is_empty() {
        return Ok(0);
    }
    for (username, role, password) in DEMO_ACCOUNTS {
        let scope = match *role {
            "officer" => (officer_jurisdiction.clone(), None, None),
            "department" => (None, Some("urban".to_string()), None),
            "mediator" => (None, None, mediators.first().cloned()),
            "volunteer" => (None, None, mediators.iter().find(|m| m.contains("志愿")).cloned()),
            _ => (None, None, None),
        };
        let (user, _) = add_user(store, username, username, role, scope, "demo")?;
        let ch = UserChange {
            password_hash: Some(hash_password(password)?),
            must_change: Some(false),
            ..Default::default()
        };
        store.update_user(user.id, &ch, "demo")?;
    }
    Ok(DEMO_ACCOUNTS.len())
}

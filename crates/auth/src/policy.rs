//! The access policy: which role has which permission, and whose records a
//! role sees. Read from TOML; every permission the server checks is named
//! in [`Permission`], so a policy file cannot mention one that does not
//! exist, nor leave one out.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The built-in policy's text.
pub const BUILTIN: &str = include_str!("../data/policy.toml");

/// Every capability the server guards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Permission {
    IncidentsRead,
    IncidentsImport,
    ForecastsRead,
    ForecastsWrite,
    PlansRead,
    PlansWrite,
    CasesRead,
    CasesWrite,
    VolunteersRead,
    VolunteersWrite,
    PersonnelRead,
    PersonnelWrite,
    ReportsRead,
    LedgerRead,
    LedgerWitness,
    UsersAdmin,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Self::IncidentsRead,
        Self::IncidentsImport,
        Self::ForecastsRead,
        Self::ForecastsWrite,
        Self::PlansRead,
        Self::PlansWrite,
        Self::CasesRead,
        Self::CasesWrite,
        Self::VolunteersRead,
        Self::VolunteersWrite,
        Self::PersonnelRead,
        Self::PersonnelWrite,
        Self::ReportsRead,
        Self::LedgerRead,
        Self::LedgerWitness,
        Self::UsersAdmin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::IncidentsRead => "incidents.read",
            Self::IncidentsImport => "incidents.import",
            Self::ForecastsRead => "forecasts.read",
            Self::ForecastsWrite => "forecasts.write",
            Self::PlansRead => "plans.read",
            Self::PlansWrite => "plans.write",
            Self::CasesRead => "cases.read",
            Self::CasesWrite => "cases.write",
            Self::VolunteersRead => "volunteers.read",
            Self::VolunteersWrite => "volunteers.write",
            Self::PersonnelRead => "personnel.read",
            Self::PersonnelWrite => "personnel.write",
            Self::ReportsRead => "reports.read",
            Self::LedgerRead => "ledger.read",
            Self::LedgerWitness => "ledger.witness",
            Self::UsersAdmin => "users.admin",
        }
    }
}

/// Whose cases a role sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Its jurisdiction and everything below it.
    Jurisdiction,
    /// Cases routed to its department (as lead or joint department).
    Department,
    /// Cases assigned to it.
    Assignee,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    permissions: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    scope: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    allowed: BTreeMap<Permission, Vec<String>>,
    scope: BTreeMap<String, Scope>,
}

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: String,
    /// Jurisdiction code (officers: their station's area).
    pub jurisdiction: Option<String>,
    /// Department code (department staff).
    pub department: Option<String>,
    /// The name cases are assigned to (mediators, volunteers).
    pub assignee: Option<String>,
}

/// Why an access policy is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

impl Policy {
    pub fn builtin() -> Self {
        Self::from_toml(BUILTIN, &[]).expect("the built-in policy is valid")
    }

    /// Parses a policy; `roles`, when given, are the roles it may name.
    pub fn from_toml(text: &str, roles: &[String]) -> Result<Self, PolicyError> {
        Self::parse(text, roles).map_err(PolicyError)
    }

    fn parse(text: &str, roles: &[String]) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let known_role = |r: &str| roles.is_empty() || roles.iter().any(|x| x == r);
        let mut allowed = BTreeMap::new();
        for (name, who) in &file.permissions {
            let p = Permission::ALL
                .into_iter()
                .find(|p| p.name() == name)
                .ok_or_else(|| format!("permissions: unknown permission {name:?}"))?;
            if let Some(r) = who.iter().find(|r| !known_role(r)) {
                return Err(format!("permissions.{name:?}: role {r:?} is not a configured role"));
            }
            allowed.insert(p, who.clone());
        }
        if let Some(p) = Permission::ALL.into_iter().find(|p| !allowed.contains_key(p)) {
            return Err(format!(
                "permissions: {:?} is missing (list the roles that have it, or [])",
                p.name()
            ));
        }
        let mut scope = BTreeMap::new();
        for (role, s) in &file.scope {
            if !known_role(role) {
                return Err(format!("scope.{role}: not a configured role"));
            }
            let s = match s.as_str() {
                "all" => Scope::All,
                "jurisdiction" => Scope::Jurisdiction,
                "department" => Scope::Department,
                "assignee" => Scope::Assignee,
                other => {
                    return Err(format!(
                        "scope.{role}: {other:?} is not all, jurisdiction, department or assignee"
                    ));
                }
            };
            scope.insert(role.clone(), s);
        }
        Ok(Self { allowed, scope })
    }

    pub fn allows(&self, role: &str, p: Permission) -> bool {
        self.allowed.get(&p).is_some_and(|r| r.iter().any(|x| x == role))
    }

    pub fn scope(&self, role: &str) -> Scope {
        self.scope.get(role).copied().unwrap_or(Scope::All)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_names_every_permission() {
        let p = Policy::builtin();
        assert!(p.allows("admin", Permission::UsersAdmin));
        assert!(!p.allows("officer", Permission::UsersAdmin));
        assert!(p.allows("volunteer", Permission::CasesRead));
        assert!(!p.allows("volunteer", Permission::IncidentsRead));
        assert_eq!(p.scope("volunteer"), Scope::Assignee);
        assert_eq!(p.scope("leader"), Scope::All);
    }

    #[test]
    fn bad_policies_say_why() {
        let missing = BUILTIN.replace("\"users.admin\" = [\"admin\"]\n", "");
        assert!(
            Policy::from_toml(&missing, &[])
                .unwrap_err()
                .0
                .contains("\"users.admin\" is missing")
        );
        let typo = BUILTIN.replace("\"users.admin\"", "\"user.admin\"");
        assert!(
            Policy::from_toml(&typo, &[])
                .unwrap_err()
                .0
                .contains("unknown permission")
        );
        let roles: Vec<String> = ["admin"].map(String::from).to_vec();
        assert!(
            Policy::from_toml(BUILTIN, &roles)
                .unwrap_err()
                .0
                .contains("is not a configured role")
        );
        let scope = BUILTIN.replace("officer = \"jurisdiction\"", "officer = \"street\"");
        assert!(Policy::from_toml(&scope, &[]).is_err());
    }
}

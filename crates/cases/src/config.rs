//! The case engine's configuration (TOML): roles, working calendar,
//! departments, routing and, per case type, its stages with time limits and
//! the actions that move a case between them, with the roles allowed to
//! take each. Parsed and checked once; an engine built from it cannot
//! reach a stage the file does not allow.

use crate::calendar::{CalendarConfig, Span, WorkCalendar};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

const BUILTIN: &str = include_str!("../data/default.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    roles: Vec<String>,
    /// Roles that see parties' names, phones, ID numbers and addresses in full.
    personal_data_roles: Vec<String>,
    calendar: CalendarConfig,
    #[serde(default)]
    departments: Vec<Department>,
    #[serde(default)]
    routing: Vec<RouteRule>,
    #[serde(default)]
    mediators: Vec<Mediator>,
    types: Vec<TypeFile>,
}

/// A member of the dispute mediator pool.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mediator {
    pub name: String,
    /// `officer`, `volunteer`, `studio`, `village_committee` or `judicial`.
    pub kind: String,
    /// Jurisdiction codes served (empty: everywhere).
    #[serde(default)]
    pub areas: Vec<String>,
}

pub const MEDIATOR_KINDS: [&str; 5] = ["officer", "volunteer", "studio", "village_committee", "judicial"];

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: String,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteRule {
    /// Prefix of the jurisdiction code ("" or absent: everywhere).
    #[serde(default)]
    pub jurisdiction: String,
    /// Prefix of the case category, e.g. `hazard.fire`.
    pub category: String,
    pub lead: String,
    #[serde(default)]
    pub co: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeFile {
    code: String,
    zh: String,
    en: String,
    prefix: String,
    initial: String,
    opened_by: Vec<String>,
    due: String,
    extension: String,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    follow_ups: Vec<String>,
    categories: Vec<String>,
    #[serde(default)]
    category_names: BTreeMap<String, [String; 2]>,
    stages: Vec<StageFile>,
    actions: Vec<ActionFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageFile {
    code: String,
    zh: String,
    en: String,
    limit: Option<String>,
    #[serde(default)]
    terminal: bool,
    #[serde(default)]
    paused: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionFile {
    name: String,
    from: Vec<String>,
    to: Option<String>,
    roles: Vec<String>,
    #[serde(default)]
    reason: bool,
    effect: Option<String>,
}

/// What an action does besides moving the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Route to a department (the one given, or the routing table's lead).
    Dispatch,
    /// A department sends the case back: counted, department cleared.
    Return,
    /// Failed verification: counted.
    Rework,
    RequestExtension,
    /// Push the case's due time out by the type's extension.
    Extend,
    /// Take the case out of the on-time count.
    Defer,
    /// Raised on a passed deadline: counted.
    Supervise,
    /// Name the person responsible (a mediator).
    Assign,
    /// A mediation session held: counted.
    Session,
    /// An agreement: follow-up visits are scheduled.
    Agree,
    /// Move up one level (village → town → county).
    Escalate,
    /// A follow-up visit done.
    Visit,
    /// Close only once every scheduled follow-up visit is done.
    CloseAfterVisits,
    /// The citizen's rating (1-5), once.
    Rate,
    /// Staff mark a request's description fit for the public, once.
    Publish,
    /// A joint (协办) department reports on its own part; the stage stays.
    Assist,
    /// Neighbours warned (a cocoon round): the record says how many households.
    Warn,
    /// An anti-fraud warning's person reached: the record says how it ended
    /// (dissuaded, already paid, refused) and the loss prevented.
    Dissuade,
    /// A callback answered: satisfaction, perceived safety, reasons.
    Answer,
}

impl Effect {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "dispatch" => Self::Dispatch,
            "return" => Self::Return,
            "rework" => Self::Rework,
            "request_extension" => Self::RequestExtension,
            "extend" => Self::Extend,
            "defer" => Self::Defer,
            "supervise" => Self::Supervise,
            "assign" => Self::Assign,
            "session" => Self::Session,
            "agree" => Self::Agree,
            "escalate" => Self::Escalate,
            "assist" => Self::Assist,
            "visit" => Self::Visit,
            "close_after_visits" => Self::CloseAfterVisits,
            "rate" => Self::Rate,
            "publish" => Self::Publish,
            "warn" => Self::Warn,
            "dissuade" => Self::Dissuade,
            "answer" => Self::Answer,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Stage {
    pub code: String,
    pub zh: String,
    pub en: String,
    #[serde(skip)]
    pub limit: Option<Span>,
    pub terminal: bool,
    /// The case's clock does not run here (listed, deferred).
    pub paused: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Action {
    pub name: String,
    pub from: Vec<String>,
    /// `None`: the case stays where it is.
    pub to: Option<String>,
    pub roles: Vec<String>,
    pub needs_reason: bool,
    pub effect: Option<Effect>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseType {
    pub code: String,
    pub zh: String,
    pub en: String,
    pub prefix: String,
    pub initial: String,
    /// Roles that may open a case of this type.
    pub opened_by: Vec<String>,
    #[serde(skip)]
    pub due: Span,
    #[serde(skip)]
    pub extension: Span,
    pub levels: Vec<String>,
    #[serde(skip)]
    pub follow_ups: Vec<Span>,
    pub categories: Vec<String>,
    /// Display names of categories: [zh, en].
    pub category_names: BTreeMap<String, [String; 2]>,
    pub stages: Vec<Stage>,
    pub actions: Vec<Action>,
}

impl CaseType {
    pub fn stage(&self, code: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.code == code)
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }
}

#[derive(Debug, Clone)]
pub struct CaseConfig {
    pub roles: Vec<String>,
    pub personal_data_roles: Vec<String>,
    pub calendar: WorkCalendar,
    pub departments: Vec<Department>,
    pub routing: Vec<RouteRule>,
    pub mediators: Vec<Mediator>,
    pub types: BTreeMap<String, CaseType>,
    /// The types' codes in the configuration's order: the order the pages
    /// offer them in (the first is the board a page opens on).
    pub order: Vec<String>,
}

/// Who handles a case: the lead department, and the others of a joint task.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Route {
    pub lead: String,
    pub co: Vec<String>,
}

/// Why a case configuration is refused: where in the file, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

impl CaseConfig {
    /// The configuration shipped with Fengqiao.
    pub fn builtin() -> Self {
        Self::from_toml(BUILTIN).expect("the built-in case configuration is valid")
    }

    /// Parses a configuration, with every cross-reference checked.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::parse(text).map_err(ConfigError)
    }

    fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let roles: BTreeSet<&str> = file.roles.iter().map(String::as_str).collect();
        let calendar = WorkCalendar::new(&file.calendar)?;
        if let Some(r) = file.personal_data_roles.iter().find(|r| !roles.contains(r.as_str())) {
            return Err(format!("personal_data_roles: {r:?} is not in `roles`"));
        }
        let depts: BTreeSet<&str> = file.departments.iter().map(|d| d.code.as_str()).collect();
        for (i, r) in file.routing.iter().enumerate() {
            for d in std::iter::once(&r.lead).chain(&r.co) {
                if !depts.contains(d.as_str()) {
                    return Err(format!("routing[{i}] ({}): {d:?} is not a department", r.category));
                }
            }
        }
        for (i, m) in file.mediators.iter().enumerate() {
            if !MEDIATOR_KINDS.contains(&m.kind.as_str()) {
                return Err(format!(
                    "mediators[{i}] ({}): kind {:?} is not one of {}",
                    m.name,
                    m.kind,
                    MEDIATOR_KINDS.join(", ")
                ));
            }
        }
        let mut types = BTreeMap::new();
        for (ti, t) in file.types.iter().enumerate() {
            let at = format!("types[{ti}] ({})", t.code);
            let span = |s: &str, what: &str| Span::parse(s).map_err(|e| format!("{at} {what}: {e}"));
            let mut stages = Vec::new();
            for s in &t.stages {
                if stages.iter().any(|x: &Stage| x.code == s.code) {
                    return Err(format!("{at}: stage {:?} is listed twice", s.code));
                }
                stages.push(Stage {
                    code: s.code.clone(),
                    zh: s.zh.clone(),
                    en: s.en.clone(),
                    limit: s
                        .limit
                        .as_deref()
                        .map(|l| span(l, &format!("stage {}", s.code)))
                        .transpose()?,
                    terminal: s.terminal,
                    paused: s.paused,
                });
            }
            let has = |c: &str| stages.iter().any(|s| s.code == c);
            if !has(&t.initial) {
                return Err(format!("{at}: initial stage {:?} is not one of its stages", t.initial));
            }
            let mut actions: Vec<Action> = Vec::new();
            for (ai, a) in t.actions.iter().enumerate() {
                let at = format!("{at} actions[{ai}] ({})", a.name);
                if actions.iter().any(|x| x.name == a.name) {
                    return Err(format!("{at}: the action name is used twice"));
                }
                for s in a.from.iter().chain(&a.to) {
                    if !has(s) {
                        return Err(format!("{at}: {s:?} is not a stage of {}", t.code));
                    }
                }
                if a.from.is_empty() || a.roles.is_empty() {
                    return Err(format!("{at}: give the stages it starts from and the roles allowed"));
                }
                if let Some(r) = a.roles.iter().find(|r| !roles.contains(r.as_str())) {
                    return Err(format!("{at}: role {r:?} is not in `roles`"));
                }
                let effect = match &a.effect {
                    None => None,
                    Some(e) => Some(Effect::parse(e).ok_or_else(|| format!("{at}: unknown effect {e:?}"))?),
                };
                if effect == Some(Effect::Escalate) && t.levels.len() < 2 {
                    return Err(format!("{at}: escalation needs at least two `levels`"));
                }
                actions.push(Action {
                    name: a.name.clone(),
                    from: a.from.clone(),
                    to: a.to.clone(),
                    roles: a.roles.clone(),
                    needs_reason: a.reason,
                    effect,
                });
            }
            if let Some(r) = t.opened_by.iter().find(|r| !roles.contains(r.as_str())) {
                return Err(format!("{at} opened_by: role {r:?} is not in `roles`"));
            }
            if let Some(c) = t.category_names.keys().find(|c| !t.categories.contains(c)) {
                return Err(format!("{at} category_names: {c:?} is not one of its categories"));
            }
            if let Some(c) = t.categories.iter().find(|c| !c.starts_with(&format!("{}.", t.code))) {
                return Err(format!("{at}: category {c:?} must start with \"{}.\"", t.code));
            }
            let case_type = CaseType {
                code: t.code.clone(),
                zh: t.zh.clone(),
                en: t.en.clone(),
                prefix: t.prefix.clone(),
                initial: t.initial.clone(),
                opened_by: t.opened_by.clone(),
                due: span(&t.due, "due")?,
                extension: span(&t.extension, "extension")?,
                levels: t.levels.clone(),
                follow_ups: t
                    .follow_ups
                    .iter()
                    .map(|f| span(f, "follow_ups"))
                    .collect::<Result<_, _>>()?,
                categories: t.categories.clone(),
                category_names: t.category_names.clone(),
                stages,
                actions,
            };
            if types.insert(t.code.clone(), case_type).is_some() {
                return Err(format!("{at}: case type {:?} is listed twice", t.code));
            }
        }
        Ok(Self {
            personal_data_roles: file.personal_data_roles,
            roles: file.roles,
            calendar,
            departments: file.departments,
            routing: file.routing,
            mediators: file.mediators,
            order: file.types.iter().map(|t| t.code.clone()).collect(),
            types,
        })
    }

    /// The types in the configuration's order.
    pub fn types_in_order(&self) -> impl Iterator<Item = &CaseType> {
        self.order.iter().filter_map(|c| self.types.get(c))
    }

    pub fn case_type(&self, code: &str) -> Option<&CaseType> {
        self.types.get(code)
    }

    /// The responsible department for a category in a jurisdiction: the rule
    /// with the longest matching jurisdiction prefix, then category prefix.
    pub fn route(&self, jurisdiction: &str, category: &str) -> Option<Route> {
        self.routing
            .iter()
            .filter(|r| jurisdiction.starts_with(&r.jurisdiction) && category.starts_with(&r.category))
            .max_by_key(|r| (r.jurisdiction.len(), r.category.len()))
            .map(|r| Route {
                lead: r.lead.clone(),
                co: r.co.clone(),
            })
    }

    /// Whether `role` sees personal data in full.
    pub fn sees_personal_data(&self, role: &str) -> bool {
        self.personal_data_roles.iter().any(|r| r == role)
    }

    pub fn is_department(&self, code: &str) -> bool {
        self.departments.iter().any(|d| d.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_routes() {
        let c = CaseConfig::builtin();
        assert_eq!(c.types.len(), 6);
        assert_eq!(c.route("330203001", "prevention.cocoon").unwrap().lead, "police");
        assert_eq!(c.route("330203001", "fraud.investment").unwrap().lead, "police");
        assert_eq!(
            c.route("330203001", "hazard.fire"),
            Some(Route {
                lead: "fire".into(),
                co: vec!["housing".into()]
            })
        );
        assert_eq!(c.route("330203001", "hazard.other").unwrap().lead, "police");
        assert_eq!(c.route("", "request.consumer").unwrap().lead, "market");
        assert_eq!(c.route("", "parking.other"), None);
    }

    #[test]
    fn bad_files_say_where() {
        let base = BUILTIN.to_string();
        let cases = [
            (
                "to = \"registered\", roles = [\"officer\", \"analyst\", \"commander\"] }",
                "to = \"registred\", roles = [\"officer\", \"analyst\", \"commander\"] }",
                "\"registred\" is not a stage of hazard",
            ),
            (
                "roles = [\"department\"] }",
                "roles = [\"deptartment\"] }",
                "role \"deptartment\" is not in `roles`",
            ),
            (
                "effect = \"supervise\" }",
                "effect = \"supervize\" }",
                "unknown effect \"supervize\"",
            ),
            ("due = \"10wd\"", "due = \"10 days\"", "types[1] (hazard) due"),
            (
                "lead = \"fire\"",
                "lead = \"firemen\"",
                "routing[1] (hazard.fire): \"firemen\" is not a department",
            ),
        ];
        for (from, to, want) in cases {
            let text = base.replacen(from, to, 1);
            assert_ne!(text, base, "{from}");
            let e = CaseConfig::from_toml(&text).unwrap_err().0;
            assert!(e.contains(want), "{want} not in {e}");
        }
    }
}

//! Moving a case through its configured stages: who may take which action
//! from where, what each action does to the case's deadlines and counters,
//! and the event it leaves in the case's history. Pure: the store persists
//! the state and the event (with its ledger entry) in one transaction.

use crate::calendar::Span;
use crate::config::{CaseConfig, CaseType, Effect};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a case is and what has happened to it, as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub case_type: String,
    pub category: String,
    pub stage: String,
    /// Bumped by every action; the store refuses a stale one.
    pub version: u32,
    /// Index into the type's `levels` (village, town, county) for disputes.
    pub level: u8,
    pub department: Option<String>,
    pub co_departments: Vec<String>,
    /// The person responsible (e.g. the mediator).
    pub assignee: Option<String>,
    pub opened_at: DateTime<Utc>,
    /// When the case must be closed (from opening, plus approved extensions).
    pub due_at: DateTime<Utc>,
    /// When the current stage's time limit runs out, if it has one.
    pub stage_due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reworks: u32,
    pub returns: u32,
    pub supervisions: u32,
    pub extensions: u32,
    pub extension_requested: bool,
    /// Ever deferred (缓办): out of the on-time count.
    pub deferred: bool,
    pub sessions: u32,
    /// Follow-up visits due (after an agreement), and how many are done.
    pub follow_ups_due: Vec<DateTime<Utc>>,
    pub visits: u32,
    pub rating: Option<u8>,
    /// When supervision (督办) was last raised.
    pub supervised_at: Option<DateTime<Utc>>,
    /// How many times each action was taken (`report`, `rework`, `session`, ...).
    pub actions: std::collections::BTreeMap<String, u32>,
    /// When the case last moved: its opening or its newest action (absent
    /// in states stored before it was kept).
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Staff judged the citizen's description fit to show the public
    /// (Open311 lists show it only then).
    #[serde(default)]
    pub publishable: bool,
}

/// An action someone asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    pub action: String,
    pub role: String,
    pub actor: String,
    pub reason: Option<String>,
    /// For `dispatch`: the department (default: the routing table's lead).
    pub department: Option<String>,
    /// For `assign`: the person.
    pub assignee: Option<String>,
    /// For `rate`: 1 to 5.
    pub rating: Option<u8>,
    /// The record the action makes, where it makes one (a mediation
    /// session's minutes, an agreement's terms, a visit's outcome); its
    /// shape is checked by the application, the engine only keeps it.
    pub details: Option<serde_json::Value>,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub action: String,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub actor: String,
    pub role: String,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The version the case has after this event.
    pub version: u32,
    /// The record the action made (see [`Command::details`]); absent on
    /// most events, and then left out of the canonical form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("unknown case type {0:?}")]
    UnknownType(String),
    #[error("{category:?} is not a category of {case_type}")]
    UnknownCategory { case_type: String, category: String },
    #[error("{case_type} has no action {action:?}")]
    UnknownAction { case_type: String, action: String },
    #[error("{action} is not possible at stage {stage}")]
    WrongStage { action: String, stage: String },
    #[error("role {role} may not {action}")]
    Forbidden { role: String, action: String },
    #[error("{action} needs a reason")]
    ReasonRequired { action: String },
    #[error("{0}")]
    Invalid(String),
}

impl EngineError {
    /// Machine-readable code, for API errors.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownType(_) | Self::UnknownCategory { .. } | Self::UnknownAction { .. } => "unknown",
            Self::WrongStage { .. } => "wrong_stage",
            Self::Forbidden { .. } => "forbidden",
            Self::ReasonRequired { .. } | Self::Invalid(_) => "invalid",
        }
    }
}

impl CaseConfig {
    fn type_of(&self, code: &str) -> Result<&CaseType, EngineError> {
        self.case_type(code)
            .ok_or_else(|| EngineError::UnknownType(code.to_string()))
    }

    /// A new case at its type's first stage.
    pub fn open(
        &self,
        case_type: &str,
        category: &str,
        role: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<(CaseState, Event), EngineError> {
        let t = self.type_of(case_type)?;
        if !t.opened_by.iter().any(|r| r == role) {
            return Err(EngineError::Forbidden {
                role: role.into(),
                action: format!("open a {case_type}"),
            });
        }
        if !t.categories.iter().any(|c| c == category) {
            return Err(EngineError::UnknownCategory {
                case_type: case_type.into(),
                category: category.into(),
            });
        }
        let cal = &self.calendar;
        let state = CaseState {
            case_type: case_type.into(),
            category: category.into(),
            stage: t.initial.clone(),
            version: 1,
            level: 0,
            department: None,
            co_departments: Vec::new(),
            assignee: None,
            opened_at: at,
            due_at: cal.add(at, t.due),
            stage_due_at: t.stage(&t.initial).and_then(|s| s.limit).map(|l| cal.add(at, l)),
            closed_at: None,
            reworks: 0,
            returns: 0,
            supervisions: 0,
            extensions: 0,
            extension_requested: false,
            deferred: false,
            sessions: 0,
            follow_ups_due: Vec::new(),
            visits: 0,
            rating: None,
            supervised_at: None,
            actions: Default::default(),
            updated_at: Some(at),
            publishable: false,
        };
        let event = Event {
            action: "open".into(),
            from_stage: None,
            to_stage: state.stage.clone(),
            actor: actor.into(),
            role: role.into(),
            at,
            reason: None,
            version: 1,
            details: None,
        };
        Ok((state, event))
    }

    /// Whether `role` may take `action` on a case at `stage` (configuration only).
    pub fn allows(&self, case_type: &str, stage: &str, action: &str, role: &str) -> bool {
        self.case_type(case_type)
            .and_then(|t| t.action(action))
            .is_some_and(|a| a.from.iter().any(|s| s == stage) && a.roles.iter().any(|r| r == role))
    }

    /// The actions `role` can take on a case in `state` now: allowed at its
    /// stage for the role, and not refused by the case's own state (no
    /// approving an extension nobody asked for, no second rating, no
    /// closing a mediated dispute before its follow-up visits, ...).
    pub fn available(&self, state: &CaseState, role: &str) -> Vec<&str> {
        let Some(t) = self.case_type(&state.case_type) else {
            return Vec::new();
        };
        let visits_left = (state.visits as usize) < state.follow_ups_due.len();
        t.actions
            .iter()
            .filter(|a| self.allows(&t.code, &state.stage, &a.name, role))
            .filter(|a| match a.effect {
                Some(Effect::Extend) => state.extension_requested,
                Some(Effect::RequestExtension) => !state.extension_requested,
                Some(Effect::Defer) => !state.deferred,
                Some(Effect::Publish) => !state.publishable,
                Some(Effect::Rate) => state.rating.is_none(),
                Some(Effect::Visit) => visits_left,
                Some(Effect::CloseAfterVisits) => !visits_left,
                Some(Effect::Escalate) => usize::from(state.level) + 1 < t.levels.len(),
                _ => true,
            })
            .map(|a| a.name.as_str())
            .collect()
    }

    /// Applies `cmd` at time `at`: the new state and the event, or why not.
    /// `jurisdiction` is the case's jurisdiction code, for routing.
    pub fn apply(
        &self,
        state: &CaseState,
        cmd: &Command,
        jurisdiction: &str,
        at: DateTime<Utc>,
    ) -> Result<(CaseState, Event), EngineError> {
        let t = self.type_of(&state.case_type)?;
        let action = t.action(&cmd.action).ok_or_else(|| EngineError::UnknownAction {
            case_type: t.code.clone(),
            action: cmd.action.clone(),
        })?;
        if !action.from.contains(&state.stage) {
            return Err(EngineError::WrongStage {
                action: cmd.action.clone(),
                stage: state.stage.clone(),
            });
        }
        if !action.roles.contains(&cmd.role) {
            return Err(EngineError::Forbidden {
                role: cmd.role.clone(),
                action: cmd.action.clone(),
            });
        }
        let reason = cmd.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
        if action.needs_reason && reason.is_none() {
            return Err(EngineError::ReasonRequired {
                action: cmd.action.clone(),
            });
        }
        let cal = &self.calendar;
        let mut next = state.clone();
        match action.effect {
            None | Some(Effect::Assist) | Some(Effect::Warn) | Some(Effect::Dissuade) | Some(Effect::Answer) => {}
            Some(Effect::Dispatch) => {
                let route = self.route(jurisdiction, &state.category);
                let lead = match (&cmd.department, &route) {
                    (Some(d), _) if self.is_department(d) => d.clone(),
                    (Some(d), _) => return Err(EngineError::Invalid(format!("{d:?} is not a department"))),
                    (None, Some(r)) => r.lead.clone(),
                    (None, None) => {
                        return Err(EngineError::Invalid(format!(
                            "no routing rule for {} in {jurisdiction:?}: name the department",
                            state.category
                        )));
                    }
                };
                next.co_departments = route.map(|r| r.co).unwrap_or_default();
                next.co_departments.retain(|d| *d != lead);
                next.department = Some(lead);
            }
            Some(Effect::Return) => {
                next.returns += 1;
                next.department = None;
                next.co_departments.clear();
            }
            Some(Effect::Rework) => next.reworks += 1,
            Some(Effect::RequestExtension) => {
                if state.extension_requested {
                    return Err(EngineError::Invalid("an extension is already requested".into()));
                }
                next.extension_requested = true;
            }
            Some(Effect::Extend) => {
                if !state.extension_requested {
                    return Err(EngineError::Invalid("no extension has been requested".into()));
                }
                next.extension_requested = false;
                next.extensions += 1;
                next.due_at = cal.add(state.due_at, t.extension);
            }
            Some(Effect::Defer) => next.deferred = true,
            Some(Effect::Supervise) => {
                next.supervisions += 1;
                next.supervised_at = Some(at);
            }
            Some(Effect::Assign) => {
                let who = cmd.assignee.as_deref().map(str::trim).filter(|a| !a.is_empty());
                let who = who.ok_or_else(|| EngineError::Invalid("assign needs the person (assignee)".into()))?;
                if state.case_type == "dispute"
                    && !self.mediators.is_empty()
                    && !self.mediators.iter().any(|m| m.name == who)
                {
                    return Err(EngineError::Invalid(format!("{who:?} is not in the mediator pool")));
                }
                next.assignee = Some(who.to_string());
            }
            Some(Effect::Session) => next.sessions += 1,
            Some(Effect::Agree) => {
                next.follow_ups_due = t.follow_ups.iter().map(|s| cal.add(at, *s)).collect();
                next.visits = 0;
            }
            Some(Effect::Escalate) => {
                if usize::from(state.level) + 1 >= t.levels.len() {
                    return Err(EngineError::Invalid(format!(
                        "already at the top level ({}): refer it instead",
                        t.levels[usize::from(state.level)]
                    )));
                }
                next.level += 1;
                next.assignee = None;
            }
            Some(Effect::Visit) => {
                if next.visits as usize >= next.follow_ups_due.len() {
                    return Err(EngineError::Invalid("every follow-up visit is already done".into()));
                }
                next.visits += 1;
            }
            Some(Effect::CloseAfterVisits) if (state.visits as usize) < state.follow_ups_due.len() => {
                return Err(EngineError::Invalid(format!(
                    "{} of {} follow-up visits done: visit before closing",
                    state.visits,
                    state.follow_ups_due.len()
                )));
            }
            Some(Effect::CloseAfterVisits) => {}
            Some(Effect::Publish) => {
                if state.publishable {
                    return Err(EngineError::Invalid("the description is already public".into()));
                }
                next.publishable = true;
            }
            Some(Effect::Rate) => {
                if state.rating.is_some() {
                    return Err(EngineError::Invalid("the request is already rated".into()));
                }
                match cmd.rating {
                    Some(r @ 1..=5) => next.rating = Some(r),
                    _ => return Err(EngineError::Invalid("a rating is a whole number from 1 to 5".into())),
                }
            }
        }
        if let Some(to) = &action.to {
            if *to != state.stage || action.effect == Some(Effect::Assign) {
                next.stage_due_at = t.stage(to).and_then(|s| s.limit).map(|l| cal.add(at, l));
            }
            next.stage = to.clone();
            if t.stage(to).is_some_and(|s| s.terminal) && next.closed_at.is_none() {
                next.closed_at = Some(at);
            }
        }
        *next.actions.entry(cmd.action.clone()).or_insert(0) += 1;
        next.version = state.version + 1;
        next.updated_at = Some(at);
        let event = Event {
            action: cmd.action.clone(),
            from_stage: Some(state.stage.clone()),
            to_stage: next.stage.clone(),
            actor: cmd.actor.clone(),
            role: cmd.role.clone(),
            at,
            reason: reason.map(String::from),
            version: next.version,
            details: cmd.details.clone(),
        };
        Ok((next, event))
    }

    /// Whether the case is past its due time or its stage's limit at `now`
    /// (never while closed or paused).
    pub fn is_overdue(&self, state: &CaseState, now: DateTime<Utc>) -> bool {
        let Some(t) = self.case_type(&state.case_type) else {
            return false;
        };
        let Some(stage) = t.stage(&state.stage) else {
            return false;
        };
        if stage.terminal || stage.paused {
            return false;
        }
        now > state.due_at || state.stage_due_at.is_some_and(|d| now > d)
    }

    /// The deadline a case has passed at `now` and that no supervision has
    /// answered yet: the moment supervision (督办) is due for.
    pub fn needs_supervision(&self, state: &CaseState, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if !self.is_overdue(state, now) {
            return None;
        }
        let passed = [Some(state.due_at), state.stage_due_at]
            .into_iter()
            .flatten()
            .filter(|d| *d < now)
            .max()?;
        match state.supervised_at {
            Some(s) if s >= passed => None,
            _ => Some(passed),
        }
    }

    /// Adds a span in the configured working calendar.
    pub fn add_span(&self, at: DateTime<Utc>, span: Span) -> DateTime<Utc> {
        self.calendar.add(at, span)
    }
}

/// The code a case keeps across every body that handles it:
/// `<prefix>-<jurisdiction>-<yyyymmdd>-<seq>`, e.g. `YH-330203-20261128-0007`.
pub fn case_code(prefix: &str, jurisdiction: &str, local_date: chrono::NaiveDate, seq: u32) -> String {
    let j = if jurisdiction.is_empty() {
        "000000"
    } else {
        jurisdiction
    };
    format!("{prefix}-{j}-{}-{seq:04}", local_date.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cfg() -> CaseConfig {
        CaseConfig::builtin()
    }

    fn at(h: u32) -> DateTime<Utc> {
        // 2026-03-02 is a Monday; 01:00 UTC is 09:00 in Shanghai.
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap() + chrono::Duration::hours(i64::from(h))
    }

    fn cmd(action: &str, role: &str) -> Command {
        Command {
            action: action.into(),
            role: role.into(),
            actor: format!("{role}-1"),
            ..Default::default()
        }
    }

    fn run(c: &CaseConfig, s: &CaseState, steps: &[Command]) -> Result<CaseState, EngineError> {
        let mut s = s.clone();
        for (i, step) in steps.iter().enumerate() {
            s = c.apply(&s, step, "330203001", at(i as u32 + 1))?.0;
        }
        Ok(s)
    }

    #[test]
    fn a_hazard_goes_round_the_loop_with_a_rework() {
        let c = cfg();
        let (s, e) = c.open("hazard", "hazard.fire", "officer", "o1", at(0)).unwrap();
        assert_eq!((s.stage.as_str(), e.version), ("accepted", 1));
        let rework = Command {
            reason: Some("exit still blocked".into()),
            ..cmd("rework", "officer")
        };
        let s = run(
            &c,
            &s,
            &[
                cmd("register", "officer"),
                cmd("dispatch", "commander"),
                cmd("start", "department"),
                cmd("report", "department"),
                rework,
                cmd("report", "department"),
                cmd("verify", "officer"),
                cmd("close", "officer"),
            ],
        )
        .unwrap();
        assert_eq!(s.stage, "closed");
        assert_eq!((s.reworks, s.version), (1, 9));
        assert_eq!(s.department.as_deref(), Some("fire"));
        assert_eq!(s.co_departments, ["housing"]);
        assert!(s.closed_at.is_some() && !c.is_overdue(&s, at(10_000)));
        assert_eq!((s.actions["report"], s.actions["rework"]), (2, 1));
    }

    #[test]
    fn refusals_say_why() {
        let c = cfg();
        let (s, _) = c.open("hazard", "hazard.fire", "officer", "o1", at(0)).unwrap();
        let e = |cmd: Command| c.apply(&s, &cmd, "", at(1)).unwrap_err();
        assert_eq!(e(cmd("close", "officer")).code(), "wrong_stage");
        assert_eq!(e(cmd("register", "volunteer")).code(), "forbidden");
        assert!(matches!(
            e(cmd("reject", "officer")),
            EngineError::ReasonRequired { .. }
        ));
        assert!(matches!(e(cmd("fly", "officer")), EngineError::UnknownAction { .. }));
        assert!(c.open("hazard", "dispute.family", "officer", "o1", at(0)).is_err());
        assert_eq!(
            c.open("request", "request.noise", "department", "d", at(0))
                .unwrap_err()
                .code(),
            "forbidden"
        );
        assert!(c.open("request", "request.noise", "citizen", "c", at(0)).is_ok());
    }

    #[test]
    fn extensions_need_a_request_and_move_the_due_time() {
        let c = cfg();
        let (s, _) = c.open("request", "request.noise", "citizen", "c", at(0)).unwrap();
        let s = run(
            &c,
            &s,
            &[
                cmd("register", "officer"),
                cmd("dispatch", "analyst"),
                cmd("start", "department"),
            ],
        )
        .unwrap();
        assert!(c.apply(&s, &cmd("approve_extension", "commander"), "", at(5)).is_err());
        let ask = Command {
            reason: Some("parts on order".into()),
            ..cmd("request_extension", "department")
        };
        let (s2, _) = c.apply(&s, &ask, "", at(5)).unwrap();
        let (s3, _) = c.apply(&s2, &cmd("approve_extension", "commander"), "", at(6)).unwrap();
        assert_eq!(s3.extensions, 1);
        assert_eq!(s3.due_at, c.calendar.add(s.due_at, Span::WorkingDays(3)));
    }

    /// The actions offered are exactly those the stage and role allow and the
    /// case's state does not refuse: an extension is approved only once asked.
    #[test]
    fn only_actions_the_state_allows_are_offered() {
        let c = cfg();
        for t in c.types.values() {
            let (opened, _) = c.open(&t.code, &t.categories[0], &t.opened_by[0], "x", at(0)).unwrap();
            for stage in &t.stages {
                for role in &c.roles {
                    let mut s = opened.clone();
                    s.stage = stage.code.clone();
                    let offered = c.available(&s, role);
                    for a in &offered {
                        assert!(c.allows(&t.code, &stage.code, a, role), "{a} at {}", stage.code);
                    }
                    let extend = |s: &CaseState| {
                        c.available(s, role)
                            .iter()
                            .any(|a| t.action(a).is_some_and(|x| x.effect == Some(Effect::Extend)))
                    };
                    assert!(!extend(&s), "{}: approving an extension nobody asked for", stage.code);
                    s.extension_requested = true;
                    let can = t
                        .actions
                        .iter()
                        .any(|x| x.effect == Some(Effect::Extend) && c.allows(&t.code, &stage.code, &x.name, role));
                    assert_eq!(extend(&s), can);
                }
            }
        }
    }

    #[test]
    fn disputes_escalate_and_close_only_after_follow_ups() {
        let c = cfg();
        let (s, _) = c.open("dispute", "dispute.neighbour", "officer", "o1", at(0)).unwrap();
        let assign = Command {
            assignee: Some(c.mediators[0].name.clone()),
            ..cmd("assign", "officer")
        };
        let why = |a: &str, r: &str| Command {
            reason: Some("no agreement".into()),
            ..cmd(a, r)
        };
        let s = run(
            &c,
            &s,
            &[
                cmd("register", "officer"),
                assign.clone(),
                cmd("session", "mediator"),
                why("fail", "mediator"),
                why("escalate", "officer"),
            ],
        )
        .unwrap();
        assert_eq!(
            (s.stage.as_str(), s.level, s.assignee.as_deref()),
            ("registered", 1, None)
        );
        let terms = Command {
            reason: Some("双方同意：夜间十点后停止装修，赔偿 800 元".into()),
            ..cmd("agree", "mediator")
        };
        let s = run(&c, &s, &[assign, cmd("session", "mediator")]).unwrap();
        assert!(
            matches!(
                c.apply(&s, &cmd("agree", "mediator"), "", at(9)),
                Err(EngineError::ReasonRequired { .. })
            ),
            "an agreement states its terms"
        );
        let s = run(&c, &s, &[terms]).unwrap();
        assert_eq!(s.follow_ups_due.len(), 2);
        assert!(
            c.apply(&s, &cmd("close", "officer"), "", at(20)).is_err(),
            "visits first"
        );
        let s = run(&c, &s, &[cmd("visit", "volunteer"), cmd("visit", "mediator")]).unwrap();
        assert!(c.apply(&s, &cmd("visit", "mediator"), "", at(20)).is_err());
        let (s, _) = c.apply(&s, &cmd("close", "officer"), "", at(20)).unwrap();
        assert_eq!(s.stage, "closed");
    }

    /// Every role, every action, every stage of every type: allowed exactly
    /// when the configuration lists that stage and that role for the action.
    #[test]
    fn each_role_can_do_exactly_what_the_configuration_allows() {
        let c = cfg();
        let mut checked = 0;
        for t in c.types.values() {
            let (opened, _) = c.open(&t.code, &t.categories[0], &t.opened_by[0], "o", at(0)).unwrap();
            for stage in &t.stages {
                for action in &t.actions {
                    for role in &c.roles {
                        // A case ready for the action's own preconditions.
                        let state = CaseState {
                            stage: stage.code.clone(),
                            extension_requested: action.effect == Some(Effect::Extend),
                            follow_ups_due: vec![at(1)],
                            visits: u32::from(action.effect == Some(Effect::CloseAfterVisits)),
                            ..opened.clone()
                        };
                        let cmd = Command {
                            reason: Some("r".into()),
                            assignee: Some(c.mediators[0].name.clone()),
                            rating: Some(5),
                            ..cmd(&action.name, role)
                        };
                        let got = c.apply(&state, &cmd, "330203001", at(2));
                        let allowed = action.from.contains(&stage.code) && action.roles.contains(role);
                        assert_eq!(
                            got.is_ok(),
                            allowed,
                            "{} {} {} {}: {:?}",
                            t.code,
                            stage.code,
                            action.name,
                            role,
                            got.err()
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 2000, "{checked}");
    }

    #[test]
    fn supervision_is_due_once_per_passed_deadline() {
        let c = cfg();
        let (s, _) = c.open("hazard", "hazard.fire", "officer", "o1", at(0)).unwrap();
        // Accepted at 09:00 Monday with a 4 h limit: overdue from 14:30.
        assert_eq!(c.needs_supervision(&s, at(3)), None);
        let due = c.needs_supervision(&s, at(6)).unwrap();
        assert_eq!(Some(due), s.stage_due_at);
        let (s, _) = c.apply(&s, &cmd("supervise", "system"), "", at(6)).unwrap();
        assert_eq!(c.needs_supervision(&s, at(7)), None, "answered");
        assert!(c.is_overdue(&s, at(7)));
    }

    #[test]
    fn case_codes_read_well() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(case_code("YH", "330203", d, 7), "YH-330203-20261128-0007");
        assert_eq!(case_code("SQ", "", d, 12345), "SQ-000000-20261128-12345");
    }

    proptest::proptest! {
        /// No sequence of actions by any roles reaches a stage, or takes an
        /// action, that the configuration does not allow; refused actions
        /// change nothing, and every accepted one bumps the version by one.
        #[test]
        fn only_configured_moves(type_pick in 0usize..16, steps in proptest::collection::vec((0usize..40, 0usize..10, proptest::bool::ANY, 1u8..7), 1..60)) {
            let c = cfg();
            let t = c.types.values().nth(type_pick % c.types.len()).unwrap();
            let (mut s, _) = c.open(&t.code, &t.categories[0], &t.opened_by[0], "o", at(0)).unwrap();
            for (i, (a, r, with_reason, rating)) in steps.into_iter().enumerate() {
                let action = &t.actions[a % t.actions.len()];
                let role = &c.roles[r % c.roles.len()];
                let cmd = Command {
                    action: action.name.clone(),
                    role: role.clone(),
                    actor: "x".into(),
                    reason: with_reason.then(|| "because".into()),
                    department: None,
                    assignee: Some(c.mediators[0].name.clone()),
                    rating: Some(rating),
                    details: None,
                };
                let before = s.clone();
                match c.apply(&s, &cmd, "330203001", at(i as u32 + 1)) {
                    Ok((next, e)) => {
                        proptest::prop_assert!(c.allows(&t.code, &before.stage, &action.name, role));
                        proptest::prop_assert_eq!(next.stage.clone(), action.to.clone().unwrap_or(before.stage.clone()));
                        proptest::prop_assert_eq!(next.version, before.version + 1);
                        proptest::prop_assert_eq!(e.version, next.version);
                        s = next;
                    }
                    Err(_) => proptest::prop_assert_eq!(&s, &before),
                }
                proptest::prop_assert!(t.stage(&s.stage).is_some());
            }
        }
    }
}

//! Notifications waiting to be delivered (dispatch, return, 督办 ...), each
//! to one channel, retried with backoff until delivered or given up; every
//! attempt is kept.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// A notification to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// What makes it unique (case, event version, channel): queued once.
    pub key: String,
    /// The channel's name in the deployment's channel file.
    pub channel: String,
    pub case_code: String,
    /// What happened: `dispatch`, `return`, `supervise`, `assign`, ...
    pub event: String,
    /// The message, as the channel will send it.
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A notification in the outbox and how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notification {
    pub id: i64,
    pub channel: String,
    pub case_code: String,
    pub event: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub attempts: u32,
    /// When the next attempt is due (none once delivered or given up).
    pub next_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub gave_up_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The outcome of one attempt to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Failed; try again at this time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    /// Failed for the last time.
    GiveUp {
        error: String,
    },
}

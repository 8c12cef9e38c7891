-- Volunteers (鸿雁志愿者): who they are, what they can do, where and when;
-- their activities (patrols, mediation, safety talks) with attendance and
-- hours. Names and phones are personal data: masked for most roles.

CREATE TABLE volunteers (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    phone        TEXT,
    skills       TEXT NOT NULL,        -- JSON list, e.g. ["mediation","first_aid"]
    areas        TEXT NOT NULL,        -- JSON list of jurisdiction codes
    availability TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1,
    joined_at    INTEGER NOT NULL
);

CREATE TABLE volunteer_activities (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind = 'patrol' OR kind = 'mediation' OR kind = 'safety_talk' OR kind = 'other'),
    title        TEXT NOT NULL,
    jurisdiction TEXT,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL CHECK (ends_at > starts_at),
    reach        INTEGER NOT NULL DEFAULT 0,   -- people reached (safety talks)
    case_code    TEXT                           -- the case it served, if any
);
CREATE INDEX volunteer_activities_time ON volunteer_activities (starts_at);

CREATE TABLE volunteer_attendance (
    activity_id  INTEGER NOT NULL REFERENCES volunteer_activities(id),
    volunteer_id INTEGER NOT NULL REFERENCES volunteers(id),
    hours        REAL NOT NULL CHECK (hours > 0 AND hours <= 24),
    PRIMARY KEY (activity_id, volunteer_id)
) WITHOUT ROWID;
CREATE INDEX volunteer_attendance_volunteer ON volunteer_attendance (volunteer_id);

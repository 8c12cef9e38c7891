//! Police strength as people: who a member of staff is (民警, 辅警, 巡特警),
//! what they are qualified for, and the kinds of leave they take. The rules
//! that need a roster (a 民警 leads every crew, rest between shifts) live
//! with the duty configuration in [`crate::duty`].

use serde::{Deserialize, Serialize};

/// What a member of staff is, which decides what they may do alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffKind {
    /// 民警: a sworn officer; leads a crew and may be on duty alone.
    Officer,
    /// 辅警: auxiliary police; never on patrol without a 民警.
    Auxiliary,
    /// 巡特警: sworn patrol and special police.
    Special,
}

impl StaffKind {
    pub const ALL: [StaffKind; 3] = [StaffKind::Officer, StaffKind::Auxiliary, StaffKind::Special];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffKind::Officer => "officer",
            StaffKind::Auxiliary => "auxiliary",
            StaffKind::Special => "special",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            StaffKind::Officer => "民警",
            StaffKind::Auxiliary => "辅警",
            StaffKind::Special => "巡特警",
        }
    }

    /// Reads the code or the Chinese word a personnel export uses.
    pub fn parse(s: &str) -> Option<StaffKind> {
        match s.trim() {
            "officer" | "民警" | "警察" => Some(StaffKind::Officer),
            "auxiliary" | "辅警" | "警务辅助人员" => Some(StaffKind::Auxiliary),
            "special" | "巡特警" | "特警" => Some(StaffKind::Special),
            _ => None,
        }
    }

    /// Sworn police lead crews and may hold the station's duty alone.
    pub fn is_sworn(self) -> bool {
        self != StaffKind::Auxiliary
    }
}

/// Qualifications a crew or a post may ask for, with the Chinese words an
/// export uses.
pub const QUALIFICATIONS: [(&str, &str); 7] = [
    ("driving", "驾驶"),
    ("firearm", "持枪"),
    ("mediation", "调解"),
    ("first_aid", "急救"),
    ("english", "英语"),
    ("sign_language", "手语"),
    ("dialect", "方言"),
];

/// The qualification code for a code or its Chinese word.
pub fn qualification(s: &str) -> Option<&'static str> {
    let s = s.trim();
    QUALIFICATIONS
        .iter()
        .find(|(code, zh)| *code == s || *zh == s)
        .map(|(code, _)| *code)
}

/// Kinds of leave, with their Chinese names. The last two, a day off
/// wished for ([`WISH_OFF`]) and a day wished to work ([`WISH_ON`]), are
/// not leave: the roster grants them where the cover allows, at a cost,
/// and the person stays available.
pub const LEAVE_KINDS: [(&str, &str); 7] = [
    ("annual", "年休假"),
    ("sick", "病假"),
    ("personal", "事假"),
    ("training", "培训"),
    ("compensatory", "调休"),
    (WISH_OFF, "希望休息"),
    (WISH_ON, "希望上班"),
];

/// The kind of a day off wished for (排班意愿), not taken as leave.
pub const WISH_OFF: &str = "wish_off";

/// The kind of a day wished to work (排班意愿: 希望上班), any shift.
pub const WISH_ON: &str = "wish_on";

/// Whether leave of `kind` keeps its person away (a wish does not).
pub fn keeps_away(kind: &str) -> bool {
    kind != WISH_OFF && kind != WISH_ON
}

/// A 警号: letters, digits and hyphens, 1 to 16 of them.
pub fn valid_badge(badge: &str) -> bool {
    (1..=16).contains(&badge.len()) && badge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_codes_and_chinese_words() {
        for k in StaffKind::ALL {
            assert_eq!(StaffKind::parse(k.as_str()), Some(k));
            assert_eq!(StaffKind::parse(k.zh()), Some(k));
        }
        assert!(StaffKind::Officer.is_sworn() && StaffKind::Special.is_sworn());
        assert!(!StaffKind::Auxiliary.is_sworn());
        assert_eq!(StaffKind::parse("协警"), None);
    }

    #[test]
    fn qualifications_and_badges() {
        assert_eq!(qualification("驾驶"), Some("driving"));
        assert_eq!(qualification(" first_aid "), Some("first_aid"));
        assert_eq!(qualification("飞行"), None);
        assert!(valid_badge("031245") && valid_badge("FJ-0012"));
        assert!(!valid_badge("") && !valid_badge("03 12") && !valid_badge("警号1") && !valid_badge(&"1".repeat(17)));
    }
}

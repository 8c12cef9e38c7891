//! A dispute's escalation risk (the 民转刑 warning), graded by a transparent
//! points table so every grade comes with its reasons: threats made, earlier
//! incidents between the same parties or at the same address, earlier
//! disputes between them, a vulnerable party. Not a score of a person: it
//! grades the situation, and each reason is a fact someone recorded.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskFacts {
    pub threats: bool,
    /// Incidents (110) earlier between the same parties or at the same address.
    pub earlier_incidents: u32,
    /// Disputes earlier between the same parties.
    pub earlier_disputes: u32,
    /// A party is a minor, elderly, disabled or otherwise vulnerable.
    pub vulnerable_party: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub points: u32,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub grade: Grade,
    pub points: u32,
    pub reasons: Vec<Reason>,
}

/// Points: threats 3; each earlier incident 2 (at most 4); each earlier
/// dispute 1 (at most 3); a vulnerable party 2. Grades: 0-1 low, 2-3
/// medium, 4-5 high, 6 and more critical.
pub fn assess(f: &RiskFacts) -> Assessment {
    let mut reasons = Vec::new();
    if f.threats {
        reasons.push(Reason {
            code: "threats",
            points: 3,
            zh: "有威胁言行".into(),
            en: "threats were made".into(),
        });
    }
    if f.earlier_incidents > 0 {
        reasons.push(Reason {
            code: "earlier_incidents",
            points: (2 * f.earlier_incidents).min(4),
            zh: format!("同一当事人或地址此前有 {} 起警情", f.earlier_incidents),
            en: format!(
                "{} earlier incident(s) between the same parties or at the same address",
                f.earlier_incidents
            ),
        });
    }
    if f.earlier_disputes > 0 {
        reasons.push(Reason {
            code: "repeated",
            points: f.earlier_disputes.min(3),
            zh: format!("同一当事人此前有 {} 起纠纷", f.earlier_disputes),
            en: format!("{} earlier dispute(s) between the same parties", f.earlier_disputes),
        });
    }
    if f.vulnerable_party {
        reasons.push(Reason {
            code: "vulnerable",
            points: 2,
            zh: "涉及弱势当事人".into(),
            en: "a vulnerable party is involved".into(),
        });
    }
    let points = reasons.iter().map(|r| r.points).sum();
    let grade = match points {
        0..=1 => Grade::Low,
        2..=3 => Grade::Medium,
        4..=5 => Grade::High,
        _ => Grade::Critical,
    };
    Assessment { grade, points, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_with_reasons() {
        assert_eq!(assess(&RiskFacts::default()).grade, Grade::Low);
        let a = assess(&RiskFacts {
            threats: true,
            earlier_incidents: 5,
            ..Default::default()
        });
        assert_eq!((a.grade, a.points), (Grade::Critical, 7));
        assert_eq!(
            a.reasons.iter().map(|r| r.code).collect::<Vec<_>>(),
            ["threats", "earlier_incidents"]
        );
        let b = assess(&RiskFacts {
            earlier_disputes: 2,
            ..Default::default()
        });
        assert_eq!(b.grade, Grade::Medium);
    }

    proptest::proptest! {
        /// More facts never lower the grade.
        #[test]
        fn monotone(t in proptest::bool::ANY, i in 0u32..6, d in 0u32..6, v in proptest::bool::ANY) {
            let base = assess(&RiskFacts { threats: t, earlier_incidents: i, earlier_disputes: d, vulnerable_party: v });
            let more = assess(&RiskFacts { threats: true, earlier_incidents: i + 1, earlier_disputes: d + 1, vulnerable_party: v });
            proptest::prop_assert!(more.grade >= base.grade);
        }
    }
}

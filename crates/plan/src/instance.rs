//! The covering instance: demands with weights, facilities with the demands
//! they reach, classes with how many facilities each opens, and the rules on
//! top (fixed posts, backup weight, minimum presence).

use thiserror::Error;

/// At least `min` open facilities among `facilities` (e.g. units placed in a
/// jurisdiction).
#[derive(Debug, Clone, PartialEq)]
pub struct MinGroup {
    pub name: String,
    pub facilities: Vec<u32>,
    pub min: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Demand weight (e.g. forecast incidents) per demand point.
    pub weights: Vec<f64>,
    /// Per facility: the demand points within reach, ascending.
    pub covers: Vec<Vec<u32>>,
    /// Per facility: its class (e.g. station × unit type).
    pub class_of: Vec<u32>,
    /// Per class: how many of its facilities to open.
    pub budgets: Vec<usize>,
    /// Per demand: how many always-open facilities (fixed posts) already reach it.
    pub fixed_cover: Vec<u32>,
    /// Share of a demand's weight earned again when a second facility reaches it.
    pub backup: f64,
    pub groups: Vec<MinGroup>,
    /// Per demand: the facilities that reach it (the transpose of `covers`).
    pub(crate) reached_by: Vec<Vec<u32>>,
    /// Per class: its facilities.
    pub(crate) members: Vec<Vec<u32>>,
    /// Per facility: the groups it belongs to.
    pub(crate) groups_of: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum InstanceError {
    #[error("facility {facility} reaches demand {demand}, but there are only {demands} demand points")]
    DemandOutOfRange {
        facility: usize,
        demand: u32,
        demands: usize,
    },
    #[error("facility {facility} is in class {class}, but there are only {classes} classes")]
    ClassOutOfRange {
        facility: usize,
        class: u32,
        classes: usize,
    },
    #[error("class {class} must open {budget} facilities but has only {available}")]
    BudgetTooLarge {
        class: usize,
        budget: usize,
        available: usize,
    },
    #[error("demand {demand} has weight {weight}: weights must be finite and not negative")]
    BadWeight { demand: usize, weight: f64 },
    #[error("backup weight {0} must be finite and from 0 to 1")]
    BadBackup(f64),
    #[error("nothing to open: every class has a budget of 0")]
    NothingToOpen,
    #[error(
        "minimum presence {name:?} needs {min} units, but at most {reachable} can be placed there (short by {})",
        min - reachable
    )]
    GroupUnreachable { name: String, min: usize, reachable: usize },
    #[error("minimum presence {name:?} names facility {facility}, which does not exist")]
    GroupFacility { name: String, facility: u32 },
}

impl Instance {
    /// Checks the parts against each other and builds the indexes.
    pub fn new(
        weights: Vec<f64>,
        mut covers: Vec<Vec<u32>>,
        class_of: Vec<u32>,
        budgets: Vec<usize>,
    ) -> Result<Self, InstanceError> {
        for (demand, &weight) in weights.iter().enumerate() {
            if !weight.is_finite() || weight < 0.0 {
                return Err(InstanceError::BadWeight { demand, weight });
            }
        }
        let mut reached_by = vec![Vec::new(); weights.len()];
        for (f, cover) in covers.iter_mut().enumerate() {
            cover.sort_unstable();
            cover.dedup();
            for &d in cover.iter() {
                let slot = reached_by.get_mut(d as usize).ok_or(InstanceError::DemandOutOfRange {
                    facility: f,
                    demand: d,
                    demands: weights.len(),
                })?;
                slot.push(f as u32);
            }
        }
        let mut members = vec![Vec::new(); budgets.len()];
        for (f, &class) in class_of.iter().enumerate() {
            members
                .get_mut(class as usize)
                .ok_or(InstanceError::ClassOutOfRange {
                    facility: f,
                    class,
                    classes: budgets.len(),
                })?
                .push(f as u32);
        }
        for (class, (&budget, m)) in budgets.iter().zip(&members).enumerate() {
            if budget > m.len() {
                return Err(InstanceError::BudgetTooLarge {
                    class,
                    budget,
                    available: m.len(),
                });
            }
        }
        if budgets.iter().all(|&b| b == 0) {
            return Err(InstanceError::NothingToOpen);
        }
        let n = weights.len();
        Ok(Self {
            weights,
            groups_of: vec![Vec::new(); covers.len()],
            covers,
            class_of,
            budgets,
            fixed_cover: vec![0; n],
            backup: 0.0,
            groups: Vec::new(),
            reached_by,
            members,
        })
    }

    /// One class: open `p` of the facilities (the textbook problem).
    pub fn single_class(weights: Vec<f64>, covers: Vec<Vec<u32>>, p: usize) -> Result<Self, InstanceError> {
        let n = covers.len();
        Self::new(weights, covers, vec![0; n], vec![p])
    }

    pub fn with_backup(mut self, backup: f64) -> Result<Self, InstanceError> {
        if !(0.0..=1.0).contains(&backup) {
            return Err(InstanceError::BadBackup(backup));
        }
        self.backup = backup;
        Ok(self)
    }

    /// Demands already reached by always-open posts: `fixed_cover[d]` posts reach demand d.
    pub fn with_fixed_cover(mut self, fixed_cover: Vec<u32>) -> Self {
        assert_eq!(fixed_cover.len(), self.weights.len(), "one fixed count per demand");
        self.fixed_cover = fixed_cover;
        self
    }

    /// Adds minimum-presence rules, refusing any that no placement could meet.
    pub fn with_groups(mut self, groups: Vec<MinGroup>) -> Result<Self, InstanceError> {
        for (g, group) in groups.iter().enumerate() {
            let mut per_class = vec![0usize; self.budgets.len()];
            for &f in &group.facilities {
                let class = *self
                    .class_of
                    .get(f as usize)
                    .ok_or_else(|| InstanceError::GroupFacility {
                        name: group.name.clone(),
                        facility: f,
                    })?;
                per_class[class as usize] += 1;
                self.groups_of[f as usize].push(g as u32);
            }
            let reachable: usize = per_class.iter().zip(&self.budgets).map(|(n, b)| (*n).min(*b)).sum();
            if reachable < group.min {
                return Err(InstanceError::GroupUnreachable {
                    name: group.name.clone(),
                    min: group.min,
                    reachable,
                });
            }
        }
        self.groups = groups;
        Ok(self)
    }

    pub fn demands(&self) -> usize {
        self.weights.len()
    }

    pub fn facilities(&self) -> usize {
        self.covers.len()
    }

    pub fn total_weight(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Value of a demand reached `count` times, per unit of its weight.
    pub(crate) fn value(&self, count: u32) -> f64 {
        match count {
            0 => 0.0,
            1 => 1.0,
            _ => 1.0 + self.backup,
        }
    }

    /// What one more cover adds to a demand reached `count` times, per unit of weight.
    pub(crate) fn increment(&self, count: u32) -> f64 {
        match count {
            0 => 1.0,
            1 => self.backup,
            _ => 0.0,
        }
    }
}

/// A line of an instance file that could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Reads the covering-instance text format: `n_demand n_sites p`, then per
/// demand `weight k site_1 ... site_k` (0-based sites that reach it).
pub fn parse_mclp(text: &str) -> Result<Instance, ParseError> {
    let err = |line: usize, message: String| ParseError { line, message };
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, head) = lines.next().ok_or_else(|| err(1, "empty file".into()))?;
    let head: Vec<&str> = head.split_whitespace().collect();
    let number = |line: usize, field: &str, s: &str| -> Result<usize, ParseError> {
        s.parse()
            .map_err(|_| err(line, format!("{field} {s:?} is not a whole number")))
    };
    let [n, m, p] = head[..] else {
        return Err(err(
            1,
            format!("expected `n_demand n_sites p`, found {} fields", head.len()),
        ));
    };
    let (n, m, p) = (number(1, "n_demand", n)?, number(1, "n_sites", m)?, number(1, "p", p)?);
    let mut weights = Vec::with_capacity(n);
    let mut covers = vec![Vec::new(); m];
    for (i, text) in lines {
        let line = i + 1;
        if weights.len() == n {
            return Err(err(
                line,
                format!("more than the {n} demand lines the header announces"),
            ));
        }
        let mut fields = text.split_whitespace();
        let w = fields.next().unwrap_or_default();
        let weight: f64 = w
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite() && *w >= 0.0)
            .ok_or_else(|| err(line, format!("weight {w:?} is not a number >= 0")))?;
        let k = number(line, "k", fields.next().unwrap_or_default())?;
        let sites: Vec<&str> = fields.collect();
        if sites.len() != k {
            return Err(err(line, format!("k is {k} but {} sites follow", sites.len())));
        }
        for s in sites {
            let site = number(line, "site", s)?;
            if site >= m {
                return Err(err(line, format!("site {site} is out of range (n_sites = {m})")));
            }
            covers[site].push(weights.len() as u32);
        }
        weights.push(weight);
    }
    if weights.len() != n {
        return Err(err(
            text.lines().count(),
            format!("the header announces {n} demand lines, found {}", weights.len()),
        ));
    }
    Instance::single_class(weights, covers, p).map_err(|e| err(1, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_text_format() {
        let inst = parse_mclp("3 2 1\n5 1 0\n2 2 0 1\n1 0\n").unwrap();
        assert_eq!(inst.weights, [5.0, 2.0, 1.0]);
        assert_eq!(inst.covers, [vec![0, 1], vec![1]]);
        assert_eq!(inst.budgets, [1]);
        assert_eq!(inst.reached_by, [vec![0], vec![0, 1], vec![]]);
    }

    #[test]
    fn says_which_line_is_wrong() {
        let e = parse_mclp("2 2 1\n5 1 0\n2 2 0 7\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("site 7"), "{e}");
        assert_eq!(parse_mclp("2 2 1\n5 1 0\n").unwrap_err().line, 2);
        assert_eq!(parse_mclp("2 2 1\nx 1 0\n1 0\n").unwrap_err().line, 2);
        assert_eq!(parse_mclp("2 2 1\n1 2 0\n1 0\n").unwrap_err().line, 2);
        assert_eq!(parse_mclp("1 2 3\n1 1 0\n").unwrap_err().line, 1);
        assert!(parse_mclp("").is_err());
    }

    #[test]
    fn refuses_groups_that_cannot_be_met() {
        let inst = Instance::new(vec![1.0; 2], vec![vec![0], vec![1], vec![1]], vec![0, 0, 1], vec![1, 1]).unwrap();
        let e = inst
            .with_groups(vec![MinGroup {
                name: "north".into(),
                facilities: vec![0, 1],
                min: 2,
            }])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "minimum presence \"north\" needs 2 units, but at most 1 can be placed there (short by 1)"
        );
    }
}

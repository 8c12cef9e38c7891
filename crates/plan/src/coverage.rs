//! The state a search moves through: which facilities are open, how many
//! open facilities reach each demand, and the gains that follow from it.

use crate::Instance;

#[derive(Debug, Clone)]
pub(crate) struct Coverage<'a> {
    pub inst: &'a Instance,
    pub open: Vec<bool>,
    pub count: Vec<u32>,
    /// Open facilities per class and per minimum-presence group.
    pub used: Vec<usize>,
    pub in_group: Vec<usize>,
    pub value: f64,
}

impl<'a> Coverage<'a> {
    pub fn new(inst: &'a Instance) -> Self {
        let count = inst.fixed_cover.clone();
        let value = count.iter().zip(&inst.weights).map(|(&c, w)| w * inst.value(c)).sum();
        Self {
            inst,
            open: vec![false; inst.facilities()],
            count,
            used: vec![0; inst.budgets.len()],
            in_group: vec![0; inst.groups.len()],
            value,
        }
    }

    pub fn from_open(inst: &'a Instance, facilities: &[u32]) -> Self {
        let mut c = Self::new(inst);
        for &f in facilities {
            c.add(f);
        }
        c
    }

    /// What opening `f` would add.
    pub fn gain(&self, f: u32) -> f64 {
        self.inst.covers[f as usize]
            .iter()
            .map(|&d| self.inst.weights[d as usize] * self.inst.increment(self.count[d as usize]))
            .sum()
    }

    /// What closing the open facility `f` would lose.
    pub fn loss(&self, f: u32) -> f64 {
        self.inst.covers[f as usize]
            .iter()
            .map(|&d| self.inst.weights[d as usize] * self.inst.increment(self.count[d as usize] - 1))
            .sum()
    }

    pub fn add(&mut self, f: u32) {
        debug_assert!(!self.open[f as usize]);
        self.value += self.gain(f);
        self.open[f as usize] = true;
        for &d in &self.inst.covers[f as usize] {
            self.count[d as usize] += 1;
        }
        self.used[self.inst.class_of[f as usize] as usize] += 1;
        for &g in &self.inst.groups_of[f as usize] {
            self.in_group[g as usize] += 1;
        }
    }

    pub fn remove(&mut self, f: u32) {
        debug_assert!(self.open[f as usize]);
        self.value -= self.loss(f);
        self.open[f as usize] = false;
        for &d in &self.inst.covers[f as usize] {
            self.count[d as usize] -= 1;
        }
        self.used[self.inst.class_of[f as usize] as usize] -= 1;
        for &g in &self.inst.groups_of[f as usize] {
            self.in_group[g as usize] -= 1;
        }
    }

    pub fn open_list(&self) -> Vec<u32> {
        (0..self.open.len() as u32).filter(|&f| self.open[f as usize]).collect()
    }

    /// Whether every class has opened its budget and every group its minimum.
    pub fn feasible(&self) -> bool {
        self.used == self.inst.budgets && self.inst.groups.iter().zip(&self.in_group).all(|(g, &n)| n >= g.min)
    }

    /// The covered weight (first covers only), for reports.
    pub fn covered_weight(&self) -> f64 {
        self.count
            .iter()
            .zip(&self.inst.weights)
            .filter(|(c, _)| **c > 0)
            .map(|(_, w)| w)
            .sum()
    }
}

//! Maps a raw text value to a target by exact (case-insensitive) match or,
//! for patterns ending in `*`, by the longest matching prefix.

#[derive(Debug, Clone)]
pub struct Matcher<T> {
    exact: std::collections::HashMap<String, T>,
    /// (lower-case prefix, target), longest first.
    prefixes: Vec<(String, T)>,
    default: T,
}

impl<T: Clone> Matcher<T> {
    pub fn new(map: impl IntoIterator<Item = (String, T)>, default: T) -> Self {
        let mut exact = std::collections::HashMap::new();
        let mut prefixes = Vec::new();
        for (pattern, target) in map {
            let p = pattern.trim().to_lowercase();
            match p.strip_suffix('*') {
                Some(prefix) => prefixes.push((prefix.to_string(), target)),
                None => {
                    exact.insert(p, target);
                }
            }
        }
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
        Self {
            exact,
            prefixes,
            default,
        }
    }

    pub fn get(&self, raw: &str) -> &T {
        self.find(raw).unwrap_or(&self.default)
    }

    pub fn default_value(&self) -> &T {
        &self.default
    }

    /// The mapped target, or `None` when no pattern matches.
    pub fn find(&self, raw: &str) -> Option<&T> {
        self.find_exact(raw).or_else(|| self.find_prefix(raw).map(|(_, t)| t))
    }

    /// The target of an exact pattern.
    pub fn find_exact(&self, raw: &str) -> Option<&T> {
        self.exact.get(&raw.trim().to_lowercase())
    }

    /// The target of the longest prefix pattern that matches, with that
    /// prefix's length in characters.
    pub fn find_prefix(&self, raw: &str) -> Option<(usize, &T)> {
        let key = raw.trim().to_lowercase();
        self.prefixes
            .iter()
            .find(|(p, _)| key.starts_with(p.as_str()))
            .map(|(p, t)| (p.chars().count(), t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beats_prefix_and_longest_prefix_wins() {
        let m = Matcher::new(
            [
                ("ACCIDENT*".to_string(), 1),
                ("ACCIDENT - INJURY".to_string(), 2),
                ("ACCIDENT - HIT*".to_string(), 3),
            ],
            0,
        );
        assert_eq!(*m.get("accident - injury"), 2);
        assert_eq!(*m.get("ACCIDENT - HIT AND RUN - COLD"), 3);
        assert_eq!(*m.get("ACCIDENT - NON INJURY"), 1);
        assert_eq!(*m.get("THEFT"), 0);
    }
}

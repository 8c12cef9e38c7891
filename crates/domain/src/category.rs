//! The hierarchical incident code table (警情类别), with zh-CN and en names.
//!
//! The default table is modelled on the 110 classes used by Chinese police
//! command centres (criminal, public order, traffic, fire, dispute,
//! assistance, other); a deployment can replace it with its own TOML file.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Dotted code, e.g. `criminal.theft.vehicle`; the parent is the prefix.
    pub code: String,
    pub zh: String,
    pub en: String,
}

impl Category {
    pub fn parent_code(&self) -> Option<&str> {
        self.code.rsplit_once('.').map(|(p, _)| p)
    }

    /// The top-level class, e.g. `criminal`.
    pub fn top_code(&self) -> &str {
        self.code.split('.').next().unwrap_or(&self.code)
    }

    pub fn depth(&self) -> usize {
        self.code.matches('.').count()
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CategoryError {
    #[error("category table is not valid TOML: {0}")]
    Toml(String),
    #[error("category {code:?}: {reason}")]
    Invalid { code: String, reason: String },
    #[error("unknown category code {0:?}")]
    Unknown(String),
}

#[derive(Deserialize)]
struct TableFile {
    category: Vec<Category>,
}

/// A validated code table: codes unique, every parent present, names non-empty.
#[derive(Debug, Clone)]
pub struct CategoryTable {
    categories: Vec<Category>,
    by_code: HashMap<String, usize>,
}

const DEFAULT_TABLE: &str = include_str!("default_categories.toml");

impl CategoryTable {
    pub fn default_110() -> Self {
        Self::from_toml(DEFAULT_TABLE).expect("the built-in category table is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, CategoryError> {
        let file: TableFile = toml::from_str(text).map_err(|e| CategoryError::Toml(e.to_string()))?;
        Self::new(file.category)
    }

    pub fn new(categories: Vec<Category>) -> Result<Self, CategoryError> {
        let mut by_code = HashMap::new();
        for (i, c) in categories.iter().enumerate() {
            let invalid = |reason: &str| CategoryError::Invalid {
                code: c.code.clone(),
                reason: reason.into(),
            };
            let well_formed = !c.code.is_empty()
                && c.code.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
                });
            if !well_formed {
                return Err(invalid("code must be dot-separated lower-case ASCII words"));
            }
            if c.zh.trim().is_empty() || c.en.trim().is_empty() {
                return Err(invalid("needs both a zh and an en name"));
            }
            if by_code.insert(c.code.clone(), i).is_some() {
                return Err(invalid("code appears twice"));
            }
        }
        for c in &categories {
            if let Some(p) = c.parent_code()
                && !by_code.contains_key(p)
            {
                return Err(CategoryError::Invalid {
                    code: c.code.clone(),
                    reason: format!("parent {p:?} is not in the table"),
                });
            }
        }
        if !by_code.contains_key("other") {
            return Err(CategoryError::Invalid {
                code: "other".into(),
                reason: "every table needs an `other` class for unmapped incidents".into(),
            });
        }
        Ok(Self { categories, by_code })
    }

    pub fn get(&self, code: &str) -> Option<&Category> {
        self.by_code.get(code).map(|&i| &self.categories[i])
    }

    pub fn require(&self, code: &str) -> Result<&Category, CategoryError> {
        self.get(code).ok_or_else(|| CategoryError::Unknown(code.to_string()))
    }

    pub fn all(&self) -> &[Category] {
        &self.categories
    }

    pub fn top_level(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.depth() == 0)
    }

    /// True when `code` is `ancestor` or below it.
    pub fn is_within(code: &str, ancestor: &str) -> bool {
        code == ancestor || (code.starts_with(ancestor) && code.as_bytes().get(ancestor.len()) == Some(&b'.'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_has_the_seven_110_classes() {
        let t = CategoryTable::default_110();
        let tops: Vec<&str> = t.top_level().map(|c| c.code.as_str()).collect();
        assert_eq!(
            tops,
            [
                "criminal",
                "public_order",
                "traffic",
                "fire",
                "dispute",
                "assistance",
                "other"
            ]
        );
        assert_eq!(t.get("criminal.theft.vehicle").unwrap().zh, "盗窃机动车");
        assert!(t.all().len() > 40);
    }

    #[test]
    fn rejects_orphans_and_duplicates() {
        let orphan = r#"
            [[category]]
            code = "other"
            zh = "其他"
            en = "Other"
            [[category]]
            code = "x.y"
            zh = "某"
            en = "Y"
        "#;
        let e = CategoryTable::from_toml(orphan).unwrap_err().to_string();
        assert!(e.contains("parent \"x\""), "{e}");
        let dup = r#"
            [[category]]
            code = "other"
            zh = "其他"
            en = "Other"
            [[category]]
            code = "other"
            zh = "其他"
            en = "Other"
        "#;
        assert!(CategoryTable::from_toml(dup).unwrap_err().to_string().contains("twice"));
    }

    #[test]
    fn within() {
        assert!(CategoryTable::is_within("criminal.theft", "criminal"));
        assert!(CategoryTable::is_within("criminal", "criminal"));
        assert!(!CategoryTable::is_within("criminalx", "criminal"));
    }
}

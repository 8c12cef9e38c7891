//! The jurisdiction hierarchy: city / district / town / village / grid
//! (市 / 区县 / 镇街 / 村社区 / 网格).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    City,
    District,
    Town,
    Village,
    Grid,
}

impl Level {
    pub const ALL: [Level; 5] = [Level::City, Level::District, Level::Town, Level::Village, Level::Grid];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::District => "district",
            Level::Town => "town",
            Level::Village => "village",
            Level::Grid => "grid",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "city" | "市" => Some(Level::City),
            "district" | "county" | "区" | "县" | "区县" => Some(Level::District),
            "town" | "street" | "subdistrict" | "镇" | "街道" | "镇街" => Some(Level::Town),
            "village" | "community" | "村" | "社区" | "村社区" => Some(Level::Village),
            "grid" | "网格" => Some(Level::Grid),
            _ => None,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::City => "市",
            Level::District => "区县",
            Level::Town => "镇街",
            Level::Village => "村社区",
            Level::Grid => "网格",
        }
    }

    /// 0 for city .. 4 for grid.
    pub fn depth(self) -> u8 {
        self as u8
    }
}

/// A governance area. Its polygon lives in the store as GeoJSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jurisdiction {
    pub id: i64,
    /// Stable code, e.g. an administrative division code `330212` or `330212-001-03`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_in_both_languages() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
            assert_eq!(Level::parse(l.zh()), Some(l));
        }
        assert!(Level::City < Level::Grid);
    }
}

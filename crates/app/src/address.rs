//! Addresses as people write them: the building they name (the road and
//! its number, whatever was written before it and however the number was
//! written) and the road alone.

/// An address reduced to what identifies a building: the road and its
/// number, without the district, street office or community written before
/// it, with full-width characters, spaces and punctuation folded and
/// Chinese numerals before 号 read as digits. `None` when the text names no
/// numbered building (a community alone matches too much).
///
/// "鼓楼街道彩虹社区新典路88号", "新典路 ８８ 号" and "鼓楼区新典路八十八号3栋201室" are
/// all `新典路88号`.
pub fn address_key(address: &str) -> Option<String> {
    let folded: String = address
        .chars()
        .filter_map(|c| {
            let c = match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                other => other,
            };
            (!(c.is_whitespace() || c.is_ascii_punctuation() || "，。、；：·—－（）【】".contains(c))).then_some(c)
        })
        .collect();
    let folded = chinese_numbers_before_hao(&folded);
    let chars: Vec<char> = folded.chars().collect();
    let hao = chars.iter().position(|&c| c == '号')?;
    let digits_start = chars[..hao]
        .iter()
        .rposition(|c| !c.is_ascii_digit())
        .map_or(0, |p| p + 1);
    if digits_start == hao {
        return None;
    }
    let number: String = chars[digits_start..hao].iter().collect::<String>();
    let number = number.trim_start_matches('0');
    let road = strip_divisions(&chars[..digits_start].iter().collect::<String>());
    if road.chars().count() < 2 {
        return None;
    }
    Some(format!("{road}{number}号"))
}

/// Administrative divisions written before a road name, longest first.
const DIVISIONS: [&str; 12] = [
    "村民委员会",
    "居民委员会",
    "村委会",
    "居委会",
    "街道",
    "社区",
    "省",
    "市",
    "区",
    "县",
    "镇",
    "乡",
];

/// Drops "XX区", "XX街道", "XX社区" ... from the front while what is left is still a name.
fn strip_divisions(text: &str) -> String {
    let mut rest = text;
    'outer: loop {
        for (i, _) in rest.char_indices() {
            for d in DIVISIONS {
                // A one-character division needs a name before it ("市场路" is a road).
                if (i > 0 || d.chars().count() > 1) && rest[i..].starts_with(d) {
                    let after = &rest[i + d.len()..];
                    // What is left must still be a name: not a bare road end (鄞县大道 is a road).
                    if after.chars().count() >= 2 && !ROAD_ENDS.contains(&after) {
                        rest = after;
                        continue 'outer;
                    }
                }
            }
        }
        return rest.to_string();
    }
}

/// "八十八号" → "88号" (numbers below 10,000 written in Chinese numerals).
fn chinese_numbers_before_hao(text: &str) -> String {
    let digit = |c: char| {
        "〇零一二三四五六七八九".find(c).map(|b| {
            let i = "〇零一二三四五六七八九"[..b].chars().count();
            if i <= 1 { 0 } else { i as u32 - 1 }
        })
    };
    let unit = |c: char| match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && (digit(chars[i]).is_some() || unit(chars[i]).is_some()) {
            i += 1;
        }
        if i > start && chars.get(i) == Some(&'号') {
            let (mut total, mut current) = (0u32, None::<u32>);
            let mut positional = String::new();
            let has_unit = chars[start..i].iter().any(|&c| unit(c).is_some());
            for &c in &chars[start..i] {
                if let Some(d) = digit(c) {
                    current = Some(d);
                    positional.push(char::from_digit(d, 10).unwrap_or('0'));
                } else if let Some(u) = unit(c) {
                    total += current.unwrap_or(1) * u;
                    current = None;
                }
            }
            let value = if has_unit {
                (total + current.unwrap_or(0)).to_string()
            } else {
                positional
            };
            out.push_str(&value);
        } else {
            out.extend(&chars[start..i]);
        }
        if i < chars.len() {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// How the name of a road ends (大道 before 道).
const ROAD_ENDS: [&str; 11] = ["大道", "大街", "公路", "胡同", "路", "街", "道", "巷", "弄", "里", "线"];

/// The road an address lies on, for a patrol round: "鼓楼街道彩虹社区新典路88号"
/// and "彩虹村新典路八十八号" are on 新典路; a block address as US cities
/// publish them ("0000X W TERMINAL ST", "012XX S MICHIGAN AVE") on the
/// street after the block number. `None` when no road can be read.
pub fn road_name(address: &str) -> Option<String> {
    if let Some(key) = address_key(address) {
        let road = key
            .trim_end_matches('号')
            .trim_end_matches(|c: char| c.is_ascii_digit());
        // A village written before the road (XX村 is not a division to strip everywhere: 村口路).
        let road = match road.rfind('村') {
            Some(i) if i > 0 && road[i + '村'.len_utf8()..].chars().count() >= 2 => &road[i + '村'.len_utf8()..],
            _ => road,
        };
        return ROAD_ENDS.iter().any(|e| road.ends_with(e)).then(|| road.to_string());
    }
    let mut words = address.split_whitespace();
    let block = words.next()?;
    if !block.chars().any(|c| c.is_ascii_digit()) || !block.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let street: Vec<&str> = words.collect();
    street
        .iter()
        .any(|w| w.chars().any(char::is_alphabetic))
        .then(|| street.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_road_of_an_address() {
        for (address, road) in [
            ("鼓楼街道彩虹社区新典路88号", Some("新典路")),
            ("鼓楼街道彩虹村新典路八十八号", Some("新典路")),
            ("明州区古林大道12号(古林菜场)", Some("古林大道")),
            ("镇明路5号", Some("镇明路")),
            ("集士港镇鄞县大道12号", Some("鄞县大道")),
            ("村口路7号", Some("村口路")),
            ("彩虹社区3幢", None),
            ("鼓楼街道", None),
            ("0000X W TERMINAL ST", Some("W TERMINAL ST")),
            ("012XX S MICHIGAN AVE", Some("S MICHIGAN AVE")),
            ("MICHIGAN AVE", None),
            ("", None),
        ] {
            assert_eq!(road_name(address).as_deref(), road, "{address}");
        }
    }
}

//! Masking of personal data for roles that do not need it: a name keeps its
//! first character, a phone number its first three and last four digits,
//! an ID number its first six (the region) and last four.

fn keep(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len().max(1));
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

pub fn mask_name(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        None => String::new(),
        Some(first) => format!("{first}{}", "*".repeat(c.count().max(1))),
    }
}

pub fn mask_phone(phone: &str) -> String {
    keep(phone, 3, 4)
}

pub fn mask_id_number(id: &str) -> String {
    keep(id, 6, 4)
}

/// An address down to its street, without the house number: everything
/// before the first digit.
pub fn mask_address(address: &str) -> String {
    let cut = address.find(|c: char| c.is_ascii_digit()).unwrap_or(address.len());
    format!("{}…", address[..cut].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_what_identifies_nobody() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_id_number("330203199001011234"), "330203********1234");
        assert_eq!(mask_phone("110"), "***");
        assert_eq!(mask_address("海曙区中山西路12号3单元"), "海曙区中山西路…");
    }
}

//! Free text from people (titles, descriptions, addresses, names, reasons):
//! what every face accepts. Control characters are refused where the text
//! comes in, so nothing stored can break a page, a CSV file or an XML
//! document it is later written into.

use crate::EngineError;

/// Whether a character may stand in stored free text: printable text, tab
/// and line breaks; not the C0/C1 controls, DEL, nor the two non-characters
/// XML 1.0 cannot carry (U+FFFE, U+FFFF).
pub fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// Refuses `value` if it holds a character [`allowed`] refuses, naming the
/// field, the character and where it is.
pub fn check(field: &str, value: &str) -> Result<(), EngineError> {
    match value.chars().enumerate().find(|(_, c)| !allowed(*c)) {
        None => Ok(()),
        Some((at, c)) => Err(EngineError::Invalid(format!(
            "{field}: character U+{:04X} at position {} is a control character; send text only",
            c as u32,
            at + 1
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_with_where_they_are() {
        assert!(check("description", "楼下烧烤店每晚营业到凌晨两点\r\n\t第二行").is_ok());
        let e = check("description", "ab\u{1}c").unwrap_err().to_string();
        assert!(
            e.contains("U+0001") && e.contains("position 3") && e.contains("description"),
            "{e}"
        );
        for bad in ['\0', '\u{7f}', '\u{85}', '\u{1b}', '\u{FFFE}', '\u{FFFF}'] {
            assert!(check("t", &format!("x{bad}")).is_err(), "{:?}", bad);
        }
    }
}

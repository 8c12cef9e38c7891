//! Terminal output: one-line errors, progress bars, number formatting.

use crate::messages::tr;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Prints `error: ...` on stderr and returns the exit code of the error's
/// code (see `fengqiao_app::error`: 2 usage, 3 not found, 4 conflict, 5
/// refused by policy, 6 bad input, 7 unavailable, 1 internal). In Chinese
/// the code's sentence comes first and the particulars (what, where) after it.
pub fn fail(e: &fengqiao_app::Error) -> ExitCode {
    let message = match crate::messages::lang() {
        crate::messages::Lang::En => e.message.clone(),
        crate::messages::Lang::Zh => {
            let sentence = crate::messages::text(&format!("error.{}", e.code.name()), &[]);
            format!("{sentence}（{}）", e.message)
        }
    };
    eprintln!("{}", tr!("error.prefix", message = message));
    ExitCode::from(e.code.exit_code())
}

/// A byte-based progress bar on stderr, hidden when stderr is not a terminal
/// or when machine-readable output was asked for.
pub fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:40}] {bytes}/{total_bytes} {msg} ({eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

/// 1234567 -> "1,234,567"
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` padded with spaces to `width` columns, a Chinese character taking two.
pub fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(columns(text))))
}

/// `text` right-aligned in `width` columns, a Chinese character taking two.
pub fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(columns(text))))
}

fn columns(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// East Asian wide characters (CJK, fullwidth forms), which a terminal draws two columns wide.
fn is_wide(c: char) -> bool {
    matches!(u32::from(c), 0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(148_636), "148,636");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn chinese_characters_take_two_columns() {
        assert_eq!(super::pad("派出所", 10), "派出所    ");
        assert_eq!(super::pad("PS01", 6), "PS01  ");
        assert_eq!(super::pad_left("警组", 6), "  警组");
        assert_eq!(super::pad("市场监督管理局", 4), "市场监督管理局");
        assert_eq!(super::pad("（已超期）", 10), "（已超期）");
    }
}

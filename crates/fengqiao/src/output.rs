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

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(148_636), "148,636");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}

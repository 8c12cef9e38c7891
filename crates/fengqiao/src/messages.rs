//! The command line's words in zh-CN and en, from the catalogues in
//! `messages/`. The language comes from `--lang` (or `FENGQIAO_LANG`), else
//! from the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`: `zh…` is Chinese), else
//! English. Machine-readable output (JSON, CSV, GeoJSON) is never translated.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language of the command line's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[value(name = "zh-CN", alias = "zh")]
    Zh,
    #[value(name = "en")]
    En,
}

static LANG: OnceLock<Lang> = OnceLock::new();

/// Fixes the language for this run: the flag's, else the locale's.
pub fn choose(flag: Option<Lang>) {
    let lang = flag.unwrap_or_else(|| from_locale(|v| std::env::var(v).ok()));
    let _ = LANG.set(lang);
}

/// The language the locale variables name, the first one set winning (as
/// gettext reads them).
fn from_locale(var: impl Fn(&str) -> Option<String>) -> Lang {
    for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(v) = var(name).filter(|v| !v.is_empty()) {
            return if v.starts_with("zh") { Lang::Zh } else { Lang::En };
        }
    }
    Lang::En
}

pub fn lang() -> Lang {
    *LANG.get().unwrap_or(&Lang::En)
}

type Catalogue = HashMap<String, String>;

fn catalogue(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    match lang {
        Lang::Zh => ZH.get_or_init(|| parse(include_str!("../messages/zh-CN.toml"))),
        Lang::En => EN.get_or_init(|| parse(include_str!("../messages/en.toml"))),
    }
}

/// `[section] key = "text"` as `section.key -> text`.
fn parse(text: &str) -> Catalogue {
    let table: toml::Table = toml::from_str(text).expect("the catalogues are tested TOML");
    let mut out = Catalogue::new();
    for (section, keys) in table {
        if let toml::Value::Table(keys) = keys {
            for (key, value) in keys {
                if let toml::Value::String(s) = value {
                    out.insert(format!("{section}.{key}"), s);
                }
            }
        }
    }
    out
}

/// The message `key` in this run's language with its `{name}`s filled in;
/// English where the Chinese lacks it (the tests see that it never does).
pub fn text(key: &str, args: &[(&str, String)]) -> String {
    let template = catalogue(lang())
        .get(key)
        .or_else(|| catalogue(Lang::En).get(key))
        .map_or(key, String::as_str);
    fill(template, args)
}

fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after
            .find('}')
            .and_then(|close| Some((args.iter().find(|(n, _)| *n == &after[..close])?, close)));
        match value {
            Some(((_, v), close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `tr!("section.key", name = value, ...)`: a message from the catalogue.
macro_rules! tr {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::messages::text($key, &[$((stringify!($name), ($value).to_string())),*])
    };
}
pub(crate) use tr;

/// A time of day's window kind (shift, day, week) in this run's language.
pub fn window_kind(kind: &str) -> String {
    match kind {
        "shift" => tr!("forecast.shift"),
        "day" => tr!("forecast.day"),
        "week" => tr!("forecast.week"),
        other => other.to_string(),
    }
}

/// A kind of facility (station, post, market, ...) in this run's language.
pub fn place_kind(kind: &str) -> String {
    match kind {
        "station" => tr!("place.station"),
        "post" => tr!("place.post"),
        "transport" => tr!("place.transport"),
        "mall" => tr!("place.mall"),
        "bar" => tr!("place.bar"),
        "market" => tr!("place.market"),
        "school" => tr!("place.school"),
        "hospital" => tr!("place.hospital"),
        "industrial" => tr!("place.industrial"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn zh() -> Catalogue {
        parse(include_str!("../messages/zh-CN.toml"))
    }
    fn en() -> Catalogue {
        parse(include_str!("../messages/en.toml"))
    }

    fn placeholders(s: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            out.insert(after[..close].to_string());
            rest = &after[close + 1..];
        }
        out
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_placeholders() {
        let (zh, en) = (zh(), en());
        let keys = |c: &Catalogue| c.keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(keys(&zh), keys(&en));
        for (k, v) in &en {
            assert_eq!(placeholders(v), placeholders(&zh[k]), "{k}");
        }
    }

    #[test]
    fn every_error_code_has_a_sentence() {
        for code in fengqiao_app::Code::ALL {
            let key = format!("error.{}", code.name());
            assert!(zh().contains_key(&key) && en().contains_key(&key), "{key}");
        }
    }

    /// Every message key the sources ask `tr!` for is in the catalogues.
    #[test]
    fn every_key_the_code_asks_for_exists() {
        let (zh, dir) = (zh(), concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
        let mut asked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for (at, _) in text.match_indices("tr!(\"") {
                // `include_str!(` is not `tr!(`.
                if text[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let piece = &text[at + 5..];
                let key = &piece[..piece.find('"').unwrap()];
                if key == "section.key" {
                    continue;
                }
                asked += 1;
                assert!(zh.contains_key(key), "{key} is not in the catalogues");
            }
        }
        assert!(asked > 20, "{asked}");
    }

    /// The Chinese reads as Chinese: Latin words only for commands, codes
    /// and names kept as they are.
    #[test]
    fn the_chinese_catalogue_has_no_stray_english() {
        let allow = [
            "fengqiao",
            "import",
            "incidents",
            "demo",
            "equity",
            "case",
            "show",
            "user",
            "reset",
            "admin",
            "Ctrl",
            "http",
            "CSRF",
            "SHA",
            "README",
            // A statistic's name, as Chinese criminology writes it (Knox检验).
            "Knox",
        ];
        for (k, v) in zh() {
            let without_placeholders: String = {
                let mut s = v.clone();
                for p in placeholders(&v) {
                    s = s.replace(&format!("{{{p}}}"), " ");
                }
                s
            };
            for w in without_placeholders.split(|c: char| !c.is_ascii_alphabetic()) {
                assert!(w.len() < 2 || allow.contains(&w), "{k}: “{w}” in {v}");
            }
        }
    }

    /// The kinds a reject can have (`fengqiao_ingest::Reject::kind`).
    #[test]
    fn every_reject_kind_has_words() {
        let kinds = [
            "blank",
            "bad_time",
            "too_early",
            "future",
            "not_number",
            "zero_position",
            "not_lonlat",
            "outside_area",
            "field_count",
            "open_quote",
            "not_text",
        ];
        for kind in kinds {
            assert!(zh().contains_key(&format!("reject.{kind}")), "{kind}");
        }
    }

    #[test]
    fn placeholders_are_filled_and_unknown_braces_kept() {
        assert_eq!(fill("{a} of {b}", &[("a", "1".into()), ("b", "2".into())]), "1 of 2");
        assert_eq!(fill("{x} {", &[]), "{x} {");
    }

    #[test]
    fn the_locale_chooses_when_no_flag_does() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(from_locale(env(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")])), Lang::En);
        assert_eq!(
            from_locale(env(&[("LC_MESSAGES", "zh_TW.UTF-8"), ("LANG", "en_GB.UTF-8")])),
            Lang::Zh
        );
        assert_eq!(from_locale(env(&[])), Lang::En);
    }
}

//! Hit rate against coverage for every model, as a standalone SVG; the
//! `peek` ceiling (which sees the forecast period) dashed and named so.

use crate::BacktestReport;
use std::fmt::Write;

const COLOURS: [&str; 8] = [
    "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd", "#d62728", "#ff7f0e", "#17becf", "#8c564b",
];

pub fn hit_rate_svg(report: &BacktestReport, title: &str) -> String {
    let (w, h, left, bottom, top, right) = (760.0, 460.0, 60.0, 50.0, 40.0, 210.0);
    let max_cov = report.coverages.iter().copied().fold(0.0, f64::max);
    let max_hit = report
        .models
        .iter()
        .flat_map(|m| m.hit_rate.values().copied())
        .fold(0.0, f64::max)
        .max(0.05);
    let y_top = (max_hit * 10.0).ceil() / 10.0;
    let px = |c: f64| left + c / max_cov * (w - left - right);
    let py = |v: f64| h - bottom - v / y_top * (h - bottom - top);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{left}" y="24" font-size="14">{}</text>
"#,
        title.replace('&', "&amp;").replace('<', "&lt;")
    );
    for i in 0..=5 {
        let v = y_top * f64::from(i) / 5.0;
        let _ = writeln!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{y}" y2="{y}" stroke="#e5e5e5"/><text x="{}" y="{}" text-anchor="end">{v:.2}</text>"##,
            w - right,
            left - 6.0,
            py(v) + 4.0,
            y = py(v)
        );
    }
    for c in &report.coverages {
        let _ = writeln!(
            s,
            r##"<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="#e5e5e5"/><text x="{x}" y="{}" text-anchor="middle">{}%</text>"##,
            py(0.0),
            py(y_top),
            h - bottom + 18.0,
            c * 100.0,
            x = px(*c)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">coverage (share of valid cells)</text>"#,
        (left + w - right) / 2.0,
        h - 10.0
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{}" transform="rotate(-90 16 {})" text-anchor="middle">hit rate</text>"#,
        (h - bottom + top) / 2.0,
        (h - bottom + top) / 2.0
    );
    for (k, m) in report.models.iter().enumerate() {
        let ceiling = m.name == "peek";
        let colour = if ceiling { "#444444" } else { COLOURS[k % COLOURS.len()] };
        let dash = if ceiling { r#" stroke-dasharray="6 4""# } else { "" };
        let pts: Vec<String> = report
            .coverages
            .iter()
            .map(|c| format!("{:.1},{:.1}", px(*c), py(m.hit_rate[&format!("{c}")])))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>"#,
            pts.join(" ")
        );
        for p in &pts {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(s, r#"<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>"#);
        }
        let ly = top + 20.0 + 18.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<line x1="{}" x2="{}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="3"{dash}/><text x="{}" y="{}">{} ({:.3} at 5%)</text>"#,
            w - right + 10.0,
            w - right + 30.0,
            w - right + 36.0,
            ly + 4.0,
            if ceiling { "ceiling (peek)" } else { m.name.as_str() },
            m.hit_rate.get("0.05").copied().unwrap_or(0.0)
        );
    }
    s.push_str("</svg>\n");
    s
}

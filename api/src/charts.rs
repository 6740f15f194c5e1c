//! Charts where people would rather look than read: server-rendered SVG, no script and no
//! external asset, printable, each with a text alternative (`<title>`, `<desc>` and a caption
//! that says the same figures in words).
//!
//! Why by hand and not a plotting crate: the two charts are a grouped bar chart and a row of
//! horizontal bars, a hundred lines of SVG; the crates that draw them (plotters, charming)
//! bring a font stack or JavaScript and inline `style` attributes, which the pages'
//! Content-Security-Policy forbids. Colours are presentation attributes, so the CSP holds.
//!
//! Geometry is computed with `Decimal` and rounded to whole pixels: the figures are money, and
//! no float is involved anywhere between the event log and the page.

use rust_decimal::prelude::ToPrimitive as _;
use rust_decimal::Decimal;

use crate::format::{danish, danish_fixed};

/// A chart ready for a template: the SVG markup (trusted: built here from numbers and fixed
/// labels, every text escaped) and its text alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The `<svg>` element.
    pub svg: String,
    /// The same figures in words.
    pub text: String,
}

/// One series of a bar chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Its name in the legend.
    pub name: &'static str,
    /// Its colour.
    pub colour: &'static str,
    /// One value per category.
    pub values: Vec<Decimal>,
}

const WIDTH: i64 = 720;
const HEIGHT: i64 = 260;
const LEFT: i64 = 70;
const RIGHT: i64 = 10;
const TOP: i64 = 34;
const BOTTOM: i64 = 28;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Whole pixels of `value` on a scale where `max` is `span` pixels.
fn px(value: Decimal, max: Decimal, span: i64) -> i64 {
    if max.is_zero() {
        return 0;
    }
    (value.abs() * Decimal::from(span) / max)
        .round()
        .to_i64()
        .unwrap_or(0)
        .clamp(0, span)
}

/// A round top for the axis: 1, 2 or 5 times a power of ten, at least `max`.
fn nice(max: Decimal) -> Decimal {
    let mut step = Decimal::ONE;
    loop {
        for m in [1, 2, 5] {
            let candidate = step * Decimal::from(m);
            if candidate >= max {
                return candidate;
            }
        }
        match step.checked_mul(Decimal::TEN) {
            Some(s) => step = s,
            None => return max,
        }
    }
}

/// Grouped bars: per category (e.g. a year) one bar per series, drawn by size (savings are
/// negative and drawn as their amount). `id` makes the title and description ids unique.
#[must_use]
pub fn grouped_bars(
    id: &str,
    title: &str,
    unit: &str,
    categories: &[String],
    series: &[Series],
) -> Chart {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter())
        .map(|v| v.abs())
        .max()
        .unwrap_or_default();
    let top = nice(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let groups = i64::try_from(categories.len().max(1)).unwrap_or(1);
    let group_w = plot_w / groups;
    let bars = i64::try_from(series.len().max(1)).unwrap_or(1);
    let bar_w = ((group_w - 12) / bars).max(2);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    let mut words = Vec::new();
    for (c, category) in categories.iter().enumerate() {
        let parts: Vec<String> = series
            .iter()
            .map(|s| {
                let v = s.values.get(c).copied().unwrap_or_default();
                format!("{} {}", s.name.to_lowercase(), danish_fixed(v.abs(), 1))
            })
            .collect();
        words.push(format!("{category}: {}", parts.join(", ")));
    }
    let text = format!("{} ({unit}). {}.", title, words.join("; "));
    svg.push_str(&format!(r#"<desc id="{id}-d">{}</desc>"#, escape(&text)));
    // Grid and axis labels.
    for i in 0..=4_i64 {
        let value = top * Decimal::from(i) / Decimal::from(4);
        let y = TOP + plot_h - px(value, top, plot_h);
        svg.push_str(&format!(
            r##"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="#d5dbe3" stroke-width="1"/><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#4a5563">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6,
            y + 4,
            escape(&danish_fixed(value, 0))
        ));
    }
    for (c, category) in categories.iter().enumerate() {
        let c = i64::try_from(c).unwrap_or(0);
        let x0 = LEFT + c * group_w + 6;
        for (b, s) in series.iter().enumerate() {
            let b = i64::try_from(b).unwrap_or(0);
            let v = s
                .values
                .get(usize::try_from(c).unwrap_or(0))
                .copied()
                .unwrap_or_default();
            let h = px(v, top, plot_h);
            svg.push_str(&format!(
                r#"<rect x="{}" y="{}" width="{}" height="{h}" fill="{}"><title>{} {}: {}</title></rect>"#,
                x0 + b * bar_w,
                TOP + plot_h - h,
                bar_w - 1,
                s.colour,
                escape(s.name),
                escape(category),
                escape(&danish(v))
            ));
        }
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#1b2733">{}</text>"##,
            x0 + (bar_w * bars) / 2,
            HEIGHT - 8,
            escape(category)
        ));
    }
    // Legend.
    let mut x = LEFT;
    for s in series {
        svg.push_str(&format!(
            r##"<rect x="{x}" y="8" width="12" height="12" fill="{}"/><text x="{}" y="18" font-size="12" fill="#1b2733">{}</text>"##,
            s.colour,
            x + 16,
            escape(s.name)
        ));
        x += 24 + i64::try_from(s.name.chars().count()).unwrap_or(10) * 7;
    }
    svg.push_str("</svg>");
    Chart { svg, text }
}

/// Horizontal bars of rates (1 = 100 %), one row per label, with a line at 100 %. A row
/// without a rate says so instead of drawing a bar.
#[must_use]
pub fn rate_bars(id: &str, title: &str, rows: &[(String, Option<Decimal>)]) -> Chart {
    let row_h: i64 = 24;
    let height = TOP + row_h * i64::try_from(rows.len()).unwrap_or(0) + 10;
    let label_w: i64 = 60;
    let plot_w = WIDTH - label_w - 80;
    // The scale reaches 150 %, so over-realisation shows without hiding the 100 % line.
    let top = Decimal::new(15, 1);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    let words: Vec<String> = rows
        .iter()
        .map(|(label, rate)| match rate {
            Some(r) => format!("{label} {} %", danish_fixed(*r * Decimal::ONE_HUNDRED, 0)),
            None => format!("{label} ingen plan endnu"),
        })
        .collect();
    let text = format!("{title}: {}.", words.join(", "));
    svg.push_str(&format!(r#"<desc id="{id}-d">{}</desc>"#, escape(&text)));
    let hundred = label_w + px(Decimal::ONE, top, plot_w);
    for (i, (label, rate)) in rows.iter().enumerate() {
        let y = TOP + row_h * i64::try_from(i).unwrap_or(0);
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1b2733">{}</text>"##,
            label_w - 6,
            y + 15,
            escape(label)
        ));
        match rate {
            Some(r) => {
                let w = px(*r, top, plot_w);
                let colour = if *r >= Decimal::ONE {
                    "#2e7d32"
                } else {
                    "#1d4f91"
                };
                svg.push_str(&format!(
                    r##"<rect x="{label_w}" y="{}" width="{w}" height="{}" fill="{colour}"/><text x="{}" y="{}" font-size="12" fill="#1b2733">{} %</text>"##,
                    y + 3,
                    row_h - 8,
                    label_w + w + 6,
                    y + 15,
                    escape(&danish_fixed(*r * Decimal::ONE_HUNDRED, 0))
                ));
            }
            None => svg.push_str(&format!(
                r##"<text x="{}" y="{}" font-size="12" fill="#4a5563">ingen plan endnu</text>"##,
                label_w + 6,
                y + 15
            )),
        }
    }
    svg.push_str(&format!(
        r##"<line x1="{hundred}" y1="{}" x2="{hundred}" y2="{}" stroke="#b3261e" stroke-width="1" stroke-dasharray="4 3"/><text x="{hundred}" y="{}" font-size="11" text-anchor="middle" fill="#b3261e">100 %</text>"##,
        TOP - 6,
        height - 6,
        TOP - 10
    ));
    svg.push_str("</svg>");
    Chart { svg, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn bars_are_drawn_by_size_and_said_in_words() {
        let chart = grouped_bars(
            "t",
            "Plan <og> realiseret",
            "1.000 kr.",
            &["2025".into(), "2026".into()],
            &[
                Series {
                    name: "Plan",
                    colour: "#999",
                    values: vec![dec!(-100), dec!(-200)],
                },
                Series {
                    name: "Realiseret",
                    colour: "#00f",
                    values: vec![dec!(-50), dec!(0)],
                },
            ],
        );
        // The axis tops at 200: the 2026 plan bar is the full 198 px, the 2025 one half.
        assert!(
            chart.svg.contains(r##"height="198" fill="#999""##),
            "{}",
            chart.svg
        );
        assert!(chart.svg.contains(r##"height="99" fill="#999""##));
        assert!(chart.svg.contains(r##"height="50" fill="#00f""##));
        assert!(chart.svg.contains("Plan &lt;og&gt; realiseret"), "escaped");
        assert_eq!(
            chart.text,
            "Plan <og> realiseret (1.000 kr.). 2025: plan 100,0, realiseret 50,0; 2026: plan 200,0, realiseret 0,0."
        );
    }

    #[test]
    fn rates_show_their_percent_and_a_missing_plan_is_said() {
        let chart = rate_bars(
            "r",
            "Realisering",
            &[("SUD".into(), Some(dec!(0.5))), ("ØU".into(), None)],
        );
        assert!(chart.svg.contains(">50 %</text>"));
        assert!(chart.svg.contains("ingen plan endnu"));
        assert_eq!(chart.text, "Realisering: SUD 50 %, ØU ingen plan endnu.");
    }

    #[test]
    fn the_axis_is_round() {
        assert_eq!(nice(dec!(297)), dec!(500));
        assert_eq!(nice(dec!(1234.5)), dec!(2000));
        assert_eq!(nice(dec!(0.3)), dec!(1));
    }
}

/// One row of a timeline: a label and its spans over the columns (first and last column,
/// inclusive), each with a colour and the words for it.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    /// The row's label, e.g. a goal's id.
    pub label: String,
    /// The spans: first column, last column, colour, words.
    pub spans: Vec<(usize, usize, &'static str, String)>,
}

/// A timeline: columns (e.g. quarters, labelled by `column_label` where it returns one),
/// rows of coloured spans, and a dashed line at the column `now`, if given.
#[must_use]
pub fn timeline(
    id: &str,
    title: &str,
    columns: &[String],
    rows: &[TimelineRow],
    now: Option<usize>,
) -> Chart {
    let row_h: i64 = 20;
    let label_w: i64 = 70;
    let top: i64 = 30;
    let height = top + row_h * i64::try_from(rows.len()).unwrap_or(0) + 8;
    let n = i64::try_from(columns.len().max(1)).unwrap_or(1);
    let col_w = ((WIDTH - label_w - RIGHT) / n).max(4);
    let x_of = |c: usize| label_w + i64::try_from(c).unwrap_or(0) * col_w;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="diagram" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    let words: Vec<String> = rows
        .iter()
        .map(|r| {
            let spans: Vec<&str> = r.spans.iter().map(|s| s.3.as_str()).collect();
            format!("{}: {}", r.label, spans.join(", "))
        })
        .collect();
    let text = format!("{title}. {}.", words.join("; "));
    svg.push_str(&format!(r#"<desc id="{id}-d">{}</desc>"#, escape(&text)));
    // Column labels: the year at each year's first quarter, with a line down the chart.
    for (c, label) in columns.iter().enumerate() {
        if c == 0 || label.ends_with("Q1") {
            let x = x_of(c);
            svg.push_str(&format!(
                r##"<line x1="{x}" y1="{}" x2="{x}" y2="{height}" stroke="#d5dbe3" stroke-width="1"/><text x="{}" y="{}" font-size="11" fill="#4a5563">{}</text>"##,
                top - 12,
                x + 2,
                top - 4,
                escape(label.get(..4).unwrap_or(label))
            ));
        }
    }
    for (r, row) in rows.iter().enumerate() {
        let y = top + row_h * i64::try_from(r).unwrap_or(0);
        svg.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1b2733">{}</text>"##,
            label_w - 6,
            y + 14,
            escape(&row.label)
        ));
        for (first, last, colour, words) in &row.spans {
            let width =
                (i64::try_from(last.saturating_sub(*first) + 1).unwrap_or(1) * col_w - 2).max(2);
            svg.push_str(&format!(
                r#"<rect x="{}" y="{}" width="{width}" height="{}" fill="{colour}" rx="2"><title>{}: {}</title></rect>"#,
                x_of(*first) + 1,
                y + 3,
                row_h - 6,
                escape(&row.label),
                escape(words)
            ));
        }
    }
    if let Some(now) = now {
        let x = x_of(now) + col_w / 2;
        svg.push_str(&format!(
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{height}" stroke="#b3261e" stroke-width="1" stroke-dasharray="4 3"/>"##,
            top - 2
        ));
    }
    svg.push_str("</svg>");
    Chart { svg, text }
}

#[cfg(test)]
mod timeline_tests {
    use super::*;

    #[test]
    fn spans_sit_in_their_columns_and_are_said_in_words() {
        let columns: Vec<String> = ["2025Q3", "2025Q4", "2026Q1"].map(String::from).to_vec();
        let chart = timeline(
            "g",
            "Mål",
            &columns,
            &[TimelineRow {
                label: "g1".into(),
                spans: vec![(1, 2, "#b3261e", "2025Q4–2026Q1 overskredet".into())],
            }],
            Some(2),
        );
        // Three columns over 640 px: 213 each; the span starts in the second, two wide.
        assert!(
            chart
                .svg
                .contains(r##"<rect x="284" y="33" width="424" height="14" fill="#b3261e""##),
            "{}",
            chart.svg
        );
        assert!(
            chart.svg.contains(">2026</text>"),
            "a year starts at its Q1"
        );
        assert_eq!(chart.text, "Mål. g1: 2025Q4–2026Q1 overskredet.");
    }
}

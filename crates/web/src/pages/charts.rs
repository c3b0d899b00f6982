//! Small charts drawn as SVG on the server: no script, readable by screen readers through
//! their text alternative.

/// A sparkline of scores 1–5 over time, oldest first, with a text alternative.
pub fn score_trend(label: &str, scores: &[(String, i64)]) -> String {
    const W: f64 = 140.0;
    const H: f64 = 36.0;
    const PAD: f64 = 5.0;
    let n = scores.len();
    let x = |i: usize| {
        if n <= 1 {
            W / 2.0
        } else {
            PAD + (W - 2.0 * PAD) * i as f64 / (n - 1) as f64
        }
    };
    let y = |s: i64| PAD + (H - 2.0 * PAD) * (5 - s.clamp(1, 5)) as f64 / 4.0;
    let points: Vec<String> = scores
        .iter()
        .enumerate()
        .map(|(i, (_, s))| format!("{:.1},{:.1}", x(i), y(*s)))
        .collect();
    let description = format!(
        "{}: {}",
        label,
        scores
            .iter()
            .map(|(date, s)| format!("{s} op {date}"))
            .collect::<Vec<_>>()
            .join(", daarna ")
    );
    let dots: String = scores
        .iter()
        .enumerate()
        .map(|(i, (_, s))| {
            format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" class=\"score-{}\"/>",
                x(i),
                y(*s),
                (*s).clamp(1, 5)
            )
        })
        .collect();
    format!(
        "<svg class=\"trend\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">\
         <title>{}</title>\
         <line x1=\"0\" y1=\"{:.1}\" x2=\"{W}\" y2=\"{:.1}\" class=\"baseline\"/>\
         <polyline points=\"{}\" class=\"line\"/>{dots}</svg>",
        escape(&description),
        escape(&description),
        y(3),
        y(3),
        points.join(" ")
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_draws_one_point_per_assessment_and_says_it_in_words() {
        let svg = score_trend(
            "Financiën",
            &[("01-09-2026".into(), 2), ("01-11-2026".into(), 4)],
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("aria-label=\"Financiën: 2 op 01-09-2026, daarna 4 op 01-11-2026\""));
        // Score 5 is drawn at the top, 1 at the bottom.
        assert!(
            svg.contains("cy=\"18.0\" r=\"3\" class=\"score-3\"")
                || svg.contains("class=\"score-2\"")
        );
    }

    #[test]
    fn labels_are_escaped() {
        assert!(score_trend("<b>", &[("x".into(), 3)]).contains("&lt;b&gt;"));
    }
}

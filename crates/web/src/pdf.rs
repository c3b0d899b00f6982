//! The plan on paper: plain Dutch (B1) for the household to read and sign.
//!
//! Built-in PDF fonts keep the file small and need no font files; they cover the Latin-1
//! letters Dutch names use (é, ë, ï, ...). Lines are wrapped on a conservative character count.

use printpdf::{
    BuiltinFont, IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference,
};
use spil_app::plan::PlanView;
use spil_app::views::HouseholdView;
use spil_domain::plan::{dutch_date, AgreementState};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 22.0;
/// Helvetica at 11 pt averages about 5.5 pt per character; 166 mm holds ~85, keep room.
const CHARS_PER_LINE: usize = 78;

#[derive(Debug, thiserror::Error)]
#[error("PDF: {0}")]
pub struct PdfError(String);

struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    y: f32,
}

impl Writer {
    fn new(title: &str) -> Result<Self, PdfError> {
        let (doc, page, layer) = PdfDocument::new(title, Mm(PAGE_W), Mm(PAGE_H), "tekst");
        let regular = doc
            .add_builtin_font(BuiltinFont::Helvetica)
            .map_err(|e| PdfError(e.to_string()))?;
        let bold = doc
            .add_builtin_font(BuiltinFont::HelveticaBold)
            .map_err(|e| PdfError(e.to_string()))?;
        let layer = doc.get_page(page).get_layer(layer);
        Ok(Writer {
            doc,
            layer,
            regular,
            bold,
            y: PAGE_H - MARGIN,
        })
    }

    fn room(&mut self, needed: f32) {
        if self.y - needed < MARGIN {
            let (page, layer) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "tekst");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = PAGE_H - MARGIN;
        }
    }

    fn line(&mut self, text: &str, size: f32, bold: bool, indent: f32) {
        let height = size * 0.5;
        self.room(height);
        let font = if bold { &self.bold } else { &self.regular };
        self.layer
            .use_text(text, size, Mm(MARGIN + indent), Mm(self.y), font);
        self.y -= height;
    }

    /// Wrapped text; the first line may carry a prefix (a number or a dash).
    fn paragraph(&mut self, prefix: &str, text: &str, indent: f32) {
        let width = CHARS_PER_LINE.saturating_sub(indent as usize / 2).max(30);
        for (i, line) in wrap(text, width).iter().enumerate() {
            let shown = if i == 0 {
                format!("{prefix}{line}")
            } else {
                format!("{}{line}", " ".repeat(prefix.chars().count()))
            };
            self.line(&shown, 11.0, false, indent);
        }
    }

    fn heading(&mut self, text: &str) {
        self.gap(3.0);
        self.room(20.0);
        self.line(text, 14.0, true, 0.0);
        self.gap(1.0);
    }

    fn gap(&mut self, mm: f32) {
        self.y -= mm;
    }

    fn finish(self) -> Result<Vec<u8>, PdfError> {
        self.doc
            .save_to_bytes()
            .map_err(|e| PdfError(e.to_string()))
    }
}

/// Split on spaces so no line is longer than `width` characters (long words are cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while word.chars().count() > width {
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(head);
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(dutch_date)
        .unwrap_or_else(|_| iso.to_owned())
}

/// The plan as a PDF for the household.
pub fn plan_pdf(household: &HouseholdView, plan: &PlanView) -> Result<Vec<u8>, PdfError> {
    let mut families: Vec<&str> = Vec::new();
    for member in &household.members {
        if !families.contains(&member.family_name.as_str()) {
            families.push(&member.family_name);
        }
    }
    let title = format!("Ons plan - gezin {}", families.join(" / "));
    let mut w = Writer::new(&title)?;
    w.line(&title, 18.0, true, 0.0);
    w.gap(2.0);
    w.paragraph(
        "",
        &format!(
            "{} {}, {} {}",
            household.address.street,
            household.address.house_number,
            household.address.postcode,
            household.address.city
        ),
        0.0,
    );
    w.paragraph(
        "",
        &format!(
            "Versie {} van {}. Dit plan is van u: u heeft het samen met ons gemaakt.",
            plan.version,
            date(&plan.saved_at.chars().take(10).collect::<String>())
        ),
        0.0,
    );
    if let Some(regisseur) = household
        .trajectory
        .as_ref()
        .and_then(|t| t.regisseur_name.as_deref())
    {
        w.paragraph(
            "",
            &format!(
                "Uw vaste contactpersoon is {regisseur}. Heeft u vragen? Neem dan contact op."
            ),
            0.0,
        );
    }

    w.heading("Onze doelen");
    if plan.goals.is_empty() {
        w.paragraph("", "Er zijn nog geen doelen.", 0.0);
    }
    for (i, goal) in plan.goals.iter().enumerate() {
        w.gap(1.5);
        w.paragraph(&format!("{}. ", i + 1), &goal.text, 0.0);
        let who = goal
            .person_name
            .clone()
            .unwrap_or_else(|| "het hele gezin".into());
        w.paragraph("", &format!("Voor: {who}"), 6.0);
        w.paragraph(
            "",
            &format!("Zo weten we dat het gelukt is: {}", goal.result),
            6.0,
        );
        w.paragraph(
            "",
            &format!(
                "We kijken samen hoe het gaat op {}.",
                date(&goal.evaluate_on)
            ),
            6.0,
        );
        if goal.status.key() != "open" {
            w.paragraph(
                "",
                &format!("Stand: {}", goal.status.label().to_lowercase()),
                6.0,
            );
        }
    }

    w.heading("Wie doet wat");
    if plan.actions.is_empty() {
        w.paragraph("", "Er zijn nog geen acties.", 0.0);
    }
    for action in &plan.actions {
        let when = action
            .due
            .as_deref()
            .map(|d| format!(", klaar op {}", date(d)))
            .unwrap_or_default();
        let done = match action.status.key() {
            "open" => String::new(),
            _ => format!(" ({})", action.status.label().to_lowercase()),
        };
        w.paragraph(
            "- ",
            &format!("{}: {}{when}{done}", action.actor.name, action.text),
            0.0,
        );
    }

    w.heading("Onze afspraken");
    if plan.agreements.is_empty() {
        w.paragraph("", "Er zijn nog geen afspraken.", 0.0);
    }
    for agreement in &plan.agreements {
        w.paragraph("- ", agreement, 0.0);
    }

    w.heading("Akkoord");
    match (&plan.state, &plan.agreement) {
        (AgreementState::Agreed, Some(a)) => {
            w.paragraph(
                "",
                &format!(
                    "{} gaf akkoord op {} ({}).",
                    a.by_name,
                    date(&a.date),
                    a.how.label().to_lowercase()
                ),
                0.0,
            );
        }
        _ => {
            w.paragraph(
                "",
                "Bent u het eens met dit plan? Zet dan hieronder uw naam, de datum en uw handtekening.",
                0.0,
            );
            w.gap(6.0);
            w.line("Naam: ______________________________", 11.0, false, 0.0);
            w.gap(4.0);
            w.line("Datum: _____________________________", 11.0, false, 0.0);
            w.gap(4.0);
            w.line("Handtekening: ______________________", 11.0, false, 0.0);
        }
    }
    w.gap(6.0);
    w.paragraph(
        "",
        "Wilt u iets veranderen aan dit plan? Dat kan altijd. Bespreek het met uw contactpersoon.",
        0.0,
    );
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_lines_within_the_width_and_cuts_long_words() {
        let lines = wrap(
            "Fenna gaat weer elke dag naar school en vindt het er leuk",
            20,
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "Fenna gaat weer elke dag naar school en vindt het er leuk"
        );
        let long = wrap(&"a".repeat(45), 20);
        assert_eq!(
            long.iter().map(|l| l.len()).collect::<Vec<_>>(),
            vec![20, 20, 5]
        );
    }
}

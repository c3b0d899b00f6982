//! The plan on paper: plain Dutch (B1) for the household to read and sign.
//!
//! Text is set in DejaVu Sans (shipped by the `dejavu` crate and embedded in the PDF), which
//! has the letters of the names Spil meets — Turkish ı and ş, Polish ł and ę, Arabic, Cyrillic.
//! Lines are wrapped by their measured width; each line is put in visual order (Unicode bidi)
//! and Arabic letters take their joined forms, so right-to-left names read correctly.

use printpdf::{IndirectFontRef, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference};
use spil_app::plan::PlanView;
use spil_app::views::HouseholdView;
use spil_domain::plan::{dutch_date, AgreementState};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 22.0;
const TEXT_WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const PT_PER_MM: f32 = 72.0 / 25.4;

#[derive(Debug, thiserror::Error)]
#[error("PDF: {0}")]
pub struct PdfError(String);

/// A font for the PDF and its metrics for measuring text.
struct Face {
    pdf: IndirectFontRef,
    metrics: ttf_parser::Face<'static>,
}

impl Face {
    fn load(doc: &PdfDocumentReference, bytes: &'static [u8]) -> Result<Self, PdfError> {
        let metrics = ttf_parser::Face::parse(bytes, 0).map_err(|e| PdfError(e.to_string()))?;
        let pdf = doc
            .add_external_font(bytes)
            .map_err(|e| PdfError(e.to_string()))?;
        Ok(Face { pdf, metrics })
    }

    /// The width of `text` at `size` points, in millimetres.
    fn width_mm(&self, text: &str, size: f32) -> f32 {
        let units = f32::from(self.metrics.units_per_em());
        let advance: f32 = text
            .chars()
            .map(|c| {
                self.metrics
                    .glyph_index(c)
                    .and_then(|g| self.metrics.glyph_hor_advance(g))
                    .map_or(units / 2.0, f32::from)
            })
            .sum();
        advance / units * size / PT_PER_MM
    }
}

/// A line as it is drawn: Arabic letters in their joined forms, runs in visual order.
fn visual(line: &str) -> String {
    let shaped = if line.chars().any(|c| ('\u{0600}'..='\u{06ff}').contains(&c)) {
        ar_reshaper::reshape_line(line)
    } else {
        line.to_owned()
    };
    let bidi = unicode_bidi::BidiInfo::new(&shaped, Some(unicode_bidi::Level::ltr()));
    match bidi.paragraphs.first() {
        Some(paragraph) => bidi
            .reorder_line(paragraph, paragraph.range.clone())
            .into_owned(),
        None => shaped,
    }
}

struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: Face,
    bold: Face,
    y: f32,
}

impl Writer {
    fn new(title: &str) -> Result<Self, PdfError> {
        let (doc, page, layer) = PdfDocument::new(title, Mm(PAGE_W), Mm(PAGE_H), "tekst");
        let regular = Face::load(&doc, dejavu::sans::regular())?;
        let bold = Face::load(&doc, dejavu::sans::bold())?;
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

    fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    fn line(&mut self, text: &str, size: f32, bold: bool, indent: f32) {
        let height = size * 0.5;
        self.room(height);
        let shown = visual(text);
        let font = &self.face(bold).pdf;
        self.layer
            .use_text(shown, size, Mm(MARGIN + indent), Mm(self.y), font);
        self.y -= height;
    }

    /// Wrapped text; the first line may carry a prefix (a number or a dash).
    fn paragraph(&mut self, prefix: &str, text: &str, indent: f32) {
        self.wrapped(prefix, text, indent, 11.0, false);
    }

    fn wrapped(&mut self, prefix: &str, text: &str, indent: f32, size: f32, bold: bool) {
        let face = self.face(bold);
        let prefix_width = face.width_mm(prefix, size);
        let width = (TEXT_WIDTH - indent - prefix_width).max(40.0);
        let lines = wrap(text, &|t: &str| face.width_mm(t, size) <= width);
        for (i, line) in lines.iter().enumerate() {
            if i == 0 && !prefix.is_empty() {
                self.line(prefix, size, bold, indent);
                self.y += size * 0.5;
            }
            self.line(line, size, bold, indent + prefix_width);
        }
    }

    fn heading(&mut self, text: &str) {
        self.gap(3.0);
        self.room(20.0);
        self.wrapped("", text, 0.0, 14.0, true);
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

/// Split on spaces into lines that `fits` (a word too long for a line is cut).
fn wrap(text: &str, fits: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone: cut it where it stops fitting.
            let mut rest: String = word.to_owned();
            while !fits(&rest) {
                let mut head = String::new();
                for c in rest.chars() {
                    head.push(c);
                    if !fits(&head) {
                        head.pop();
                        break;
                    }
                }
                if head.is_empty() {
                    head = rest.chars().take(1).collect();
                }
                rest = rest.chars().skip(head.chars().count()).collect();
                lines.push(head);
            }
            line = rest;
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
    w.wrapped("", &title, 0.0, 18.0, true);
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
            "Versie {}, revisie {}, van {}. Dit plan is van u: u heeft het samen met ons gemaakt.",
            plan.version,
            plan.revision,
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
                "Uw vaste contactpersoon is {regisseur}, {} (gemeente {}). Heeft u vragen? Neem dan contact op.",
                household.intake_team, household.municipality
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
        (AgreementState::Agreed, Some(first)) => {
            let all = if plan.agreed_by.is_empty() {
                std::slice::from_ref(first)
            } else {
                plan.agreed_by.as_slice()
            };
            for a in all {
                w.paragraph(
                    "",
                    &format!(
                        "{} gaf akkoord op {} ({}){}.",
                        a.by_name,
                        date(&a.date),
                        a.how.label().to_lowercase(),
                        a.revision
                            .map(|r| format!(", op revisie {r}"))
                            .unwrap_or_default()
                    ),
                    0.0,
                );
            }
        }
        _ => {
            w.paragraph(
                "",
                &format!(
                    "Bent u het eens met dit plan (revisie {})? Zet dan hieronder uw naam, de datum en uw handtekening.",
                    plan.revision
                ),
                0.0,
            );
            // A signature line per adult of the household, and one for the team.
            let mut signers: Vec<String> = household
                .members
                .iter()
                .filter(|m| m.age >= 16)
                .map(|m| format!("{} {}", m.given_name, m.family_name))
                .collect();
            if signers.is_empty() {
                signers.push("______________________________".into());
            }
            for name in &signers {
                w.gap(6.0);
                w.line(&format!("Naam: {name}"), 11.0, true, 0.0);
                w.gap(3.0);
                w.line(
                    "Datum: _____________   Handtekening: ______________________",
                    11.0,
                    false,
                    0.0,
                );
            }
            if let Some(regisseur) = household
                .trajectory
                .as_ref()
                .and_then(|t| t.regisseur_name.as_deref())
            {
                w.gap(6.0);
                w.line(&format!("Voor het team: {regisseur}"), 11.0, true, 0.0);
                w.gap(3.0);
                w.line(
                    "Datum: _____________   Handtekening: ______________________",
                    11.0,
                    false,
                    0.0,
                );
            }
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
    use super::{visual, wrap};

    #[test]
    fn wrap_keeps_lines_within_the_width_and_cuts_long_words() {
        let fits = |t: &str| t.chars().count() <= 20;
        let lines = wrap(
            "Fenna gaat weer elke dag naar school en vindt het er leuk",
            &fits,
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "Fenna gaat weer elke dag naar school en vindt het er leuk"
        );
        let long = wrap(&"a".repeat(45), &fits);
        assert_eq!(
            long.iter().map(|l| l.len()).collect::<Vec<_>>(),
            vec![20, 20, 5]
        );
    }

    #[test]
    fn right_to_left_text_is_put_in_visual_order_and_joined() {
        assert_eq!(visual("Milan Hendriks"), "Milan Hendriks");
        let shown = visual("عائشة");
        // Joined presentation forms, last letter first.
        assert!(
            shown
                .chars()
                .all(|c| ('\u{fe70}'..='\u{feff}').contains(&c)),
            "{shown:?}"
        );
        assert_eq!(shown.chars().count(), 5);
    }
}

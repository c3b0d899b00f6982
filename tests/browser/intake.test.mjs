// The broad intake of the example household (seed 001) in a real browser: the conversation,
// life-domain scores with their trend, and a triage proposal with its reasons.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSpil, newPage, axeViolations, signIn, registerPlainFamily } from './harness.mjs';

let spil;
before(async () => { spil = await startSpil(); await registerPlainFamily(spil, 'Visser'); });
after(async () => { await spil?.stop(); });

async function assertAccessible(page, name) {
  assert.deepEqual(await axeViolations(page), [], `axe-core violations on ${name}`);
  assert.deepEqual(page.problems, [], `console errors on ${name}`);
}

test('anne does the intake of the Visser family and sees a proposal with reasons', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('link', { name: /Visser/ }).first().click();
  await page.getByRole('link', { name: 'Brede uitvraag en voorstel' }).click();
  await page.getByRole('heading', { name: 'Brede uitvraag: huishouden Visser' }).waitFor();
  await assertAccessible(page, 'empty intake');

  const ingrid = page.getByRole('group', { name: /^Ingrid/ });
  await ingrid.getByLabel('Wat is de vraag, in eigen woorden?').fill('Ik wil weer overzicht over de post en de rekeningen.');
  await ingrid.getByLabel('Welk resultaat wil Ingrid bereiken?').fill('Geen aanmaningen meer.');
  await ingrid.getByRole('group', { name: /normaliseren/ }).getByLabel('Nee').check();
  const bas = page.getByRole('group', { name: /^Bas/ });
  await bas.getByLabel('Wat is de vraag, in eigen woorden?').fill('Rust in het weekend, energie voor de kinderen.');
  await page.getByLabel('Naam (1)').fill('Oma Visser');
  await page.getByLabel('Relatie (1)').fill('moeder van Bas');
  await page.getByLabel('Kan helpen met (1)').fill('oppassen op woensdag');
  await page.getByLabel('Wat heeft de problemen veroorzaakt?').fill('Schade-uitkering op; hersenletsel bij vader; vermoedelijk LVB bij moeder.');
  await page.getByLabel('Zorgen over veiligheid', { exact: true }).check();
  await page.getByRole('button', { name: 'Uitvraag opslaan' }).click();
  await page.getByRole('heading', { name: 'Leefgebieden', level: 2 }).waitFor();
  assert.equal(await ingrid.getByLabel('Wat is de vraag, in eigen woorden?').inputValue(), 'Ik wil weer overzicht over de post en de rekeningen.');

  // Scores for Ingrid and for Fenna.
  const scoreIngrid = page.getByRole('region', { name: /^Ingrid Visser/ });
  await scoreIngrid.getByText('Nieuwe scores voor Ingrid').click();
  await scoreIngrid.getByLabel('Financiën').selectOption('2');
  await scoreIngrid.getByLabel('Instrumentele ADL').selectOption('2');
  await scoreIngrid.getByLabel('Geestelijke gezondheid').selectOption('2');
  // The page is one form: what is typed in the conversation stays when a score is saved.
  await bas.getByLabel('Wat is de vraag, in eigen woorden?').fill('Rust in het weekend en energie voor Milan en Fenna.');
  await scoreIngrid.getByRole('button', { name: 'Scores opslaan' }).click();
  await page.getByRole('img', { name: /Financiën: 2 op/ }).waitFor();
  assert.equal(await bas.getByLabel('Wat is de vraag, in eigen woorden?').inputValue(), 'Rust in het weekend en energie voor Milan en Fenna.');
  await page.getByText('De brede uitvraag en de scores zijn opgeslagen.').waitFor();
  const scoreFenna = page.getByRole('region', { name: /^Fenna Visser/ });
  await scoreFenna.getByText('Nieuwe scores voor Fenna').click();
  await scoreFenna.getByLabel('Lichamelijke verzorging').selectOption('2');
  await scoreFenna.getByRole('button', { name: 'Scores opslaan' }).click();
  await page.getByRole('img', { name: /Lichamelijke verzorging: 2 op/ }).waitFor();
  await assertAccessible(page, 'intake with scores');

  // The proposal, with its reasons in plain Dutch, next to the decision.
  await page.getByRole('button', { name: 'Voorstel maken', exact: true }).click();
  await page.getByRole('heading', { name: /^Voorstel: Zwaar/ }).waitFor();
  assert.ok(await page.getByText('Op drie of meer leefgebieden is het huishouden niet zelfredzaam').isVisible());
  assert.ok(await page.getByText('Er zijn zorgen over veiligheid').first().isVisible());
  await assertAccessible(page, 'proposal');

  // Deviating without a reason is refused; with a reason it is recorded.
  await page.getByLabel('Niveau').selectOption('midden');
  await page.getByRole('button', { name: 'Besluit vastleggen' }).click();
  await page.getByText('U wijkt af van het voorstel').waitFor();
  await page.goBack();
  await page.getByLabel('Niveau').selectOption('midden');
  await page.getByLabel(/Waarom wijkt u af/).fill('De ouders willen eerst zelf met oma aan de slag.');
  await page.getByRole('button', { name: 'Besluit vastleggen' }).click();
  await page.getByText(/afwijkend van het voorstel/).waitFor();

  // The household page shows each person's scores over time.
  await page.getByRole('link', { name: /Terug naar huishouden/ }).click();
  await page.getByRole('img', { name: /Financiën: 2 op/ }).waitFor();
  assert.ok(await page.getByRole('table', { name: 'Fenna Visser' }).isVisible());
  assert.ok(await page.getByRole('note', { name: 'Veiligheid' }).getByText('zorgen over de veiligheid').isVisible(), 'safety heads the page');
  await assertAccessible(page, 'household page with score trends');
  await page.context().close();
});

test('the active policy is readable, with its rules, domains and glossary', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'chris');
  await page.getByRole('link', { name: 'Beleid' }).click();
  await page.getByRole('heading', { name: 'Het beleid dat nu geldt' }).waitFor();
  assert.ok(await page.getByRole('cell', { name: 'acuut-onveilig' }).isVisible());
  assert.ok(await page.getByText('Financiën').first().isVisible());
  assert.ok(await page.getByRole('term').filter({ hasText: 'spoed' }).isVisible());
  await assertAccessible(page, 'policy page');
  await page.context().close();
});

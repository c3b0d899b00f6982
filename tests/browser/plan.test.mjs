// The example household's plan (seed 001) in a real browser: made with the family, agreed on
// paper, changed after agreement (a new version, with what changed), a goal evaluated, the PDF,
// contacts with a sensitive note, and this week's worklist.
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

const inDays = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

test('anne makes the Visser plan with the family, records their agreement and evaluates a goal', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('link', { name: /Visser/ }).first().click();
  await page.getByRole('link', { name: 'Ons plan' }).click();
  await page.getByRole('heading', { name: 'Ons plan: huishouden Visser' }).waitFor();
  await assertAccessible(page, 'empty plan');

  const goal1 = page.getByRole('group', { name: /^Doel 1( |$)/ });
  await goal1.getByLabel('Het doel, in de woorden van het gezin').fill('Er is weer rust in huis');
  await goal1.getByLabel('Zo weten we dat het gelukt is').fill('Geen ruzie meer over geld aan tafel');
  await goal1.getByLabel('Voor wie').selectOption({ label: 'Het hele gezin' });
  await goal1.getByLabel('Samen terugkijken op').fill(inDays(42));
  const goal2 = page.getByRole('group', { name: /^Doel 2( |$)/ });
  await goal2.getByLabel('Het doel, in de woorden van het gezin').fill('Fenna gaat weer elke dag naar school');
  await goal2.getByLabel('Zo weten we dat het gelukt is').fill('Vier weken zonder verzuim');
  await goal2.getByLabel('Voor wie').selectOption({ label: 'Fenna Visser' });
  await goal2.getByLabel('Samen terugkijken op').fill(inDays(3));
  const action1 = page.getByRole('group', { name: /^Actie 1( |$)/ });
  await action1.getByLabel('Wat gebeurt er').fill('Alle post over geld samen openen');
  await action1.getByLabel('Wie doet het').selectOption({ label: 'Ingrid Visser' });
  const action2 = page.getByRole('group', { name: /^Actie 2( |$)/ });
  await action2.getByLabel('Wat gebeurt er').fill('Oma brengt Fenna op maandag naar school');
  await action2.getByLabel('Wie doet het').selectOption('network');
  await action2.getByLabel('Naam of organisatie').fill('Oma Visser');
  // A goal written in this same first save can already be chosen.
  await action2.getByLabel('Bij welk doel').selectOption({ label: 'Doel 2 (het doel dat u hierboven invult)' });
  await page.getByLabel(/^Afspraken/).fill('Alle afspraken op papier\nWe bellen elke maandag om 10 uur');
  await page.getByRole('button', { name: 'Plan opslaan' }).click();

  await page.getByText('Nog niet akkoord', { exact: true }).waitFor();
  assert.ok(await page.getByText('Het plan is opgeslagen.').isVisible(), 'a save is confirmed');
  assert.ok(await page.getByRole('heading', { name: '2. Fenna gaat weer elke dag naar school' }).isVisible());
  assert.ok(await page.getByText('Oma Visser: Oma brengt Fenna op maandag naar school', { exact: false }).isVisible());
  const fennaCard = page.locator('li.card', { has: page.getByRole('heading', { name: '2. Fenna gaat weer elke dag naar school' }) });
  assert.ok(await fennaCard.getByText('Oma brengt Fenna op maandag naar school', { exact: false }).isVisible(), 'the action sits under its new goal');
  await assertAccessible(page, 'plan before agreement');

  // The family signs on paper; the plan records who, when and how.
  await page.getByLabel('Wie gaf akkoord').selectOption({ label: 'Ingrid Visser' });
  await page.getByLabel('Hoe', { exact: true }).selectOption('signed_paper');
  await page.getByRole('button', { name: 'Akkoord vastleggen' }).click();
  await page.getByText(/^Akkoord: Ingrid Visser op .* \(op papier ondertekend\)/).waitFor();

  // Bas agrees too: each member once; Ingrid is no longer offered.
  await page.getByText('Nog iemand van het gezin gaat akkoord').click();
  const options = await page.getByLabel('Wie gaf akkoord').locator('option').allTextContents();
  assert.ok(!options.includes('Ingrid Visser') && options.includes('Bas Visser'), options.join(', '));
  await page.getByLabel('Wie gaf akkoord').selectOption({ label: 'Bas Visser' });
  await page.getByLabel('Hoe', { exact: true }).selectOption('verbal');
  await page.getByRole('button', { name: 'Akkoord vastleggen' }).click();
  await page.getByText(/^Bas Visser op .* \(mondeling akkoord\)/).waitFor();
  await assertAccessible(page, 'plan agreed by two');

  // The paper version is a PDF.
  const pdf = await page.request.get(`${spil.base}/huishoudens/${await householdId(page)}/plan.pdf`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-');

  // A change after agreement makes version 2, which the family has not seen yet.
  await page.getByLabel(/^Afspraken/).fill('Alle afspraken op papier\nWe bellen elke dinsdag om 10 uur');
  await page.getByRole('button', { name: 'Plan opslaan' }).click();
  await page.getByText(/^Gewijzigd na akkoord: versie 2/).waitFor();
  const versions = page.getByRole('region', { name: 'Versies en wat er veranderde' });
  assert.ok(await versions.getByText('Nieuwe afspraak: We bellen elke dinsdag om 10 uur').isVisible());
  assert.ok(await versions.getByText('Afspraak weggehaald: We bellen elke maandag om 10 uur').isVisible());
  await assertAccessible(page, 'plan changed since agreement');

  // The worklist shows the evaluation due this week and the plan waiting for agreement.
  await page.getByRole('link', { name: 'Mijn huishoudens' }).click();
  const week = page.getByRole('region', { name: 'Deze week te doen' });
  await week.getByRole('link', { name: 'Evaluatie: Fenna gaat weer elke dag naar school' }).waitFor();
  const ours = week.getByRole('row').filter({ hasText: 'Beukenlaan 3' });
  assert.ok(await ours.getByRole('link', { name: 'Plan versie 2: gewijzigd na akkoord' }).isVisible());
  await assertAccessible(page, 'worklist');

  // Evaluating the goal from the worklist.
  await week.getByRole('link', { name: 'Evaluatie: Fenna gaat weer elke dag naar school' }).click();
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: '2. Fenna gaat weer elke dag naar school' }) });
  await card.getByText('Evalueer dit doel').click();
  await card.getByLabel('Hoe ging het?').selectOption('partly');
  await card.getByLabel('Wat is de volgende stap?').selectOption('continue');
  await card.getByLabel(/^Toelichting/).fill('Drie van de vier weken gelukt');
  await card.getByRole('button', { name: 'Evaluatie opslaan' }).click();
  await page.getByRole('table', { name: 'Evaluaties van de doelen' }).getByText('Drie van de vier weken gelukt').waitFor();
  await assertAccessible(page, 'plan with an evaluation');

  // The household's file says where the plan stands.
  await page.getByRole('link', { name: /Terug naar huishouden/ }).click();
  await page.getByRole('link', { name: 'Versie 2: gewijzigd na akkoord, 2 doelen, 2 acties' }).waitFor();
  await page.context().close();
});

test('contacts are recorded with their time; bad input keeps what was typed', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('link', { name: /Visser/ }).first().click();
  await page.getByRole('link', { name: 'Contacten en tijd' }).click();
  await page.getByRole('heading', { name: 'Contacten en tijd: huishouden Visser' }).waitFor();
  await assertAccessible(page, 'contacts');
  await page.getByLabel('Soort contact').selectOption('huisbezoek');
  await page.getByLabel('Tijd in minuten').fill('90');
  await page.getByLabel('Wie waren erbij').fill('Ingrid, Bas');
  await page.getByLabel(/^Notitie/).fill('Keukentafelgesprek over de post');
  await page.getByRole('button', { name: 'Contact opslaan' }).click();
  await page.getByText('1 uur en 30 minuten').waitFor();

  // Bad input keeps what was typed and says what is wrong, in Dutch.
  await page.getByLabel('Tijd in minuten').fill('2000');
  await page.getByLabel(/^Notitie/).fill('Te lang genoteerd');
  await page.getByLabel(/Vertrouwelijke notitie/).check();
  await page.getByRole('button', { name: 'Contact opslaan' }).click();
  await page.getByRole('alert').getByText('Dit mag hier niet.').waitFor();
  assert.equal(await page.getByLabel(/^Notitie/).inputValue(), 'Te lang genoteerd');
  await assertAccessible(page, 'contacts with an error');

  // The basishulp report holds anne's team with one contact: a cell that small is withheld,
  // and the page says why.
  await page.getByRole('link', { name: 'Basishulp' }).click();
  const report = page.getByRole('table', { name: /Uren basishulp/ });
  await report.waitFor();
  const row = report.getByRole('row', { name: /Sociaal team Aalten-Noord/ });
  assert.match(await row.innerText(), /niet getoond\s+minder dan 5/);
  await page.getByText(/zodat geen cijfer naar een persoon wijst/).waitFor();
  await assertAccessible(page, 'basishulp report');
  await page.context().close();
});

async function householdId(page) {
  return new URL(page.url()).pathname.split('/')[2];
}

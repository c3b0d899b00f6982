// The spine in a real browser: anne signs in, registers a household, opens its page; every
// page passes an axe-core scan; the pages work without JavaScript and under the strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSpil, newPage, axeViolations, signIn } from './harness.mjs';

let spil;
before(async () => { spil = await startSpil(); });
after(async () => { await spil?.stop(); });

async function assertAccessible(page, name) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe-core violations on ${name}`);
  assert.deepEqual(page.problems, [], `console errors (CSP, scripts) on ${name}`);
}

test('the login page is accessible and refuses a wrong password in Dutch', async () => {
  const page = await newPage(spil);
  await page.goto(`${spil.base}/`);
  assert.match(page.url(), /\/inloggen$/);
  await assertAccessible(page, 'login');
  await page.getByLabel('Gebruikersnaam').fill('anne');
  await page.getByLabel('Wachtwoord').fill('fout');
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await page.getByText('De gebruikersnaam of het wachtwoord klopt niet.').waitFor();
  await assertAccessible(page, 'login with error');
  await page.context().close();
});

test('anne registers a household and opens its page', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('heading', { name: 'Mijn huishoudens', level: 1 }).waitFor();
  assert.ok(await page.getByRole('link', { name: /Hendriks/ }).first().isVisible(), 'the example household is listed');
  await assertAccessible(page, 'Mijn huishoudens');

  await page.getByRole('link', { name: 'Nieuwe aanmelding' }).first().click();
  await page.getByRole('heading', { name: 'Nieuwe aanmelding' }).waitFor();
  await assertAccessible(page, 'Nieuwe aanmelding');

  await page.getByLabel('Wat is de vraag of zorg, in de woorden van de inwoner?').fill('Ik krijg de post niet meer geopend en er komen aanmaningen.');
  await page.getByLabel('Hoe kwam de aanmelding binnen?').selectOption('huisarts');
  await page.getByLabel('Naam van de verwijzer').fill('Dokter Jansen');
  await page.getByLabel('Straat').fill('Prinsenstraat');
  await page.getByLabel('Huisnummer').fill('8');
  await page.getByLabel('Postcode').fill('7121 BC');
  await page.getByLabel('Plaats').fill('Aalten');
  const first = page.getByRole('group', { name: 'Persoon 1' });
  await first.getByLabel('Voornaam').fill('Wim');
  await first.getByLabel('Achternaam').fill('Takkenkamp');
  await first.getByLabel('Geboortedatum').fill('1958-04-30');
  await first.getByLabel('BSN').fill('123456789');
  await first.getByLabel('Relatie in het huishouden').selectOption('other');
  await page.getByRole('button', { name: 'Aanmelding opslaan' }).click();

  // A wrong BSN: a Dutch message, linked from the summary, nothing saved, typed text kept.
  await page.getByRole('heading', { name: 'Controleer deze gegevens' }).waitFor();
  assert.ok(await page.getByRole('link', { name: /Dit BSN klopt niet/ }).isVisible());
  assert.equal(await first.getByLabel('Achternaam').inputValue(), 'Takkenkamp');
  await assertAccessible(page, 'Nieuwe aanmelding with errors');

  await first.getByLabel('BSN').fill('123456782');
  await page.getByRole('button', { name: 'Aanmelding opslaan' }).click();
  await page.getByRole('heading', { name: 'Huishouden Takkenkamp' }).waitFor();
  assert.ok(await page.getByText('De aanmelding is opgeslagen.').isVisible());
  assert.ok(await page.getByRole('blockquote').filter({ hasText: 'Ik krijg de post niet meer geopend' }).isVisible());
  assert.ok(await page.getByText('Nog geen regisseur').isVisible());
  await assertAccessible(page, 'household page');

  // anne takes it up as regisseur, with dewi on the team: colleagues and roles are chosen, not typed.
  await page.getByLabel('Regisseur (vast aanspreekpunt)').selectOption({ label: 'Anne de Vries' });
  await page.getByLabel('Collega 1', { exact: true }).selectOption({ label: 'Dewi Sarmo' });
  await page.getByLabel('Rol van collega 1').selectOption({ label: 'Schuldhulpverlener' });
  await assertAccessible(page, 'team form');
  await page.getByRole('button', { name: 'Team opslaan' }).click();
  await page.getByText('Opgeslagen.').waitFor();
  assert.ok(await page.getByRole('definition').filter({ hasText: 'Anne de Vries' }).first().isVisible());
  assert.ok(await page.getByText('Dewi Sarmo — Schuldhulpverlener').isVisible());
  await page.getByLabel('Naar fase').selectOption('exploring');
  await page.getByRole('button', { name: 'Fase wijzigen' }).click();
  await page.getByText('Verkennen (brede uitvraag)').first().waitFor();
  await assertAccessible(page, 'household page with team');

  // Back on the list, the household is hers.
  await page.getByRole('link', { name: 'Mijn huishoudens' }).click();
  assert.ok(await page.getByRole('link', { name: /Takkenkamp/ }).isVisible());
  await page.context().close();
});

test('the example household page shows the family and its timeline', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('link', { name: /Hendriks/ }).first().click();
  await page.getByRole('heading', { name: 'Huishouden Hendriks' }).waitFor();
  for (const name of ['Bas Hendriks', 'Ingrid Hendriks', 'Milan Hendriks', 'Fenna Hendriks']) {
    assert.ok(await page.getByRole('cell', { name }).isVisible(), name);
  }
  assert.ok(await page.getByRole('heading', { name: 'Tijdlijn' }).isVisible());
  await assertAccessible(page, 'example household');
  await page.context().close();
});

test('another team is refused, may break the glass with a reason, and the privacy officer sees it', async () => {
  const anne = await newPage(spil);
  await signIn(anne, spil.base, 'anne');
  await anne.getByRole('link', { name: /Hendriks/ }).first().click();
  const householdUrl = anne.url();
  await anne.context().close();

  const bram = await newPage(spil);
  await signIn(bram, spil.base, 'bram');
  await bram.goto(householdUrl);
  await bram.getByRole('heading', { name: 'Geen toegang' }).waitFor();
  await assertAccessible(bram, 'no access');
  await bram.getByLabel('Waarom heeft u nu toegang nodig?').fill('Politie meldt acute zorgen, regisseur is niet bereikbaar');
  await bram.getByRole('button', { name: 'Noodtoegang vragen' }).click();
  await bram.getByText('U ziet dit dossier met noodtoegang').waitFor();
  await bram.context().close();

  const fatima = await newPage(spil);
  await signIn(fatima, spil.base, 'fatima');
  await fatima.getByRole('heading', { name: 'Toegangscontrole' }).waitFor();
  assert.ok(await fatima.getByRole('cell', { name: 'Politie meldt acute zorgen, regisseur is niet bereikbaar' }).isVisible());
  await assertAccessible(fatima, 'Toegangscontrole');
  await fatima.context().close();
});

// The professional's lists in a real browser: anne filters "Mijn huishoudens" (the choice
// stays, the pager keeps it), and chris, the coordinator, sees the caseload and assigns a
// waiting registration to a colleague; every state passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSpil, newPage, axeViolations, signIn, registerPlainFamily } from './harness.mjs';

let spil;
before(async () => { spil = await startSpil(); await registerPlainFamily(spil, 'Wachters', { assign: false }); });
after(async () => { await spil?.stop(); });

async function assertAccessible(page, name) {
  assert.deepEqual(await axeViolations(page), [], `axe-core violations on ${name}`);
  assert.deepEqual(page.problems, [], `console errors on ${name}`);
}

test('anne filters her households and the filter stays chosen', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('heading', { name: 'Mijn huishoudens', level: 1 }).waitFor();
  await assertAccessible(page, 'my households');
  await page.getByLabel('Regisseur').selectOption({ label: 'Nog niet gekozen' });
  await page.getByLabel('Volgorde').selectOption({ label: 'Langst wachtend eerst' });
  await page.getByRole('button', { name: 'Toon' }).click();
  await page.getByRole('link', { name: 'Alle filters wissen' }).waitFor();
  assert.match(page.url(), /regisseur=none/);
  assert.equal(await page.getByLabel('Regisseur').inputValue(), 'none');
  assert.equal(await page.getByRole('heading', { name: 'Huishoudens waarvoor ik werk' }).count(), 1);
  assert.ok(await page.getByText('Geen huishoudens die bij deze filters passen.').isVisible(), 'her own are filtered out');
  assert.ok(await page.getByRole('link', { name: /Wachters/ }).first().isVisible(), 'the waiting family is listed');
  await assertAccessible(page, 'filtered households');

  // A filter typed into the address bar that does not exist is named, not silently ignored.
  await page.goto(`${spil.base}/huishoudens?fase=bijna-klaar`);
  await page.getByText('Fase: kies een waarde uit de lijst. Het filter is niet toegepast.').waitFor();
  await assertAccessible(page, 'refused filter');
});

test('chris sees the caseload and assigns a waiting family to dewi', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'chris');
  await page.getByRole('link', { name: 'Ons team' }).click();
  await page.getByRole('heading', { name: 'Ons team', level: 1 }).waitFor();
  await assertAccessible(page, 'team page');
  const row = page.getByRole('row', { name: /Wachters/ });
  const options = await row.locator('option').allTextContents();
  await row.getByLabel(/Regisseur voor/).selectOption({ label: options.find((o) => o.startsWith('Dewi Sarmo')) });
  await row.getByRole('button', { name: 'Toewijzen' }).click();
  await page.getByText('De regisseur is toegewezen.', { exact: false }).waitFor();
  assert.equal(await page.getByRole('row', { name: /Wachters/ }).count(), 0, 'no longer waiting');
  const dewi = page.getByRole('row', { name: /Dewi Sarmo/ });
  assert.ok(await dewi.isVisible());
  await assertAccessible(page, 'after assigning');
});

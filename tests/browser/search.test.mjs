// Search in a real browser: anne finds the Visser family by a name typed without
// diacritics and by postcode, a too-short query gets a Dutch message naming the field, and
// bram (another team) finds nobody; every state passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSpil, newPage, axeViolations, signIn, registerPlainFamily } from './harness.mjs';

let spil;
before(async () => { spil = await startSpil(); await registerPlainFamily(spil, 'Müller'); });
after(async () => { await spil?.stop(); });

async function assertAccessible(page, name) {
  assert.deepEqual(await axeViolations(page), [], `axe-core violations on ${name}`);
  assert.deepEqual(page.problems, [], `console errors on ${name}`);
}

async function searchFor(page, q) {
  await page.getByLabel('Naam, geboortedatum, BSN, postcode of straat').fill(q);
  await page.getByRole('button', { name: 'Zoeken' }).click();
}

test('anne finds the family by a name without diacritics and by postcode, and opens it', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.getByRole('link', { name: 'Zoeken' }).click();
  await page.getByRole('heading', { name: 'Zoeken', level: 1 }).waitFor();
  await assertAccessible(page, 'empty search');

  await searchFor(page, 'a');
  await page.getByText('Typ minstens 2 letters of cijfers om te zoeken').waitFor();
  assert.equal(await page.getByLabel('Naam, geboortedatum, BSN, postcode of straat').getAttribute('aria-invalid'), 'true');
  await assertAccessible(page, 'search too short');

  await searchFor(page, 'fenna muller');
  await page.getByRole('link', { name: 'Fenna Müller' }).waitFor();
  assert.equal(await page.getByRole('cell', { name: '08-02-2020' }).count(), 1);
  await assertAccessible(page, 'search results');

  await searchFor(page, '7121ac 3');
  await page.getByRole('cell', { name: 'Huishouden' }).first().waitFor();
  await page.getByRole('link', { name: /Müller/ }).first().click();
  await page.getByRole('heading', { name: /Müller/, level: 1 }).waitFor();
  await page.context().close();
});

// Found with Lighthouse: the focus outline (#ffbf47 on white) was about 1.6:1, below the 3:1
// that WCAG 1.4.11 asks of a focus indicator.
test('the focus indicator has at least 3:1 contrast against the page', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  await page.goto(`${spil.base}/zoeken`);
  await page.getByLabel('Naam, geboortedatum, BSN, postcode of straat').focus();
  const ratio = await page.evaluate(() => {
    const rgb = (css) => css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const outline = lum(rgb(getComputedStyle(document.activeElement).outlineColor));
    const page = lum(rgb(getComputedStyle(document.body).backgroundColor));
    const [hi, lo] = outline > page ? [outline, page] : [page, outline];
    return (hi + 0.05) / (lo + 0.05);
  });
  assert.ok(ratio >= 3, `focus outline contrast ${ratio.toFixed(2)}:1`);
  await page.context().close();
});

test('bram, in another team, does not find the family', async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'bram');
  await page.goto(`${spil.base}/zoeken?q=muller`);
  await page.getByText(/Niemand gevonden/).waitFor();
  assert.equal(await page.getByRole('link', { name: /Müller/ }).count(), 0);
  await assertAccessible(page, 'search without results');
  await page.context().close();
});

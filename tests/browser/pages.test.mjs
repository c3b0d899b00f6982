// Every page at a phone's width (390 px) and at desktop width: axe-core finds nothing, no
// console errors, and the page is never wider than the screen (a wide table scrolls inside
// its own box instead of pushing the household's phase and regisseur off screen). Also the
// NL Design System look: the municipality's theme colours the header, and the API viewer loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSpil, newPage, axeViolations, signIn, registerPlainFamily } from './harness.mjs';

let spil;
let household;
before(async () => {
  spil = await startSpil();
  household = await registerPlainFamily(spil, 'Breedte');
});
after(async () => { await spil?.stop(); });

const WIDTHS = [390, 1280];

async function check(page, path, width) {
  await page.setViewportSize({ width, height: 800 });
  const response = await page.goto(`${spil.base}${path}`);
  assert.equal(response.status(), 200, `${path} at ${width}px`);
  assert.deepEqual(await axeViolations(page), [], `axe-core violations on ${path} at ${width}px`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= width, `${path} is ${wide}px wide on a ${width}px screen`);
  assert.deepEqual(page.problems, [], `console errors on ${path}`);
}

test("a professional's pages fit a phone and pass axe-core", async () => {
  const page = await newPage(spil);
  await signIn(page, spil.base, 'anne');
  const paths = ['/huishoudens', `/huishoudens/${household}`, `/huishoudens/${household}/uitvraag`,
    `/huishoudens/${household}/plan`, `/huishoudens/${household}/contacten`, '/aanmelden',
    '/zoeken?q=breedte', '/basishulp', '/beleid'];
  for (const width of WIDTHS) {
    for (const path of paths) await check(page, path, width);
  }
});

test("the coordinator's and the privacy officer's pages fit a phone too", async () => {
  const chris = await newPage(spil);
  await signIn(chris, spil.base, 'chris');
  const fatima = await newPage(spil);
  await signIn(fatima, spil.base, 'fatima');
  for (const width of WIDTHS) {
    await check(chris, '/team', width);
    await check(fatima, '/toegangscontrole', width);
  }
});

test("each municipality wears its own colours; the API viewer is served by Spil", async () => {
  const header = async (username) => {
    const page = await newPage(spil);
    await signIn(page, spil.base, username);
    return page.evaluate(() => getComputedStyle(document.querySelector('.site-header')).backgroundColor);
  };
  const aalten = await header('anne');
  const winterswijk = await header('gert');
  assert.notEqual(aalten, winterswijk, 'Aalten and Winterswijk differ');
  assert.equal(aalten, 'rgb(0, 90, 70)');
  assert.equal(winterswijk, 'rgb(156, 29, 52)');

  const page = await newPage(spil);
  await page.goto(`${spil.base}/api/docs`);
  await page.getByText('/api/v1/search', { exact: false }).first().waitFor();
  assert.deepEqual(page.problems, [], 'the viewer runs under the page policy');
});

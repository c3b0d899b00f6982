// Starts Spil (a fresh demo database) and headless Chromium; scans pages with axe-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SPIL = process.env.SPIL_BIN ?? new URL('../../target/debug/spil', import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Poll the health check until the server answers; never a fixed sleep. */
async function waitForHealth(base, server) {
  for (let i = 0; i < 200; i++) {
    if (server.exitCode !== null) throw new Error(`spil serve exited with ${server.exitCode}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('spil serve did not become healthy');
}

export async function startSpil() {
  const dir = mkdtempSync(join(tmpdir(), 'spil-browser-'));
  const database = `sqlite://${join(dir, 'spil.db')}`;
  execFileSync(SPIL, ['demo', '--database', database, '--households', '20'], { stdio: 'ignore' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(SPIL, ['serve', '--database', database, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForHealth(base, server);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  return {
    base,
    browser,
    async stop() {
      await browser.close();
      server.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser context whose page fails the test on any CSP violation or page error. */
export async function newPage(spil) {
  const context = await spil.browser.newContext({ locale: 'nl-NL' });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    // A 4xx status of the page itself is expected on error pages; anything else is a problem.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource: the server responded with a status of 4')) {
      page.problems.push(message.text());
    }
  });
  page.on('pageerror', (error) => page.problems.push(String(error)));
  return page;
}

/** Run axe-core (WCAG 2.0/2.1 A and AA, plus best practices) and return its violations. */
export async function axeViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }),
  );
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function signIn(page, base, username) {
  await page.goto(`${base}/inloggen`);
  await page.getByLabel('Gebruikersnaam').fill(username);
  await page.getByLabel('Wachtwoord').fill('demo');
  await page.getByRole('button', { name: 'Inloggen' }).click();
}

/**
 * A family like the demo's example before its story unfolded — Bas, Ingrid, Milan and Fenna
 * with another family name, anne regisseur and dewi on the team, no intake or plan yet —
 * registered through the API, for tests that walk the intake and the plan from the start.
 * With `{ assign: false }` it stays in the team's queue, waiting for a regisseur.
 */
export async function registerPlainFamily(spil, familyName, { assign = true } = {}) {
  const call = async (method, path, token, body) => {
    const response = await fetch(`${spil.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const { token } = await call('POST', '/api/v1/auth/token', null, { username: 'anne', password: 'demo' });
  const member = (given_name, birth_date, relation) => ({
    given_name, family_name: familyName, birth_date, relation, parental_authority: relation === 'parent',
  });
  const created = await call('POST', '/api/v1/registrations', token, {
    route: 'self',
    question: 'We hebben schulden en geen overzicht meer.',
    urgency: 'soon',
    household: {
      address: { street: 'Beukenlaan', house_number: '3', postcode: '7121 AC', city: 'Aalten' },
      members: [member('Bas', '1991-03-14', 'parent'), member('Ingrid', '1983-06-02', 'parent'),
        member('Milan', '2018-01-20', 'child'), member('Fenna', '2020-02-08', 'child')],
    },
  });
  if (!assign) return created.household_id;
  await call('PUT', `/api/v1/households/${created.household_id}/team`, token, {
    regisseur: 'anne', members: [{ username: 'dewi', role: 'schuldhulpverlener' }], revision: 1,
  });
  return created.household_id;
}

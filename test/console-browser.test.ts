import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { SHARED_PATHS } from './helpers/paths.js';
import { type RunningUp, startUp } from './helpers/sandbox-up.js';

// After `npm start`: the sandbox with the default organization, its people, sample costs and audit events, and the
// console over it. Every page is loaded in Chromium, checked with axe, and kept as a screenshot in test-results/.
const SHOTS = join(SHARED_PATHS.root, 'test-results');

describe('the console in Chromium, over the sandbox that npm start leaves', () => {
  let up: RunningUp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    [up, browser] = await Promise.all([startUp(), launchChromium()]);
    page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    // As the operator does: open the printed URL, whose token the page trades for its session cookie.
    await page.goto(up.openUrl);
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
  }, 300_000);

  // A failed step leaves a picture of what the page showed.
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && page) await page.screenshot({ path: join(SHOTS, `failed-${task.name.split(':')[0]}.png`), fullPage: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (up) {
      await up.interrupt();
      up.stopEmulator();
    }
  });

  const open = async (path: string) => {
    await page.goto(`${up.consoleUrl}${path}`);
  };
  const settle = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: true });
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
  };

  it('Sign-in: the printed URL’s token becomes an HttpOnly, SameSite=Strict cookie and leaves the address bar', async () => {
    expect(page.url()).toBe(`${up.consoleUrl}/`);
    const [cookie] = await page.context().cookies(up.consoleUrl);
    expect(cookie).toMatchObject({ value: up.token, httpOnly: true, sameSite: 'Strict', secure: false });
    expect(await page.evaluate('document.cookie')).toBe('');
    // A browser without the cookie (another user's, or a link without the token) gets the page but no data.
    const stranger = await page.context().browser()?.newContext();
    const other = await stranger?.newPage();
    await other?.goto(`${up.consoleUrl}/people`);
    await other?.getByText('This console needs the link it printed').waitFor();
    await stranger?.close();
  });

  it('Environments: the OU → account tree with IDs, costs marked sample, budget use, guardrails and sign-in links', async () => {
    await open('/');
    await page.getByRole('heading', { name: 'Environments', level: 1 }).waitFor();
    const prod = page
      .getByRole('row')
      .filter({ hasText: /^.*prod.*\d{12}/ })
      .first();
    await prod.waitFor();
    await expect(prod.textContent()).resolves.toMatch(/ACTIVE/);
    await page.getByText('deny-leave-organization').first().waitFor();
    await page.getByText('sample').first().waitFor();
    expect(await page.getByRole('link', { name: 'Open the access portal' }).getAttribute('href')).toMatch(/^https:\/\/d-\w+\.awsapps\.com\/start$/);
    expect(await page.getByRole('link', { name: /Sign in to prod as/ }).count()).toBeGreaterThan(0);
    // The security columns: the security account's GuardDuty and Security Hub on, prod's sample HIGH finding counted.
    await page.getByRole('columnheader', { name: 'GuardDuty' }).waitFor();
    const security = page
      .getByRole('row')
      .filter({ hasText: /^.*security.*\d{12}/ })
      .first();
    await expect(security.textContent()).resolves.toMatch(/enabled.*enabled/);
    await expect(prod.textContent()).resolves.toMatch(/Security Hub 1\)sample/);
    await page.getByText(/not emulated: in the sandbox only the administrator account has them/).waitFor();
    await settle('environments');
  });

  it('Costs: marked sample; drills from an environment to a service to its usage types, in a URL that can be shared', async () => {
    await open('/costs');
    await page.getByText('Sample data', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'prod', exact: true }).click();
    await page.getByRole('heading', { name: /Services/ }).waitFor();
    // The largest service of prod's sample month, whichever it is: the first link of the services table.
    const biggest = page.getByRole('link', { name: /^(Amazon|AWS) / }).first();
    await biggest.waitFor();
    const service = (await biggest.textContent()) as string;
    expect(service).toMatch(/^(Amazon|AWS) /);
    await biggest.click();
    await page.getByRole('heading', { name: `Usage types of ${service}` }).waitFor();
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ env: 'prod', service });
    // The shared URL opens the same drill-down.
    await page.goto(url.toString());
    await page.getByRole('heading', { name: `Usage types of ${service}` }).waitFor();
    await settle('costs');
  });

  it('Audit log: a filter narrows the events and goes into the URL; an event opens with its raw JSON', async () => {
    await open('/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('row').nth(1).waitFor();
    const event = page.getByPlaceholder('DeleteBucket');
    await event.fill('DeleteBucket');
    await event.press('Enter');
    await page.waitForURL(/event=DeleteBucket/);
    const rows = page.getByRole('row').filter({ hasText: 's3:DeleteBucket' });
    await rows.first().waitFor();
    expect(await page.getByRole('row').filter({ hasNotText: 'DeleteBucket' }).count()).toBe(1); // the header row
    // Fewer events than a page: no page 2 is offered (the unfiltered query's cursor is not carried over).
    expect(await page.getByRole('button', { name: 'Page 2' }).count()).toBe(0);
    await rows.first().getByRole('cell').nth(2).click();
    const raw = page.locator('pre').filter({ hasText: '"eventName": "DeleteBucket"' });
    await raw.waitFor();
    await expect(raw.textContent()).resolves.toMatch(/"userAgent": "groundwork-sample-data/);
    await settle('audit');
  });

  it('People: moves a user between groups with confirmation, and groundwork users list shows the change', async () => {
    await open('/people');
    await page.getByText('sample people').waitFor();
    await page.getByRole('radio', { name: 'yara.costa' }).check();
    await page.getByRole('button', { name: 'Add to group' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /Pick a group/ }).click();
    await dialog.getByRole('option', { name: 'Operators' }).click();
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('yara.costa added to Operators').waitFor();
    await page.getByRole('radio', { name: 'yara.costa' }).check();
    await page.getByRole('button', { name: 'Remove from group' }).click();
    await dialog.getByRole('button', { name: /Pick a group/ }).click();
    await dialog.getByRole('option', { name: 'Developers' }).click();
    await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText('yara.costa removed from Developers').waitFor();
    await page.getByRole('row').filter({ hasText: 'yara.costa' }).filter({ hasText: 'Operators' }).waitFor();
    await settle('people');

    const listed = up.groundwork('users', 'list', '--json');
    expect(listed.status).toBe(0);
    const users = JSON.parse(String(listed.stdout)).users as { username: string; groups: string[] }[];
    expect(users.find((u) => u.username === 'yara.costa')?.groups).toEqual(['Operators']);
  });

  it('Deliveries: says nothing runs yet where nothing was deployed, and invents no runs', async () => {
    await open('/deliveries');
    await page.getByText('Nothing runs in staging yet').waitFor();
    await page.getByText('Nothing runs in prod yet').waitFor();
    expect(await page.getByRole('link', { name: 'GitHub Actions run' }).count()).toBe(0);
    await settle('deliveries');
  });

  it('logged no errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});

// Steps every admin journey repeats on its browser session's page: sign in through the form, open a section from the
// navigation, and check the page with axe-core (0 serious or critical violations), keeping what axe found for the
// journey's report.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { TEST_PASSWORD } from '../support/auth.ts';
import { type AxeViolation, axe, seriousOrCritical } from './browser.ts';

/** Signs in at /admin/sign-in and waits for the overview. */
export async function signInAs(page: Page, base: string, email: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(`${base}/admin/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}

/** Opens a section from the navigation and waits for its heading. */
export async function openSection(page: Page, label: string, heading: string | RegExp): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** Runs axe on the page as it is now; records the findings under `name` in `report`; fails on serious or critical. */
export async function checkPage(page: Page, name: string, report?: Record<string, AxeViolation[]>): Promise<void> {
  const found = await axe(page);
  if (report) report[name] = found;
  expect([name, seriousOrCritical(found)]).toEqual([name, []]);
}

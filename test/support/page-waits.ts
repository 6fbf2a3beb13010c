import type { Locator } from 'playwright-core';
import { expect } from 'vitest';

/**
 * Assertions on a live page that wait for what they assert. A page changes after an action (a fetch
 * answers, a script renders, a navigation lands), so reading `isVisible()` or `textContent()` once
 * straight after the action checks before the answer arrives. These retry until the page agrees or
 * the time runs out, and then fail with what the page showed.
 */
const WAIT_MS = 15_000;

/** Resolves when the element is visible (Playwright's own auto-waiting), fails after `timeout`. */
export async function expectVisible(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/** vitest's expect.poll over a value the page shows: `await eventually(() => …).toBe(…)`. */
export function eventually<T>(read: () => Promise<T>, timeout = WAIT_MS) {
  return expect.poll(read, { timeout, interval: 50 });
}

/** The element's text, read without Playwright's own 30 s wait for the element to exist (eventually() retries). */
export const textOf = (locator: Locator) => (): Promise<string | null> => locator.textContent({ timeout: 1_000 }).catch(() => null);

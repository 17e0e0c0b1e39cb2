// Debian's Chromium, headless, driven by playwright-core (no browser download: this machine and CI
// have no network beyond package registries). Each launch gets a fresh profile directory.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Runs fn(page, consoleErrors) in a fresh headless Chromium; closes it whatever happens. */
export async function withPage(fn, viewport = { width: 1360, height: 900 }) {
  const profile = mkdtempSync(join(tmpdir(), 'loupe-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.LOUPE_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport,
  });
  const errors = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') {
        errors.push(message.text());
      }
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    return await fn(page, errors);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Prints the result as the one JSON line the Java test reads, and exits 0. */
export function report(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

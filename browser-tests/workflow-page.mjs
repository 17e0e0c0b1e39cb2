// Opens a workflow's page in the Temporal UI, optionally one of its tabs (e.g. "User Metadata",
// where the workflow's current details are), waits for a text, takes a screenshot and prints the
// page's text, so a test can check what the UI shows.
//   node workflow-page.mjs <url> <screenshot.png> [text to wait for] [tab]
import { withPage, report } from './browser.mjs';

const [url, screenshot, waitFor, tab] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node workflow-page.mjs <url> <screenshot.png> [text] [tab]');
  process.exit(2);
}

await withPage(async (page, errors) => {
  // A running workflow's page keeps polling the server, so "network idle" may never come: wait
  // for the page, then for the text.
  await page.goto(url, { waitUntil: 'load' });
  if (tab) {
    const tabButton = page.getByRole('tab', { name: tab }).first();
    await tabButton.waitFor({ timeout: 30000 });
    await tabButton.click();
  }
  // The UI renders a workflow's details (markdown) inside a frame: read every frame's text.
  const text = async () => {
    const parts = [];
    for (const frame of page.frames()) {
      parts.push(await frame.evaluate(() => (document.body ? document.body.innerText : '')));
    }
    return parts.join('\n');
  };
  try {
    if (waitFor) {
      const deadline = Date.now() + 30000;
      while (!(await text()).includes(waitFor)) {
        if (Date.now() > deadline) {
          throw new Error(`"${waitFor}" did not appear on ${page.url()}`);
        }
        await page.waitForTimeout(250);
      }
    }
  } finally {
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  report({ url: page.url(), text: await text(), errors });
});

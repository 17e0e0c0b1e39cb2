// Opens a report.html from disk, waits for it to render, takes a full-page screenshot and prints
// what a person would check: images that rendered, console errors, the sections and charts.
//   node report-check.mjs <report.html> <screenshot.png>
import { pathToFileURL } from 'node:url';
import { withPage, report } from './browser.mjs';

const [file, screenshot] = process.argv.slice(2);
if (!file || !screenshot) {
  console.error('usage: node report-check.mjs <report.html> <screenshot.png>');
  process.exit(2);
}

await withPage(async (page, errors) => {
  const requests = [];
  // A script injected through a file name, caption or answer would show itself with alert().
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) {
      requests.push(request.url());
    }
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForFunction(() =>
    Array.from(document.images).every((image) => image.complete),
  );
  const seen = await page.evaluate(() => {
    const images = Array.from(document.images);
    return {
      title: document.title,
      images: images.length,
      rendered: images.filter((image) => image.naturalWidth > 0).length,
      thumbnails: images.filter((image) => image.src.startsWith('data:image/jpeg')).length,
      galleryCards: document.querySelectorAll('#gallery .card').length,
      rejectedCards: document.querySelectorAll('.card.rejected').length,
      charts: document.querySelectorAll('svg').length,
      headings: Array.from(document.querySelectorAll('h2, h3')).map((h) => h.textContent),
      scripts: document.scripts.length,
      // Event-handler attributes and unknown elements: the page has none of its own.
      injected: Array.from(document.querySelectorAll('*'))
        .filter(
          (element) =>
            element.tagName.includes('-') ||
            Array.from(element.attributes).some((attribute) => attribute.name.startsWith('on')),
        )
        .map((element) => element.outerHTML.slice(0, 120)),
    };
  });
  // The filter narrows the gallery to the cards that mention what is typed.
  let filtered = null;
  if (seen.galleryCards > 0) {
    await page.fill('#filter', 'zzz-no-such-caption');
    filtered = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('#gallery .card')).filter(
          (card) => card.style.display !== 'none',
        ).length,
    );
    await page.fill('#filter', '');
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  report({ ...seen, filtered, errors, dialogs, externalRequests: requests });
});

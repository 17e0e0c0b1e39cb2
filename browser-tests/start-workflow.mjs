// Starts a workflow through the Temporal UI's Start Workflow form, as a user does: workflow ID,
// task queue, workflow type and the JSON input pasted into the input editor; then follows the
// "Workflow started successfully" link to the workflow's page.
//   node start-workflow.mjs <ui url> <namespace> <workflow id> <task queue> <type> <input.json> <screenshot prefix>
import { readFileSync } from 'node:fs';
import { withPage, report } from './browser.mjs';

const [ui, namespace, workflowId, taskQueue, type, inputFile, screenshots] = process.argv.slice(2);
if (!screenshots) {
  console.error('usage: node start-workflow.mjs <ui> <namespace> <id> <queue> <type> <input.json> <prefix>');
  process.exit(2);
}
const input = readFileSync(inputFile, 'utf8').trim();

await withPage(async (page, errors) => {
  await page.goto(`${ui}/namespaces/${namespace}/workflows/start-workflow`, {
    waitUntil: 'networkidle',
  });
  await page.fill('#workflowId', workflowId);
  await page.fill('#taskQueue', taskQueue);
  await page.fill('#workflowType', type);
  const editor = page.locator('.cm-content').first();
  await editor.click();
  await page.keyboard.insertText(input);
  // Leave the editor first, as a person does: the form takes the input when the editor blurs.
  await page.getByRole('heading', { name: 'Start a Workflow' }).click();
  await page.screenshot({ path: `${screenshots}-form.png`, fullPage: true });

  const request = page.waitForResponse(
    (response) =>
      response.request().method() === 'POST' &&
      response.url().includes(`/workflows/${encodeURIComponent(workflowId)}`),
  );
  await page.locator('[data-testid=start-workflow-button]').click();
  const response = await request;
  if (response.status() !== 200) {
    throw new Error(`the UI's start request got ${response.status()}: ${await response.text()}`);
  }
  const toast = page.getByText('Workflow started successfully');
  await toast.waitFor({ timeout: 15000 });
  await toast.click();
  await page.waitForURL((url) => url.pathname.includes(`/workflows/${encodeURIComponent(workflowId)}/`), {
    timeout: 30000,
  });
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `${screenshots}-started.png`, fullPage: true });
  report({ url: page.url(), startStatus: response.status(), errors });
});

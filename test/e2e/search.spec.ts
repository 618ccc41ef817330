import fs from 'node:fs';
import path from 'node:path';
import { expect, importAndPretrain, openApp, screenshotDirectory, test } from './fixtures.js';

test('types a query, sees ranked thumbnails with highlighted report snippets, filters by body part, saves and exports a cohort', async ({
  page,
  server,
}) => {
  test.setTimeout(300_000);
  await importAndPretrain(server, 120);

  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Search' }).click();
  await expect(page.getByTestId('search-status')).toContainText('Type what you are looking for');
  // The model that answers is named, with its retrieval quality, so a researcher knows which one searches.
  await expect(page.getByTestId('search-model').locator('option:checked')).toContainText(
    /test text→image R@10 \d\.\d\d/,
  );
  await page.getByTestId('search-input').pressSequentially('right pneumothorax', { delay: 30 });
  await expect(page.getByTestId('search-status')).toContainText(
    /\d+ images · \d+ ms · report words: right, pneumothorax/,
  );
  const results = page.getByTestId('search-result');
  await expect(results.first()).toBeVisible();
  await expect(results.first()).toContainText('#1');
  const snippet = page.getByTestId('search-snippet').first();
  await expect(snippet.locator('mark').first()).toHaveText(/pneumothorax|right/i);
  await expect(page.getByTestId('report-text').locator('mark').first()).toBeVisible();
  const unfiltered = Number((await page.getByTestId('search-status').textContent())!.match(/(\d+) images/)![1]);

  const bodyParts = await page.getByTestId('filter-body-part').locator('option').allTextContents();
  const bodyPart = bodyParts.find((option) => option !== 'Any')!;
  await page.getByTestId('filter-body-part').selectOption(bodyPart);
  await expect(page.getByTestId('search-status')).toContainText(/\d+ images/);
  await expect
    .poll(async () => Number((await page.getByTestId('search-status').textContent())!.match(/(\d+) images/)?.[1] ?? -1))
    .toBeLessThanOrEqual(unfiltered);
  await results.first().click();
  await page.keyboard.press('ArrowRight');
  await expect(results.nth(1)).toHaveClass(/selected/);
  await expect(results.nth(1)).toBeFocused();
  await page.screenshot({ path: path.join(screenshotDirectory, 'search-results.png'), fullPage: true });

  await page.getByTestId('cohort-name').fill('right pneumothoraces');
  await page.getByTestId('cohort-save').click();
  await expect(page.getByTestId('cohort-message')).toContainText('Saved cohort "right pneumothoraces"');
  const download = page.waitForEvent('download');
  await page.getByTestId('cohort-export').click();
  const file = await (await download).path();
  const lines = fs.readFileSync(file!, 'utf8').trim().split('\n');
  expect(lines[0]).toBe(
    'rank,score,study_instance_uid,series_instance_uid,sop_instance_uid,accession_number,patient_pseudonym',
  );
  expect(lines.length).toBeGreaterThan(1);
  expect(lines[1]).toMatch(/^1,[\d.]+,[\d.]+,[\d.]+,[\d.]+,/);

  await page.getByTestId('reports-for-image').click();
  await expect(page.getByTestId('nearest-reports').locator('li')).toHaveCount(5);
  await page.getByTestId('find-similar').click();
  await expect(page.getByText('Images like')).toBeVisible();
  await expect(results.first()).toBeVisible();
});

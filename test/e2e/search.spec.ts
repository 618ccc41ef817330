import fs from 'node:fs';
import path from 'node:path';
import { expect, expectFormsIntact, importAndPretrain, openApp, screenshotDirectory, test } from './fixtures.js';

test('types a query, sees ranked thumbnails with highlighted report snippets, filters by body part, saves and exports a cohort of exactly the word matches', async ({
  page,
  server,
}) => {
  test.setTimeout(300_000);
  await importAndPretrain(server, 120);

  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Search' }).click();
  await expect(page.getByTestId('search-status')).toContainText('Type what you are looking for');
  // The model that answers is named, with its retrieval quality beside chance, so a researcher knows which one
  // searches and whether it learned anything.
  const modelOption = page.getByTestId('search-model').locator('option:checked');
  await expect(modelOption).toContainText(/R@10 \d\.\d\d, chance \d\.\d\d \(\d+\.\d×\)/);
  const chanceLevel = (await modelOption.textContent())!.includes('no better than chance');
  await page.getByTestId('search-input').pressSequentially('right pneumothorax', { delay: 30 });
  await expect(page.getByTestId('search-status')).toContainText(
    /\d+ images: \d+ matched by report words, \d+ by meaning alone(?: \(similarity ≥ -?\d\.\d\d\))? · \d+ ms · report words: right, pneumothorax/,
  );
  // A model no better than chance says so in plain words, and adds nothing by meaning alone.
  if (chanceLevel) {
    await expect(page.getByTestId('search-notice').first()).toContainText('has not learned to match text to images');
    await expect(page.getByTestId('search-counts')).toContainText(', 0 by meaning alone');
  }
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
  await page.getByTestId('search-input').focus();
  await page.keyboard.press('ArrowDown');
  await expect(results.first()).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(results.nth(1)).toHaveClass(/selected/);
  await expect(results.nth(1)).toBeFocused();
  // The viewer's arrow keys set window and level and leave the result selection where it is.
  const viewer = page.getByRole('complementary', { name: 'Study' }).getByTestId('viewer');
  await viewer.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowLeft');
  await expect(results.nth(1)).toHaveClass(/selected/);
  await page.screenshot({ path: path.join(screenshotDirectory, 'search-results.png'), fullPage: true });

  await page.getByTestId('filter-body-part').selectOption('Any');
  await expect
    .poll(async () => Number((await page.getByTestId('search-status').textContent())!.match(/(\d+) images/)?.[1] ?? -1))
    .toBe(unfiltered);
  const wordMatches = Number(
    (await page.getByTestId('search-counts').textContent())!.match(/(\d+) matched by report words/)![1],
  );
  await expect(page.getByTestId('cohort-members').locator('option:checked')).toHaveText(
    `every report-word match (${wordMatches})`,
  );
  await page.getByTestId('cohort-name').fill('right pneumothoraces');
  await page.getByTestId('cohort-save').click();
  await expect(page.getByTestId('cohort-message')).toContainText(
    `Saved cohort "right pneumothoraces": ${wordMatches} images, every image whose report matched the words (${wordMatches} matched by report words, 0 by meaning alone)`,
  );
  await expectFormsIntact(page);
  await page.screenshot({ path: path.join(screenshotDirectory, 'search-cohort-word-matches.png'), fullPage: true });
  const download = page.waitForEvent('download');
  await page.getByTestId('cohort-export').click();
  const file = await (await download).path();
  const lines = fs.readFileSync(file!, 'utf8').trim().split('\n');
  expect(lines[0]).toBe(
    'rank,score,study_instance_uid,series_instance_uid,sop_instance_uid,accession_number,patient_pseudonym',
  );
  expect(lines.length).toBe(wordMatches + 1);
  expect(lines[1]).toMatch(/^1,[\d.]+,[\d.]+,[\d.]+,[\d.]+,/);

  // A cohort of hand-picked images holds those and nothing else.
  const ticks = page.getByTestId('result-tick');
  await ticks.nth(0).check();
  await ticks.nth(2).check();
  await page.getByTestId('cohort-members').selectOption('ticked');
  await page.getByTestId('cohort-name').fill('two picked');
  await page.getByTestId('cohort-save').click();
  await expect(page.getByTestId('cohort-message')).toContainText(
    'Saved cohort "two picked": 2 images, 2 ticked images',
  );

  // The saved cohort and its export belong to the query that made them: a new query clears them.
  await page.getByTestId('search-input').fill('left effusion');
  await expect(page.getByTestId('search-status')).toContainText('report words: left, effusion');
  await expect(page.getByTestId('cohort-message')).toHaveCount(0);
  await expect(page.getByTestId('cohort-export')).toHaveCount(0);

  // A query that names nothing (or that no report matches) is answered with nothing, not padded by meaning.
  await page.getByTestId('search-input').fill('the and of');
  await expect(page.getByTestId('search-status')).toContainText('0 images: 0 matched by report words');
  await expect(page.getByTestId('search-notice').first()).toContainText('names nothing to search for');
  await page.getByTestId('search-input').fill('"; DROP TABLE studies; --');
  await expect(page.getByTestId('search-status')).toContainText('0 matched by report words');
  if (chanceLevel) await expect(page.getByTestId('search-status')).toContainText('0 images');
  await page.screenshot({ path: path.join(screenshotDirectory, 'search-nonsense-query.png'), fullPage: true });
  await page.getByTestId('search-input').fill('right pneumothorax');
  await expect(results.first()).toBeVisible();

  // A 1024×700 window with the sidebar collapsed still shows the first row of results above the fold.
  await page.getByRole('button', { name: 'Close study' }).click();
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByTestId('sidebar-toggle').click();
  await expect(page.getByTestId('sidebar-toggle')).toHaveAttribute('aria-expanded', 'false');
  for (const index of [0, 1, 2]) await expect(results.nth(index).getByRole('img')).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: path.join(screenshotDirectory, 'search-1024x700.png') });
  await page.setViewportSize({ width: 1280, height: 720 });
  await results.first().click();
  await page.getByTestId('reports-for-image').click();
  await expect(page.getByTestId('nearest-reports').locator('li')).toHaveCount(5);
  await page.getByTestId('find-similar').click();
  await expect(page.getByText('Images like')).toBeVisible();
  await expect(results.first()).toBeVisible();
});

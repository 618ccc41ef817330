import fs from 'node:fs';
import path from 'node:path';
import { demoExport } from '../support/demo-export.js';
import { expect, expectFormsIntact, openApp, screenshotDirectory, test } from './fixtures.js';

test('imports a generated export through the wizard, then opens a study and reads its report', async ({
  page,
  server,
}) => {
  const folder = demoExport(50);
  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Import' }).click();

  await page.getByLabel('Folder path').fill(folder);
  await page.getByRole('button', { name: 'Look inside' }).click();
  await expect(page.getByTestId('preview-counts')).toContainText('files to examine as DICOM');
  await expect(page.getByText('The folder carries a manifest; its mapping will be used:')).toBeVisible();
  await expectFormsIntact(page);
  await page.getByRole('button', { name: 'Start import' }).click();

  const progress = page.getByRole('region', { name: 'Import progress' });
  await expect(progress.getByRole('progressbar')).toBeVisible();
  await expect(progress.getByTestId('job-state')).toHaveText('succeeded', { timeout: 90_000 });
  await expect(page.getByTestId('import-outcomes')).toContainText('failed');
  await expect(page.getByRole('region', { name: 'Import summary' })).toContainText('PDF document, not DICOM');
  // Failures are named file by file, not only counted by reason.
  await page
    .getByTestId('failed-files')
    .getByText(/The \d+ failed files, by name/)
    .click();
  await expect(page.getByTestId('failed-files').locator('li').first()).toContainText(/IM_TRUNCATED\.dcm|\.dcm/);
  await page.screenshot({ path: path.join(screenshotDirectory, 'import-summary.png'), fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download the file log (CSV)' }).click();
  const log = fs.readFileSync(await (await download).path(), 'utf8');
  expect(log.split('\n')[0]).toBe('path,outcome,reason,kind,duplicate_of');
  expect(log).toContain('skipped,"PDF document, not DICOM"');

  await page.getByRole('button', { name: 'Open the Library' }).click();
  await expect(page.getByTestId('library-counts')).toContainText('50 studies');
  await page.getByText(/^Unmatched reports \(\d+\)/).click();
  await expect(page.getByRole('table', { name: 'Unmatched reports' })).toContainText('ACC09999991');
  // A label filter offers the task's values with their counts, rather than asking for one to be typed.
  const filters = page.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Label').selectOption('abnormal');
  const values = await filters.getByTestId('filter-label-value').locator('option').allTextContents();
  expect(values[0]).toBe('any value');
  expect(values.slice(1).length).toBeGreaterThanOrEqual(2);
  for (const value of values.slice(1)) expect(value).toMatch(/^\S+ \(\d+ studies\)$/);
  await filters.getByLabel('Label').selectOption('');
  await page.getByRole('form', { name: 'Filters' }).getByLabel('Report').selectOption('yes');
  await expect(page.getByTestId('study-total')).not.toHaveText('50 matching studies');
  const firstStudy = page.getByRole('grid', { name: 'Studies' }).getByRole('button').first();
  await expect(firstStudy.getByRole('img')).toBeVisible();
  await firstStudy.click();
  const study = page.getByRole('complementary', { name: 'Study' });
  await expect(study.getByTestId('report-text').first()).toContainText(/FINDINGS|Findings|REPORT/);
  await expect(study.getByRole('img')).toBeVisible();
  const before = await study.getByTestId('window-values').textContent();
  await study.getByRole('slider').focus();
  await page.keyboard.press('ArrowUp');
  await expect(study.getByTestId('window-values')).not.toHaveText(before!);
  // Zoom with the wheel and back to fit; invert; the transfer syntax by name, not by UID.
  const viewer = study.getByTestId('viewer');
  await viewer.hover();
  await page.mouse.wheel(0, -400);
  await expect.poll(async () => Number(await viewer.getAttribute('data-zoom'))).toBeGreaterThan(1.5);
  await study.getByRole('button', { name: /^Fit/ }).click();
  await expect(viewer).toHaveAttribute('data-zoom', '1.00');
  await study.getByRole('button', { name: 'Invert' }).click();
  await expect(study.getByRole('button', { name: 'Invert' })).toHaveAttribute('aria-pressed', 'true');
  await expect(study).toContainText(/Explicit VR Little Endian|Implicit VR Little Endian|JPEG|RLE|Deflated/);
  await expect(study).not.toContainText(/· 1\.2\.840\.10008\.1\.2/);
  // The file's DICOM attributes, named, with the patient's withheld and the Patient ID as its pseudonym.
  await study.getByTestId('dicom-tags').getByText('DICOM tags').click();
  const tags = study.getByTestId('dicom-tags').locator('table');
  await expect(tags.getByRole('row', { name: /PatientID/ })).toContainText(/P[0-9a-f]{16} \(pseudonym\)/);
  await expect(tags.getByRole('row', { name: /PatientName/ })).toContainText('(withheld: identifying)');
  await expect(tags.getByRole('row', { name: /TransferSyntaxUID|Modality/ }).first()).toBeVisible();
  await study.getByTestId('dicom-tags').getByText('DICOM tags').click();
  await page.screenshot({ path: path.join(screenshotDirectory, 'library-study.png') });
  // Next and previous study without going back to the grid.
  const heading = study.getByRole('heading', { level: 2 });
  const first = await heading.textContent();
  await study.getByRole('button', { name: 'Next' }).click();
  await expect(heading).not.toHaveText(first!);
  await page.keyboard.press('PageUp');
  await expect(heading).toHaveText(first!);
});

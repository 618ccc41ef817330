import fs from 'node:fs';
import type { Page } from '@playwright/test';
import os from 'node:os';
import path from 'node:path';
import { demoExport } from '../support/demo-export.js';
import { waitUntil } from '../support/serve-process.js';
import { writeSeriesStudy } from '../support/series-study.js';
import { expect, expectFormsIntact, openApp, screenshotDirectory, test } from './fixtures.js';
import type { ServeProcess } from '../support/serve-process.js';

async function openImportPage(page: Page, server: ServeProcess): Promise<void> {
  await openApp(page, server);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Import' }).click();
}

test('imports a generated export through the wizard, then opens a study and reads its report', async ({
  page,
  server,
}) => {
  const folder = demoExport(50);
  await openImportPage(page, server);

  await page.getByLabel('Folder path').fill(folder);
  await page.getByRole('button', { name: 'Look inside' }).click();
  await expect(page.getByTestId('preview-counts')).toContainText('files to examine as DICOM');
  await expect(page.getByRole('radio', { name: 'as the manifest maps them:' })).toBeChecked();
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

test("lists a CT study's series with their counts and scrolls a series slice by slice, in instance order", async ({
  page,
  server,
}) => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'unisight-series-'));
  try {
    writeSeriesStudy(folder, 8);
    const started = await server.call<{ id: string }>('import.start', { folder });
    await waitUntil(async () => {
      const job = (await server.call<{ state: string }>('jobs.get', { jobId: started.body.result!.id })).body.result!;
      return job.state === 'succeeded' ? job : null;
    }, 60_000);
    await openApp(page, server);
    await page.getByRole('grid', { name: 'Studies' }).getByRole('button').first().click();
    const study = page.getByRole('complementary', { name: 'Study' });
    const series = study.getByTestId('series-select');
    expect(await series.locator('option').allTextContents()).toEqual([
      'Series 1 · SCOUT · CT',
      'Series 2 · AXIAL 5mm · CT · 8 images',
    ]);
    await series.selectOption({ label: 'Series 2 · AXIAL 5mm · CT · 8 images' });
    const position = study.getByTestId('series-position');
    await expect(position).toHaveText('1 / 8 (instance 1)');
    const viewer = study.getByTestId('viewer');
    const picture = viewer.getByRole('img');
    await expect(picture).toBeVisible();
    const first = await picture.getAttribute('src');
    // The wheel steps through the slices; each renders its own pixels.
    await viewer.hover();
    await page.mouse.wheel(0, 100);
    await expect(position).toHaveText('2 / 8 (instance 2)');
    await expect(picture).not.toHaveAttribute('src', first!);
    await expect(viewer).toHaveAttribute('data-zoom', '1.00');
    await viewer.focus();
    await page.keyboard.press('End');
    await expect(position).toHaveText('8 / 8 (instance 8)');
    await page.keyboard.press(',');
    await expect(position).toHaveText('7 / 8 (instance 7)');
    await page.keyboard.press('Home');
    await expect(position).toHaveText('1 / 8 (instance 1)');
    await study.getByTestId('series-slider').fill('5');
    await expect(position).toHaveText('5 / 8 (instance 5)');
    await page.screenshot({ path: path.join(screenshotDirectory, 'library-series.png') });
    // Ctrl-wheel still zooms within a series.
    await viewer.hover();
    await page.keyboard.down('Control');
    await page.mouse.wheel(0, -400);
    await page.keyboard.up('Control');
    await expect.poll(async () => Number(await viewer.getAttribute('data-zoom'))).toBeGreaterThan(1.5);
    await expect(position).toHaveText('5 / 8 (instance 5)');
    // A one-image series has nothing to scroll.
    await series.selectOption({ index: 0 });
    await expect(study.getByTestId('series-slider')).toHaveCount(0);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('browses to a folder without typing its path, reads its manifest, and maps the tables itself instead', async ({
  page,
  server,
}) => {
  const folder = demoExport(50);
  await openImportPage(page, server);
  // Browser mode has no operating-system dialog: the core lists folders, starting where the typed path points.
  await page.getByLabel('Folder path').fill(path.dirname(folder));
  await page.getByRole('button', { name: 'Browse…' }).click();
  const browser = page.getByRole('dialog', { name: 'Choose the folder to import' });
  await expect(browser.getByTestId('folder-browser-path')).toHaveText(path.dirname(folder));
  await browser.getByRole('button', { name: path.basename(folder) }).click();
  await expect(browser.getByTestId('folder-browser-path')).toHaveText(folder);
  await expect(browser.getByRole('list', { name: 'Folders inside' })).toContainText('PAT_');
  await page.screenshot({ path: path.join(screenshotDirectory, 'import-folder-browser.png') });
  await browser.getByRole('button', { name: 'Up one folder' }).click();
  await expect(browser.getByTestId('folder-browser-path')).toHaveText(path.dirname(folder));
  await browser.getByRole('button', { name: path.basename(folder) }).click();
  await browser.getByRole('button', { name: 'Choose this folder' }).click();
  await expect(browser).toBeHidden();
  await expect(page.getByLabel('Folder path')).toHaveValue(folder);

  await page.getByRole('button', { name: 'Look inside' }).click();
  const manifest = page.getByRole('region', { name: 'Manifest' });
  await expect(manifest.getByRole('radio', { name: 'as the manifest maps them:' })).toBeChecked();
  await manifest.getByText('Show unisight-manifest.json').click();
  const written = JSON.parse(fs.readFileSync(path.join(folder, 'unisight-manifest.json'), 'utf8')) as {
    tables: Array<{ file: string; keyColumn: string }>;
  };
  expect(JSON.parse((await manifest.getByTestId('manifest-text').textContent())!)).toEqual(written);
  // Mapping the tables oneself starts from the manifest's mapping (its tables ticked, with its key columns); here
  // every table is then left out.
  await manifest.getByRole('radio', { name: 'as I map them here (the manifest is ignored)' }).check();
  const tableChoices = page.getByRole('checkbox', { name: /^Use / });
  expect(await tableChoices.count()).toBeGreaterThan(written.tables.length - 1);
  for (const table of written.tables) {
    await expect(page.getByRole('checkbox', { name: `Use ${table.file} (` })).toBeChecked();
    const mapping = page.getByRole('group', { name: `Use ${table.file} (` });
    await expect(mapping.getByLabel('Key column')).toHaveValue(table.keyColumn);
  }
  await expectFormsIntact(page);
  await page.screenshot({ path: path.join(screenshotDirectory, 'import-manifest-override.png'), fullPage: true });
  for (const choice of await tableChoices.all()) await choice.uncheck();
  await page.getByRole('button', { name: 'Start import' }).click();
  await expect(page.getByRole('region', { name: 'Import progress' }).getByTestId('job-state')).toHaveText('succeeded', {
    timeout: 90_000,
  });
  const jobs = (await server.call<Array<{ kind: string; result: { tables: unknown[] } }>>('jobs.list', {})).body
    .result!;
  expect(jobs.find((job) => job.kind === 'library.import')!.result.tables).toEqual([]);
});

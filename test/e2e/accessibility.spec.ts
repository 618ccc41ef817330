import AxeBuilder from '@axe-core/playwright';
import path from 'node:path';
import { expect, importAndPretrain, openApp, screenshotDirectory, test } from './fixtures.js';

const sections = ['Library', 'Import', 'Train', 'Fine-tune', 'Search', 'Runs'];

// axe-core's WCAG 2.1 A and AA rules on every page of a library with studies, reports and a model: nothing serious or
// critical may remain. (Found and fixed when this test was written: the study and result grids' ARIA structure, their
// cards' names, the contrast of the accent buttons and of the Train form's notes.)
test('every page explains its numbers in a help panel and passes axe-core with no serious or critical violation', async ({
  page,
  server,
}) => {
  test.setTimeout(300_000);
  await importAndPretrain(server, 60);
  await openApp(page, server);
  const navigation = page.getByRole('navigation', { name: 'Sections' });
  const found: string[] = [];
  for (const section of sections) {
    await navigation.getByRole('link', { name: section }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(section);
    if (section === 'Search') {
      await page.getByTestId('search-input').fill('effusion');
      await expect(page.getByTestId('search-result').first()).toBeVisible();
    }
    if (section === 'Library') {
      await expect(page.getByTestId('study-total')).toContainText('60');
      // The study grid is an ARIA grid, and arrow keys move through it as one.
      const cards = page.getByRole('grid', { name: 'Studies' }).getByRole('gridcell').getByRole('button');
      await cards.first().focus();
      await page.keyboard.press('ArrowRight');
      await expect(cards.nth(1)).toBeFocused();
      await page.keyboard.press('ArrowLeft');
      await expect(cards.first()).toBeFocused();
      // The study panel and its viewer are checked too.
      await page.keyboard.press('Enter');
      await expect(page.getByRole('complementary', { name: 'Study' }).getByRole('img')).toBeVisible();
    }
    // Each page explains its numbers in a short help panel, closed until asked for (checked by axe open).
    const help = page.getByTestId('page-help');
    await help.getByText('What the numbers here mean').click();
    await expect(help.locator('li').first()).toBeVisible();
    expect(await help.locator('li').count()).toBeGreaterThanOrEqual(2);
    if (section === 'Search') {
      await expect(help).toContainText('chance');
      await page.screenshot({ path: path.join(screenshotDirectory, 'search-help.png') });
    }
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    for (const violation of results.violations)
      if (violation.impact === 'serious' || violation.impact === 'critical')
        found.push(
          `${section}: ${violation.id} (${violation.impact}) ${violation.help} — ${violation.nodes
            .slice(0, 3)
            .map((node) => `${node.target.join(' ')} ${node.any[0]?.message ?? ''}`)
            .join(' | ')} (${violation.nodes.length} nodes)`,
        );
  }
  expect(found).toEqual([]);
});

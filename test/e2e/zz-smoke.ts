import { launchBrowser } from '../support/browser.ts';
import { startStack } from '../support/stack.ts';
import { openSignedIn } from './review-page.ts';

const stack = await startStack({ staticDir: 'dist' });
const browser = await launchBrowser();
try {
  const { page } = await openSignedIn(browser, stack, `/invitations`, { viewport: { width: 1280, height: 800 } });
  await page.getByRole('table').waitFor();
  await page.screenshot({ path: '/tmp/smoke/inv-1280.png' });
  await page.getByRole('button', { name: /^Edit the invitation/ }).first().click();
  await page.waitForTimeout(600);
  await page.screenshot({ path: '/tmp/smoke/inv-edit.png' });
  const { page: p2 } = await openSignedIn(browser, stack, `/users`, { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  await p2.getByRole('table').waitFor();
  await p2.screenshot({ path: '/tmp/smoke/users-dark.png' });
} finally {
  await browser.close();
  await stack.close();
}

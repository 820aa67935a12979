// Shared steps for the end-to-end tests of the invite screen: how a person finds things (roles and labels).
import type { Page } from 'playwright-core';
import * as z from 'zod/mini';
import { UserPageSchema } from '../../src/contract/users.ts';
import type { User } from '../../src/contract/users.ts';
import type { Stack } from '../support/stack.ts';

export const field = (page: Page, name: string) => page.getByRole('textbox', { name, exact: true });
export const roleField = (page: Page) => page.getByRole('combobox', { name: 'Clinic role' });
export const submitButton = (page: Page) =>
  page.getByRole('button', { name: 'Send invitation', exact: true });
export const dashboardSwitch = (page: Page) => page.getByRole('switch', { name: 'Dashboard access' });
export const studiesSwitch = (page: Page) => page.getByRole('switch', { name: 'May manage studies' });

export interface Person {
  firstName: string;
  middleName: string;
  lastName: string;
  suffix1: string;
  suffix2: string;
  email: string;
  phone: string;
}

let counter = 0;

/** Someone new for each test (the sandbox keeps everyone a file's tests invite). */
export function newPerson(): Person {
  counter += 1;
  return {
    firstName: 'Sarah',
    middleName: 'Marie',
    lastName: `Johnson${counter}`,
    suffix1: 'MD',
    suffix2: 'FACR',
    email: `sarah.johnson.${counter}.${Date.now()}@hospital.example`,
    phone: '(555) 123-4567',
  };
}

/** Open the invite screen and wait until the form can be used. */
export async function openInvite(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await submitButton(page).waitFor({ state: 'visible' });
}

export async function fillPerson(page: Page, person: Person): Promise<void> {
  await field(page, 'First name').fill(person.firstName);
  await field(page, 'Middle name (optional)').fill(person.middleName);
  await field(page, 'Last name').fill(person.lastName);
  await field(page, 'Suffix 1 (optional)').fill(person.suffix1);
  await field(page, 'Suffix 2 (optional)').fill(person.suffix2);
  await field(page, 'Email').fill(person.email);
  await field(page, 'Phone (optional)').fill(person.phone);
}

/** Type into the role picker and take the first match with Enter. */
export async function chooseRole(page: Page, search: string): Promise<void> {
  await roleField(page).click();
  await page.keyboard.type(search);
  await page.getByRole('listbox').waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** The values of every person field, to prove nothing typed was lost. */
export async function personFieldValues(page: Page): Promise<Person> {
  return {
    firstName: await field(page, 'First name').inputValue(),
    middleName: await field(page, 'Middle name (optional)').inputValue(),
    lastName: await field(page, 'Last name').inputValue(),
    suffix1: await field(page, 'Suffix 1 (optional)').inputValue(),
    suffix2: await field(page, 'Suffix 2 (optional)').inputValue(),
    email: await field(page, 'Email').inputValue(),
    phone: await field(page, 'Phone (optional)').inputValue(),
  };
}

/** Ask the BFF (as the signed-in operator) for the users with this email address. */
export async function usersWithEmail(stack: Stack, email: string): Promise<User[]> {
  const answer = await stack.api('GET', `/api/users?email=${encodeURIComponent(email)}`);
  if (answer.status !== 200) throw new Error(`GET /api/users answered ${answer.status}: ${answer.text}`);
  return UserPageSchema.parse(answer.json()).users;
}

/** Someone the sandbox seeded, to invite a second time. */
export async function aSeededUser(stack: Stack): Promise<User> {
  const answer = await stack.api('GET', '/api/users?limit=5');
  if (answer.status !== 200) throw new Error(`GET /api/users answered ${answer.status}: ${answer.text}`);
  const user = UserPageSchema.parse(answer.json()).users[0];
  if (!user) throw new Error('The sandbox seeded nobody.');
  return user;
}

/** The text of the page's clipboard (the context needs clipboard-read permission). */
export async function readClipboard(page: Page): Promise<string> {
  return z.string().parse(await page.evaluate('navigator.clipboard.readText()'));
}

/** Press Tab until the element has focus: keyboard only, no clicks. */
export async function tabTo(
  page: Page,
  target: ReturnType<Page['getByRole']>,
  maxPresses = 40,
): Promise<void> {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${String(target)} in ${maxPresses} presses.`);
}

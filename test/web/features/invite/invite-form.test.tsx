import { screen, waitFor, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLINIC_ROLES, ROLES_BY_GROUP, ROLE_GROUPS, roleGroup } from '../../../../src/contract/roles.ts';
import { createdUser, fakeApi, json } from '../../fake-api.ts';
import { renderInvite } from '../../render-app.tsx';

const field = (name: string) => screen.getByRole('textbox', { name });
const role = () => screen.getByRole('combobox', { name: 'Clinic role' });
const dashboard = () => screen.getByRole('switch', { name: 'Dashboard access' });
const studies = () => screen.getByRole('switch', { name: 'May manage studies' });
const level = (name: 'Admin' | 'Member') => screen.getByRole('button', { name: new RegExp(`^${name} `) });

async function chooseRole(user: UserEvent, text: string, expected: string) {
  await user.click(role());
  await user.keyboard(text);
  await user.keyboard('{Enter}');
  expect(role()).toHaveValue(expected);
}

beforeEach(() => {
  fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
});

describe('invite form: fields and labels', () => {
  it('marks required fields and labels the optional ones', async () => {
    await renderInvite();
    for (const name of ['First name', 'Last name', 'Email']) expect(field(name)).toBeRequired();
    expect(role()).toBeRequired();
    for (const name of ['Middle name', 'Suffix 1', 'Suffix 2', 'Phone']) {
      const input = field(`${name} (optional)`);
      expect(input).not.toBeRequired();
    }
    expect(screen.getByText('Fields marked * are required.')).toBeVisible();
  });

  it('starts with least privilege: member, no dashboard access, no study management, no role chosen', async () => {
    await renderInvite();
    expect(level('Member')).toHaveAttribute('aria-pressed', 'true');
    expect(level('Admin')).toHaveAttribute('aria-pressed', 'false');
    expect(dashboard()).not.toBeChecked();
    expect(dashboard()).toBeEnabled();
    expect(studies()).not.toBeChecked();
    expect(role()).toHaveValue('');
  });

  it('says in one line what each level allows, as part of what the button is called', async () => {
    await renderInvite();
    expect(level('Member')).toHaveAccessibleName(
      'Member Views and reads studies, as their permissions allow.',
    );
    expect(level('Admin')).toHaveAccessibleName(
      'Admin Also manages users and clinic settings in the dashboard.',
    );
  });
});

describe('invite form: validation', () => {
  it('shows a message when a field is left, not on every keystroke before that', async () => {
    const { user } = await renderInvite();
    await user.type(field('Email'), 'not-an-email');
    expect(field('Email')).toHaveAttribute('aria-invalid', 'false');
    expect(screen.queryByText('Enter a valid email address, like name@clinic.org.')).not.toBeInTheDocument();

    await user.tab();
    expect(field('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(field('Email')).toHaveAccessibleDescription('Enter a valid email address, like name@clinic.org.');

    // After the first blur it re-checks as they type, so the message goes as soon as it is fixed.
    await user.clear(field('Email'));
    await user.type(field('Email'), 'sarah@clinic.org');
    expect(field('Email')).toHaveAttribute('aria-invalid', 'false');
  });

  it('on submit shows every problem, sends nothing and moves focus to the first invalid field', async () => {
    const api = fakeApi({ 'GET /api/mode': () => json({ mode: 'sandbox' }) });
    const { user } = await renderInvite();
    await user.type(field('Email'), 'sarah@clinic.org');
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));

    await waitFor(() => expect(field('First name')).toHaveFocus());
    expect(field('First name')).toHaveAccessibleDescription('Enter a first name.');
    expect(field('Last name')).toHaveAccessibleDescription('Enter a last name.');
    expect(role()).toHaveAccessibleDescription('Choose a clinic role from the list.');
    expect(field('Email')).toHaveAttribute('aria-invalid', 'false');
    expect(api.invites()).toHaveLength(0);
  });

  it('accepts common phone formats and shows the digits that will be stored', async () => {
    const { user } = await renderInvite();
    const phone = field('Phone (optional)');
    expect(phone).toHaveAccessibleDescription('Any common format, for example (555) 123-4567.');
    await user.type(phone, '+1 (555) 123-4567');
    expect(phone).toHaveAccessibleDescription('Will be stored as 15551234567 (11 digits).');
    await user.tab();
    expect(phone).toHaveAttribute('aria-invalid', 'false');

    await user.clear(phone);
    await user.type(phone, '555-12');
    await user.tab();
    expect(phone).toHaveAccessibleDescription(
      'Enter a phone number with 10 to 15 digits, for example (555) 123-4567.',
    );
  });

  it('previews how the name will read', async () => {
    const { user } = await renderInvite();
    const preview = screen.getByTestId('name-preview');
    expect(preview).toHaveTextContent('Their name will read: (type a name above)');
    await user.type(field('First name'), 'Sarah');
    await user.type(field('Middle name (optional)'), 'Marie');
    await user.type(field('Last name'), 'Johnson');
    await user.type(field('Suffix 1 (optional)'), 'MD');
    await user.type(field('Suffix 2 (optional)'), 'FACR');
    expect(preview).toHaveTextContent('Their name will read: Sarah M. Johnson, MD, FACR');
  });
});

describe('invite form: the admin rule', () => {
  it('turns dashboard access on and locks it for admins, with the reason beside it', async () => {
    const { user } = await renderInvite();
    expect(dashboard()).toHaveAccessibleDescription(
      'Can sign in to the clinic’s Avara dashboard (the web console).',
    );
    await user.click(level('Admin'));
    expect(level('Admin')).toHaveAttribute('aria-pressed', 'true');
    expect(dashboard()).toBeChecked();
    expect(dashboard()).toBeDisabled();
    expect(dashboard()).toHaveAccessibleDescription('Admins always have dashboard access.');
    expect(screen.getByText('Admins always have dashboard access.')).toBeVisible();
  });

  it('going back to member unlocks the switch and gives dashboard access back as it was (off)', async () => {
    const { user } = await renderInvite();
    expect(dashboard()).not.toBeChecked();
    await user.click(level('Admin'));
    expect(dashboard()).toBeChecked();
    await user.click(level('Member'));
    expect(level('Member')).toHaveAttribute('aria-pressed', 'true');
    expect(dashboard()).toBeEnabled();
    expect(dashboard()).not.toBeChecked();
    expect(dashboard()).toHaveAccessibleDescription(
      'Dashboard access is off again, as it was before Admin was chosen.',
    );
    await user.click(dashboard());
    expect(dashboard()).toBeChecked();
    expect(dashboard()).toHaveAccessibleDescription(
      'Can sign in to the clinic’s Avara dashboard (the web console).',
    );
  });

  it('going back to member keeps dashboard access on when it was on before Admin, and says so', async () => {
    const { user } = await renderInvite();
    await user.click(dashboard());
    await user.click(level('Admin'));
    await user.click(level('Member'));
    expect(dashboard()).toBeChecked();
    expect(dashboard()).toHaveAccessibleDescription(
      'Dashboard access stays on, as it was before Admin was chosen.',
    );
    // Back and forth again: still as it was before the first Admin.
    await user.click(level('Admin'));
    await user.click(level('Member'));
    expect(dashboard()).toBeChecked();
  });

  it('sends a member without dashboard access after Admin then Member', async () => {
    const api = fakeApi({
      'GET /api/mode': () => json({ mode: 'sandbox' }),
      'POST /api/users': (r) => createdUser(r.body),
    });
    const { user } = await renderInvite();
    await user.type(field('First name'), 'Omar');
    await user.type(field('Last name'), 'Haddad');
    await user.type(field('Email'), 'omar.haddad@clinic.org');
    await chooseRole(user, 'radio', 'Radiologist');
    await user.click(level('Admin'));
    await user.click(level('Member'));
    await user.click(screen.getByRole('button', { name: 'Send invitation' }));
    await screen.findByRole('heading', { name: 'Invitation sent to Omar Haddad' });
    const [post] = api.requests.filter((r) => r.method === 'POST');
    expect(post?.body).toMatchObject({ level: 'member', hasDashboardAccess: false });
  });

  it('keeps a level chosen when the pressed button is pressed again', async () => {
    const { user } = await renderInvite();
    await user.click(level('Member'));
    expect(level('Member')).toHaveAttribute('aria-pressed', 'true');
  });

  it('groups the levels under their label as one tab stop, the chosen level', async () => {
    const { user } = await renderInvite();
    expect(screen.getByRole('group', { name: 'Level' })).toContainElement(level('Admin'));
    expect(level('Member')).toHaveAttribute('tabindex', '0');
    expect(level('Admin')).toHaveAttribute('tabindex', '-1');
    await user.click(level('Admin'));
    await user.click(field('Email'));
    expect(level('Admin')).toHaveAttribute('tabindex', '0');
    expect(level('Member')).toHaveAttribute('tabindex', '-1');
  });

  it('moves between the levels with the arrow keys, Home and End, and chooses with Space', async () => {
    const { user } = await renderInvite();
    level('Member').focus();
    await user.keyboard('{ArrowRight}');
    expect(level('Admin')).toHaveFocus();
    // Moving focus does not choose: the focused button holds the tab stop until focus leaves the group.
    expect(level('Member')).toHaveAttribute('aria-pressed', 'true');
    expect(level('Admin')).toHaveAttribute('tabindex', '0');
    await user.keyboard('{ArrowRight}');
    expect(level('Member')).toHaveFocus();
    await user.keyboard('{ArrowLeft}');
    expect(level('Admin')).toHaveFocus();
    await user.keyboard('{Home}');
    expect(level('Member')).toHaveFocus();
    await user.keyboard('{End}');
    expect(level('Admin')).toHaveFocus();
    await user.keyboard(' ');
    expect(level('Admin')).toHaveAttribute('aria-pressed', 'true');
    expect(dashboard()).toBeChecked();
    expect(dashboard()).toBeDisabled();
  });
});

describe('invite form: the role picker', () => {
  it('lists all 61 roles under their groups, each group named for a screen reader', async () => {
    const { user } = await renderInvite();
    await user.click(role());
    const listbox = await screen.findByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual([...ROLES_BY_GROUP]);
    expect(within(listbox).getAllByRole('option')).toHaveLength(61);
    for (const group of ROLE_GROUPS) {
      const options = within(within(listbox).getByRole('group', { name: group }))
        .getAllByRole('option')
        .map((option) => option.textContent);
      expect(options).toEqual(CLINIC_ROLES.filter((r) => roleGroup(r) === group));
    }
    expect(
      within(within(listbox).getByRole('group', { name: 'Imaging & laboratory' })).getByRole('option', {
        name: "Pathologists' Assistant",
      }),
    ).toBeVisible();
    expect(within(listbox).queryByRole('option', { name: 'PACS Administrator' })).toBeNull();
  });

  it('searches by group as well as by role, keeping the group headings', async () => {
    const { user } = await renderInvite();
    await user.click(role());
    await user.keyboard('laboratory');
    const listbox = screen.getByRole('listbox');
    expect(within(listbox).getAllByRole('group')).toHaveLength(1);
    expect(
      within(within(listbox).getByRole('group', { name: 'Imaging & laboratory' }))
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual([
      'Imaging Technologist',
      'Laboratory Technician',
      'Medical Laboratory Scientist',
      "Pathologists' Assistant",
      'Phlebotomist',
    ]);
    await user.clear(role());
    await user.keyboard('therap');
    expect(
      within(screen.getByRole('listbox'))
        .getAllByRole('group')
        .map((g) => within(g).getAllByRole('option').length),
    ).toEqual([7]);
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(role()).toHaveValue('Physical Therapist');
  });

  it('filters as they type and chooses with the keyboard', async () => {
    const { user } = await renderInvite();
    await user.click(role());
    await user.keyboard('nurse');
    const listbox = screen.getByRole('listbox');
    expect(
      within(listbox)
        .getAllByRole('option')
        .map((option) => option.textContent),
    ).toEqual([
      'Nurse Practitioner',
      'Certified Registered Nurse Anesthetist',
      'Registered Nurse',
      'Nurse Manager',
    ]);
    expect(within(listbox).getByRole('group', { name: 'Advanced practice & nursing' })).toBeVisible();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(role()).toHaveValue('Registered Nurse');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  it('opens with the arrow keys and keeps the chosen role visible after leaving the field', async () => {
    const { user } = await renderInvite();
    role().focus();
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('listbox')).toBeVisible();
    expect(role()).toHaveAttribute('aria-expanded', 'true');
    await user.keyboard('{Enter}');
    expect(role()).toHaveValue('Doctor');
    await user.tab();
    expect(role()).toHaveValue('Doctor');
  });

  it('accepts no free text: an unmatched word is dropped when the field is left', async () => {
    const { user } = await renderInvite();
    await user.click(role());
    await user.keyboard('Chief of everything');
    expect(screen.getByRole('status')).toHaveTextContent('No role matches “Chief of everything”.');
    await user.tab();
    expect(role()).toHaveValue('');
    expect(role()).toHaveAccessibleDescription('Choose a clinic role from the list.');
  });

  it('chooses by mouse too', async () => {
    const { user } = await renderInvite();
    await chooseRole(user, 'pathologists', "Pathologists' Assistant");
    await user.click(screen.getByRole('button', { name: 'Open the list of roles' }));
    await user.click(screen.getByRole('option', { name: 'Surgeon' }));
    expect(role()).toHaveValue('Surgeon');
  });
});

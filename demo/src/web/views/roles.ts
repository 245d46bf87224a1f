import { call } from '../api.js';
import type { Me } from '../app.js';
import { h } from '../dom.js';
import { verdictBox } from './verdict.js';

const ROLES = ['customer', 'teller', 'admin'];

/**
 * Change a user's role (admins only: the page is not offered to anyone else, and the server
 * refuses anyone else with 403 before any step-up). The policy then asks the admin for a passkey
 * with user verification, for this request only.
 */
export async function renderRoles(section: HTMLElement, me: Me): Promise<void> {
  const result = h('div', { 'data-testid': 'role-result' });
  const rows = me.users.map((u) => {
    const select = h(
      'select',
      { 'aria-label': `Role of ${u.name}`, 'data-user': u.id },
      ...ROLES.map((r) => h('option', { value: r, selected: r === u.role }, r)),
    );
    const change = async () => {
      const outcome = await call('/api/roles', {
        method: 'POST',
        json: { userId: u.id, role: select.value },
      });
      result.replaceChildren(verdictBox(outcome, `${u.name} is now ${select.value}.`));
    };
    return h(
      'tr',
      {},
      h('td', {}, u.name),
      h('td', {}, select),
      h('td', {}, h('button', { 'data-change': u.id, onclick: change }, 'Change role')),
    );
  });
  section.append(
    h('h2', {}, 'Roles'),
    h(
      'p',
      { className: 'muted' },
      'Only admins change roles, and each change needs a passkey on this device with a fingerprint or PIN.',
    ),
    h('table', {}, h('tbody', {}, ...rows)),
    result,
  );
}

import { call } from '../api.js';
import type { Me } from '../app.js';
import { eur, h } from '../dom.js';
import { verdictBox } from './verdict.js';

interface Balance {
  balance: number;
  transfers: Array<{ id: string; payee: string; amount: number; at: string }>;
}

/** Balance (an allowed read), recent transfers, and the transfer form with three sample amounts. */
export async function renderAccount(section: HTMLElement, me: Me): Promise<void> {
  const balance = h('p', { className: 'code', 'data-testid': 'balance' }, '…');
  const list = h('tbody', {});
  const result = h('div', { 'data-testid': 'transfer-result' });
  const refresh = async () => {
    const outcome = await call('/api/balance');
    if (outcome.status !== 'ok') {
      balance.textContent = '—';
      result.replaceChildren(verdictBox(outcome, ''));
      return;
    }
    const b = outcome.body as unknown as Balance;
    balance.textContent = eur(b.balance);
    list.replaceChildren(
      ...b.transfers.map((t) =>
        h(
          'tr',
          {},
          h('td', {}, new Date(t.at).toLocaleString()),
          h('td', {}, t.payee),
          h('td', {}, eur(t.amount)),
        ),
      ),
    );
  };
  const amount = h('input', { id: 'amount', type: 'number', min: '0.01', step: '0.01', value: '50' });
  const payee = h('input', { id: 'payee', value: 'Electricité de Paris', maxLength: 64 });
  const send = async () => {
    const value = Number(amount.value);
    const outcome = await call('/api/transfers', {
      method: 'POST',
      json: { amount: value, payee: payee.value },
    });
    result.replaceChildren(verdictBox(outcome, `Sent ${eur(value)} to ${payee.value}.`));
    if (outcome.status === 'ok') await refresh();
  };
  const preset = (label: string, value: number, note: string) =>
    h(
      'button',
      { className: 'secondary', 'data-amount': String(value), onclick: () => (amount.value = String(value)) },
      `${label}: ${eur(value)}`,
      h('br'),
      h('small', {}, note),
    );
  section.append(
    h('h2', {}, `Hello ${me.user?.name}`),
    h('p', { className: 'muted' }, 'Your balance (reading it is always allowed):'),
    balance,
    h('h2', {}, 'New transfer'),
    h(
      'div',
      {},
      preset('Small', 50, 'runs at once'),
      preset('Medium', 900, 'email code'),
      preset('Large', 20_000, 'authenticator or passkey'),
    ),
    h('label', { htmlFor: 'amount' }, 'Amount (EUR)'),
    amount,
    h('label', { htmlFor: 'payee' }, 'Payee'),
    payee,
    h('div', {}, h('button', { id: 'send', onclick: send }, 'Send transfer')),
    result,
    h('h2', {}, 'Recent transfers'),
    h('table', {}, list),
  );
  await refresh();
}

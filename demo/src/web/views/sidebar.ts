import { plain } from '../api.js';
import type { Me } from '../app.js';
import { h } from '../dom.js';

interface Mail {
  kind: string;
  to: string;
  subject: string;
  text: string;
  code?: string;
  sentAt: string;
}

let timer: ReturnType<typeof setInterval> | undefined;

/**
 * The demo's stand-ins for the customer's devices: their mailbox (the service's dev outbox,
 * polled) and, for Carol, the authenticator app on her phone.
 */
export function renderSidebar(me: Me): HTMLElement {
  const mails = h('div', { 'data-testid': 'mailbox' }, h('p', { className: 'muted' }, 'No mail yet.'));
  const phone = h('div', { 'data-testid': 'phone' });
  const poll = async () => {
    const { messages = [] } = (await plain('/api/demo/mailbox')) as { messages?: Mail[] };
    if (messages.length > 0) {
      mails.replaceChildren(
        ...messages
          .slice(-3)
          .reverse()
          .map((m) =>
            h(
              'div',
              { className: 'mail' },
              h('strong', {}, m.subject),
              h('br'),
              m.code ? h('span', { className: 'code', 'data-testid': 'mail-code' }, m.code) : m.text,
            ),
          ),
      );
    }
    const { code } = (await plain('/api/demo/phone')) as { code?: string };
    phone.replaceChildren(
      ...(code
        ? [
            h('h2', {}, `${me.user?.name.split(' ')[0]}'s phone`),
            h('span', { className: 'code', 'data-testid': 'phone-code' }, code),
            h('p', { className: 'muted' }, 'Authenticator app (the demo computes it)'),
          ]
        : []),
    );
  };
  if (timer) clearInterval(timer);
  timer = setInterval(() => void poll(), 1500);
  void poll();
  return h('aside', {}, h('div', {}, h('h2', {}, `Mailbox of ${me.user?.email}`), mails), phone);
}

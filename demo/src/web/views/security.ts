import { enEnroll, StepUpEnroll } from '@stepgate/web-widget/enroll';
import { call, plain } from '../api.js';
import type { Me } from '../app.js';
import { h } from '../dom.js';
import { verdictBox } from './verdict.js';

// Named import: see app.ts on the widget's sideEffects list.
if (!customElements.get('step-up-enroll')) customElements.define('step-up-enroll', StepUpEnroll);

/** What a factor's level means to a customer. */
const STRENGTH: Record<string, string> = {
  aal1: 'basic',
  aal2: 'two-step',
  aal3: 'strongest: bound to this device',
};

interface Factor {
  id: string;
  method: string;
  label?: string;
  maxLevel?: string;
}

/**
 * The customer's factors and `<step-up-enroll>` with a ticket from the bank's server
 * (`createEnrollmentTicket`). A customer who already has a factor confirms it is them first (S31):
 * the ticket request answers a step-up, which the fetch wrapper runs like any other.
 */
export async function renderSecurity(section: HTMLElement, _me: Me): Promise<void> {
  const factors = h('ul', { 'data-testid': 'factors' });
  const area = h('div', {});
  const refresh = async () => {
    const body = (await plain('/api/factors')) as { factors?: Factor[] };
    factors.replaceChildren(
      ...(body.factors ?? []).map((f) =>
        h(
          'li',
          { 'data-method': f.method },
          // Names for people: "Authenticator app — Phone", not "totp (up to aal2)".
          `${enEnroll.methods[f.method as keyof typeof enEnroll.methods] ?? 'Sign-in method'}${f.label ? ` — ${f.label}` : ''}${f.maxLevel ? ` (${STRENGTH[f.maxLevel] ?? ''})` : ''}`,
        ),
      ),
    );
  };
  const start = async () => {
    const outcome = await call('/api/enrollment-ticket', { method: 'POST', json: {} });
    if (outcome.status !== 'ok') return area.replaceChildren(verdictBox(outcome, ''));
    const enroll = h('step-up-enroll' as 'div', {
      'service-url': '/stepgate',
      ticket: String(outcome.body.ticket),
    });
    enroll.addEventListener('step-up-factor-added', () => void refresh());
    area.replaceChildren(enroll);
  };
  section.append(
    h('h2', {}, 'Sign-in methods'),
    h('p', { className: 'muted' }, 'Your email address counts as a way to receive codes.'),
    factors,
    h('button', { id: 'add-factor', onclick: start }, 'Add an authenticator app or a passkey'),
    area,
  );
  await refresh();
}

import { expect, fixture, html } from '@open-wc/testing';
import { HttpResponse, http } from 'msw';
import { find, findText, nextEvent, q } from '../../test/helpers.js';
import { mockEnrollment, TOTP_CODE } from '../../test/mock-enrollment.js';
import {
  addVirtualAuthenticator,
  BASE,
  removeVirtualAuthenticator,
  startWorker,
  worker,
} from '../../test/msw.js';
import { assertValid } from '../../test/schemas.js';
import './define.js';
import type { StepUpEnroll } from './step-up-enroll.js';

async function enroll(url: string, lang = 'en'): Promise<StepUpEnroll> {
  return fixture<StepUpEnroll>(html`<step-up-enroll lang=${lang} enrollment-url=${url}></step-up-enroll>`);
}

describe('<step-up-enroll>', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('shows who enrolls and the existing factors', async () => {
    const mock = mockEnrollment({
      factors: [
        {
          id: 'fac_1',
          method: 'webauthn',
          label: 'YubiKey',
          maxLevel: 'aal3',
          createdAt: '2026-01-02T03:04:05Z',
        },
      ],
    });
    const el = await enroll(mock.url);
    await findText(el, '[part~=greeting]', 'Alice Martin');
    const items = [...el.shadowRoot!.querySelectorAll('[part~=factor]')].map((li) =>
      [...li.querySelectorAll('span')].map((span) => span.textContent?.trim()).join(' | '),
    );
    expect(items).to.deep.equal(['Security key or passkey | YubiKey']);
  });

  it('refuses an enrollment URL on another origin without a request, and follows one in allowed-origins (issue 15)', async () => {
    const sent: string[] = [];
    worker.use(
      http.all('https://evil.example/*', ({ request }) => {
        sent.push(request.url);
      }),
    );
    const foreign = mockEnrollment({ base: 'https://evil.example/stepgate' });
    const refused = document.createElement('step-up-enroll') as StepUpEnroll;
    const failed = nextEvent(refused, 'step-up-error');
    refused.enrollmentUrl = foreign.url;
    document.body.append(refused);
    try {
      expect((await failed).error.code).to.equal('origin_not_allowed');
      expect(sent).to.deep.equal([]);
    } finally {
      refused.remove();
    }
    const listed = mockEnrollment({ base: 'https://auth.example.test/stepgate' });
    const el = await fixture<StepUpEnroll>(
      html`<step-up-enroll lang="en" allowed-origins="https://auth.example.test" enrollment-url=${listed.url}></step-up-enroll>`,
    );
    expect(el.allowedOrigins).to.deep.equal(['https://auth.example.test']);
    await findText(el, '[part~=greeting]', 'Alice Martin');
  });

  it('loads from service-url + ticket attributes', async () => {
    const mock = mockEnrollment({ methods: ['totp'] });
    const base = mock.url.slice(0, mock.url.indexOf('/v1/'));
    const el = await fixture<StepUpEnroll>(
      html`<step-up-enroll service-url=${base} ticket=${mock.ticket}></step-up-enroll>`,
    );
    expect(el.resolvedUrl).to.equal(mock.url);
    await find(el, '[part~=add-totp]');
    expect(q(el, '[part~=add-passkey]'), 'only the offered methods').to.equal(null);
  });

  it('TOTP: shows the QR code and the secret, refuses a wrong code, then confirms', async () => {
    const mock = mockEnrollment();
    const el = await enroll(mock.url);
    (await find(el, '[part~=add-totp]')).click();
    const img = await find<HTMLImageElement>(el, '[part~=qr]');
    expect(img.alt).to.equal('QR code for your authenticator app');
    expect(img.src).to.match(/^data:image\/gif;base64,/);
    await img.decode();
    expect(img.naturalWidth).to.be.greaterThan(100);
    expect(q(el, '[part~=secret] code')!.textContent).to.equal('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    const input = await find<HTMLInputElement>(el, 'input[name=code]');
    expect(input.getAttribute('autocomplete')).to.equal('one-time-code');

    const failed = nextEvent(el, 'step-up-error');
    input.value = '000000';
    input.form!.requestSubmit();
    expect((await failed).error.code).to.equal('challenge_failed');
    await findText(el, '[part~=error]', 'did not work');
    expect(input.value).to.equal('');
    expect(mock.factors).to.deep.equal([]);

    const added = nextEvent(el, 'step-up-factor-added');
    input.value = TOTP_CODE;
    input.form!.requestSubmit();
    expect((await added).factor.method).to.equal('totp');
    await findText(el, '[part~=notice]', 'Authenticator app added');
    await find(el, '[part~=factor][data-method=totp]');
    expect(q(el, '[part~=qr]'), 'the secret is gone once confirmed').to.equal(null);
    // Issue 19: the service spent the ticket; no stale "expired" error, no "No methods yet."
    await new Promise((r) => setTimeout(r, 200));
    expect(q(el, '[part~=error]')!.textContent).to.equal('');
    expect(el.shadowRoot!.textContent).not.to.contain('No methods yet.');
    expect(el.shadowRoot!.textContent).not.to.contain('expired');
    expect(q(el, '[part~=add-totp]'), 'a spent ticket offers nothing more').to.equal(null);
  });

  it('passkey: registers with the virtual authenticator; a second one on the same authenticator is refused', async () => {
    const authenticatorId = await addVirtualAuthenticator();
    try {
      const mock = mockEnrollment({ methods: ['webauthn'] });
      const el = await enroll(mock.url);
      (await find(el, '[part~=add-passkey]')).click();
      const added = nextEvent(el, 'step-up-factor-added');
      (await find<HTMLInputElement>(el, 'input[name=label]')).form!.requestSubmit();
      expect((await added).factor).to.include({ method: 'webauthn', label: 'Passkey' });
      await find(el, '[part~=factor][data-method=webauthn]');
      expect(q(el, '[part~=add-passkey]'), 'the ticket is spent').to.equal(null);

      // A new ticket: the service lists the passkey in excludeCredentials.
      const next = mockEnrollment({ methods: ['webauthn'], credentialIds: mock.credentialIds });
      const again = await enroll(next.url);
      (await find(again, '[part~=add-passkey]')).click();
      const failed = nextEvent(again, 'step-up-error');
      (await find<HTMLInputElement>(again, 'input[name=label]')).form!.requestSubmit();
      expect((await failed).error.code).to.equal('webauthn_cancelled');
      await findText(again, '[part~=error]', 'not created');
      expect(next.credentialIds).to.have.length(1);
    } finally {
      await removeVirtualAuthenticator(authenticatorId);
    }
  });

  it('an unknown or expired ticket says so and offers nothing to add', async () => {
    const url = `${BASE}/v1/enrollments/enr_gone`;
    const body = assertValid('errorBody', { error: { code: 'not_found', message: 'No such ticket' } });
    worker.use(http.get(url, () => HttpResponse.json(body, { status: 404 })));
    const failed = nextEvent(document, 'step-up-error'); // bubbles and is composed: listen before it loads
    const el = await enroll(url);
    const { error } = await failed;
    expect([error.code, error.status]).to.deep.equal(['not_found', 404]);
    await findText(el, '[part~=error]', 'This link expired');
    expect(q(el, '[part~=add-totp]')).to.equal(null);
  });

  it('speaks French with lang="fr"', async () => {
    const mock = mockEnrollment();
    await import('../i18n/add-fr.js');
    const el = await enroll(mock.url, 'fr');
    await findText(el, '[part~=add-totp]', 'Ajouter une application');
    expect(q(el, '[part~=title]')!.textContent).to.equal('Méthodes de connexion');
  });
});

import { expect, fixture, html } from '@open-wc/testing';
import { find, findText, q } from '../../test/helpers.js';
import { mockChallenge } from '../../test/mock-challenge.js';
import { startWorker, worker } from '../../test/msw.js';
import '../define.js';
import type { StepUpChallenge } from '../step-up-challenge/step-up-challenge.js';
import { en } from './en.js';
import { fr } from './fr.js';
import type { ChallengeMessages } from './messages.js';
import { addMessages, registry } from './registry.js';

describe('messages', () => {
  before(() => startWorker());
  afterEach(() => worker.resetHandlers());

  it('the French table translates every English string (same keys, no English left over)', () => {
    expect(Object.keys(fr).sort()).to.deep.equal(Object.keys(en).sort());
    const sameWord = new Set(['action', 'codeLabel']); // "Action", "Code" in both languages
    for (const key of Object.keys(en) as Array<keyof ChallengeMessages>) {
      if (typeof en[key] === 'string' && !sameWord.has(key)) expect(fr[key], key).to.not.equal(en[key]);
    }
    expect(fr.failed(2)).to.equal('Cela n’a pas fonctionné. 2 essais restants.');
    expect(en.failed(1)).to.equal('That did not work. 1 attempt left.');
  });

  it('an unknown language falls back to English; addMessages adds one and re-renders elements in the page', async () => {
    const mock = mockChallenge();
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline lang="de" .challenge=${mock.info}></step-up-challenge>`,
    );
    await find(el, 'input[name=code]');
    expect(q(el, '[part~=title]')!.textContent).to.equal(en.title);
    addMessages('de', { challenge: { ...en, title: 'Bestätigen Sie, dass Sie es sind' } });
    try {
      await findText(el, '[part~=title]', 'Bestätigen Sie');
    } finally {
      delete registry.challenge.de;
    }
  });

  it('the lang attribute can change at run time, and `messages` overrides single strings', async () => {
    const mock = mockChallenge();
    await import('./add-fr.js');
    const el = await fixture<StepUpChallenge>(
      html`<step-up-challenge inline lang="en" .challenge=${mock.info}></step-up-challenge>`,
    );
    await find(el, 'input[name=code]');
    el.setAttribute('lang', 'fr-CA');
    await findText(el, '[part~=title]', fr.title);
    el.messages = { verify: 'Valider le virement' };
    await findText(el, '[part~=submit]', 'Valider le virement');
  });
});

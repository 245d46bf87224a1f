import { expect } from '@open-wc/testing';
import { isStepUpError, STEP_UP_ERROR_CODES, StepUpCancelledError, StepUpError } from './errors.js';

describe('errors', () => {
  it('the README error table lists exactly the codes of STEP_UP_ERROR_CODES', async () => {
    const readme = await (await fetch(new URL('../README.md', import.meta.url))).text();
    const section = readme.slice(readme.indexOf('## Errors'));
    const table = section.slice(0, section.indexOf('\n## ', 5) > 0 ? section.indexOf('\n## ', 5) : undefined);
    const documented = [...table.matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.sort()).to.deep.equal(Object.keys(STEP_UP_ERROR_CODES).sort());
  });

  it('StepUpCancelledError is a StepUpError with code cancelled', () => {
    const error = new StepUpCancelledError(undefined, { challengeId: 'chl_1' });
    expect(error).to.be.instanceOf(StepUpError);
    expect(error.code).to.equal('cancelled');
    expect(error.challengeId).to.equal('chl_1');
    expect(error.name).to.equal('StepUpCancelledError');
    expect(isStepUpError(error)).to.equal(true);
    expect(isStepUpError(new Error('x'))).to.equal(false);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new StepUpError('failed', 'wrapped', { cause }).cause).to.equal(cause);
  });
});

import { expect } from '@open-wc/testing';
import { describeFlowContract } from '../../test/flow-contract.js';
import { assertValid } from '../../test/schemas.js';
import { createStepUpFetch } from './create-step-up-fetch.js';

describeFlowContract('createStepUpFetch', (options) => createStepUpFetch(options));

describe('test mocks', () => {
  it('are checked against the protocol schemas (a malformed body is refused)', () => {
    expect(() =>
      assertValid('stepUpAnswer', { error: { code: 'insufficient_user_authentication', message: 'x' } }),
    ).to.throw(/stepUpAnswer/);
    expect(() =>
      assertValid('verifyAnswer', { token: 'tok', acr: 'a', amr: ['fpt'], expiresAt: 'now' }),
    ).to.throw(/verifyAnswer/);
  });
});

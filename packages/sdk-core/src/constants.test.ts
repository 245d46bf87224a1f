import { expect } from '@open-wc/testing';
import { CONTEXT_HEADER } from './constants.js';

describe('constants', () => {
  it('names the Step-Up-Context header in a browser', () => {
    expect(CONTEXT_HEADER).to.equal('Step-Up-Context');
    expect(typeof window.crypto.subtle.digest).to.equal('function');
  });
});

import { expect } from '@open-wc/testing';
import { TAG_CHALLENGE } from './tags.js';

describe('tags', () => {
  it('uses a valid custom element name', () => {
    expect(TAG_CHALLENGE).to.match(/^[a-z][a-z0-9]*-[a-z0-9-]+$/);
    expect(() => document.createElement(TAG_CHALLENGE)).not.to.throw();
  });
});

import { expect } from '@open-wc/testing';
import { isAllowedOrigin, normalizeAllowedOrigins } from './allowed-origins.js';

describe('allowed origins (issue 15)', () => {
  it('accepts the page’s own origin, relative URLs included, and nothing else by default', () => {
    expect(isAllowedOrigin(`${location.origin}/stepgate/v1/challenges/chl_1`)).to.equal(true);
    expect(isAllowedOrigin('/stepgate/v1/challenges/chl_1')).to.equal(true);
    expect(isAllowedOrigin('https://evil.example/v1/challenges/chl_1')).to.equal(false);
    expect(isAllowedOrigin('//evil.example/v1/challenges/chl_1')).to.equal(false);
  });

  it('accepts an allow-listed origin in the form URL.origin uses', () => {
    const allowed = normalizeAllowedOrigins(['https://Auth.Example.com:443/']);
    expect(allowed).to.deep.equal(['https://auth.example.com']);
    expect(isAllowedOrigin('https://auth.example.com/v1/challenges/chl_1', allowed)).to.equal(true);
    expect(isAllowedOrigin('https://auth.example.com:8443/v1/challenges/chl_1', allowed)).to.equal(false);
    expect(isAllowedOrigin('http://auth.example.com/v1/challenges/chl_1', allowed)).to.equal(false);
  });

  it('never accepts an opaque or non-http URL, whatever the list says', () => {
    for (const url of ['data:application/json,{}', 'javascript:alert(1)', 'blob:null/x', 'about:blank']) {
      expect(isAllowedOrigin(url, ['https://auth.example.com']), url).to.equal(false);
    }
  });

  it('refuses malformed entries with their index', () => {
    expect(() => normalizeAllowedOrigins(['https://ok.example', 'https://x.example/path'])).to.throw(
      TypeError,
      /allowedOrigins\[1\]/,
    );
    expect(() => normalizeAllowedOrigins('https://ok.example' as unknown as string[])).to.throw(TypeError);
    expect(normalizeAllowedOrigins(undefined)).to.deep.equal([]);
  });
});

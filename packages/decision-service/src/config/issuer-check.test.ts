import { describe, expect, it } from 'vitest';
import { issuerWarning } from './issuer-check.js';

describe('issuerWarning (serve --dev, issue 22)', () => {
  it('accepts the issuer of the URL the service listens on; loopback names are one host', () => {
    expect(issuerWarning('http://localhost:8787', '127.0.0.1', 8787)).toBeUndefined();
    expect(issuerWarning('http://127.0.0.1:8787/', '127.0.0.1', 8787)).toBeUndefined();
    expect(issuerWarning('http://[::1]:9000', '::1', 9000)).toBeUndefined();
    expect(issuerWarning('https://auth.bank.example', '0.0.0.0', 443)).toBeUndefined();
  });

  it('warns about another port, another host, or an issuer that is no URL', () => {
    expect(issuerWarning('http://localhost:8787', '127.0.0.1', 41234)).toMatch(
      /the issuer http:\/\/localhost:8787 does not match where the service listens \(http:\/\/127\.0\.0\.1:41234\)/,
    );
    expect(issuerWarning('http://auth.example:8787', '127.0.0.1', 8787)).toMatch(/does not match/);
    expect(issuerWarning('urn:stepgate', '127.0.0.1', 8787)).toMatch(/is not this service's URL/);
    expect(issuerWarning('stepgate', '127.0.0.1', 8787)).toMatch(/is not a URL/);
  });
});

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sealer } from '../secrets/sealer.js';
import { maskEmail, maskPhone } from './mask.js';
import { codeMessage, messageLabel, newSentCode, sentCodeHash } from './sent-code.js';

describe('sent codes', () => {
  it('S8: 6 digits from the CSPRNG, leading zeros kept, spread over the whole range', () => {
    const codes = Array.from({ length: 2000 }, newSentCode);
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    expect(codes.some((c) => c.startsWith('0'))).toBe(true);
  });

  it('S8: the stored form is a keyed HMAC bound to the challenge and method, never the code', () => {
    const sealer = new Sealer(randomBytes(32));
    const h = sentCodeHash(sealer, 'chl_a', 'email_otp', '123456');
    expect(h).not.toContain('123456');
    expect(h).toBe(sentCodeHash(sealer, 'chl_a', 'email_otp', '123456'));
    expect(h).not.toBe(sentCodeHash(sealer, 'chl_b', 'email_otp', '123456'));
    expect(h).not.toBe(sentCodeHash(sealer, 'chl_a', 'sms_otp', '123456'));
    expect(h).not.toBe(sentCodeHash(new Sealer(randomBytes(32)), 'chl_a', 'email_otp', '123456'));
  });

  it('names the action by its label, and the amount and payee when a transaction is bound', () => {
    const { text } = codeMessage({
      code: '042042',
      label: 'Transfer money',
      transaction: { amount: 5000, currency: 'EUR', payee: 'FR76 3000 6000' },
      minutes: 10,
    });
    expect(text).toContain('042042 is your code to approve Transfer money: 5000 EUR to FR76 3000 6000.');
    expect(codeMessage({ code: '1', minutes: 5 }).text).not.toContain('approve');
    expect(codeMessage({ code: '1', label: 'Open the vault', minutes: 5 }).text).toContain(
      'to approve Open the vault.',
    );
    // Without a label the amount and payee alone say what is approved.
    expect(
      codeMessage({ code: '1', transaction: { amount: 9, currency: 'EUR', payee: 'Bob' }, minutes: 5 }).text,
    ).toContain('to approve 9 EUR to Bob.');
    expect(messageLabel({ fr: 'Virement', en: 'Transfer money' })).toBe('Transfer money');
    expect(messageLabel({ fr: 'Virement' })).toBe('Virement');
    expect(messageLabel(undefined)).toBeUndefined();
  });

  it('masks destinations', () => {
    expect(maskEmail('jane.doe@example.com')).toBe('j***@example.com');
    expect(maskPhone('+33612345678')).toBe('•••• 5678');
  });
});

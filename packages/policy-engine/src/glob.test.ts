import { describe, expect, it } from 'vitest';
import { compileGlob } from './glob.js';

describe('compileGlob', () => {
  it.each([
    ['admin.*', 'admin.users', true],
    ['admin.*', 'admin.users.delete', false],
    ['admin.*', 'admin', false],
    ['admin.*', 'administrator.x', false],
    ['admin.**', 'admin.users.delete', true],
    ['admin.**', 'admin', false],
    ['**', 'anything.at.all', true],
    ['*.read', 'docs.read', true],
    ['*.read', 'a.docs.read', false],
    ['**.read', 'a.docs.read', true],
    ['pay*.transfer', 'payments.transfer', true],
    ['a(b).*', 'a(b).c', true],
    ['a(b).*', 'ab.c', false],
    ['payments.transfer', 'payments.transfer', true],
    ['payments.transfer', 'payments.transferX', false],
  ])('%s against %s is %s', (pattern, name, expected) => {
    expect(compileGlob(pattern)(name)).toBe(expected);
  });
});

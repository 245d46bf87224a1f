/**
 * The floor: the same rules written by hand as plain JavaScript, computing from the raw request
 * the facts the rules need (device known, Tor range, roles, session age). The office allow-rule
 * cannot change a decision under `default: allow`, so the floor skips it. It returns the
 * decision and level only, as a constant string, and allocates nothing.
 */
import type { EvaluationInput } from '../src/index.js';

/** Dotted quad to an unsigned integer, -1 when not one (as a developer would write it). */
function ipv4(s: unknown): number {
  if (typeof s !== 'string') return -1;
  let value = 0;
  let part = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + part;
      part = 0;
      dots++;
    } else if (c >= 48 && c <= 57) part = part * 10 + (c - 48);
    else return -1;
  }
  return dots === 3 ? value * 256 + part : -1;
}

const TOR_START = ((185 * 256 + 220) * 256 + 100) * 256;
const TOR_END = TOR_START + 4 * 256 - 1;
const RESULT = ['allow', 'step_up:aal1', 'step_up:aal2', 'step_up:aal3'] as const;

/** The 12-rule set. */
export function floor12(input: EvaluationInput): string {
  const r = input.request;
  const d = r.context?.device;
  const known = d !== undefined && d.v === 1 && input.history.device.rememberedToken === true;
  const ip = ipv4(r.context?.ip);
  const amount = typeof r.transaction?.amount === 'number' ? r.transaction.amount : -Infinity;
  const authTime = r.subject.authTime;
  const age = authTime === undefined ? -1 : input.now - authTime;
  const action = r.action.name;
  const deviceNew = !known;
  const deny = (ip >= TOR_START && ip <= TOR_END) || r.subject.roles?.includes('suspended') === true;
  let level = 0;
  if (action === 'payments.transfer') {
    if (amount > 10000) level = 2;
    else if (amount > 500) level = 1;
  }
  if (action === 'iam.role.grant' || action === 'iam.role.change') level = 3;
  if (action.startsWith('admin.') && level < 2) level = 2;
  if (deviceNew && amount > 1000 && level < 2) level = 2;
  if (action === 'payments.refund' && amount >= 100 && amount <= 5000 && level < 2) level = 2;
  if (action === 'profile.email.change' && level < 2) level = 2;
  if (action.startsWith('payments.') && age > 43200 && level < 1) level = 1;
  return deny ? 'deny' : (RESULT[level] as string);
}

/** The 50-rule set: the 12 plus one case per service write. */
export function floor50(input: EvaluationInput): string {
  const r = input.request;
  const d = r.context?.device;
  const known = d !== undefined && d.v === 1 && input.history.device.rememberedToken === true;
  const ip = ipv4(r.context?.ip);
  const amount = typeof r.transaction?.amount === 'number' ? r.transaction.amount : -Infinity;
  const authTime = r.subject.authTime;
  const age = authTime === undefined ? -1 : input.now - authTime;
  const action = r.action.name;
  const deviceNew = !known;
  let deny = (ip >= TOR_START && ip <= TOR_END) || r.subject.roles?.includes('suspended') === true;
  let level = 0;
  if (action === 'payments.transfer') {
    if (amount > 10000) level = 2;
    else if (amount > 500) level = 1;
  }
  if (action === 'iam.role.grant' || action === 'iam.role.change') level = 3;
  if (action.startsWith('admin.') && level < 2) level = 2;
  if (deviceNew && amount > 1000 && level < 2) level = 2;
  if (action === 'payments.refund' && amount >= 100 && amount <= 5000 && level < 2) level = 2;
  if (action === 'profile.email.change' && level < 2) level = 2;
  if (action.startsWith('payments.') && age > 43200 && level < 1) level = 1;
  switch (action) {
    case 'svc0.write':
      if (amount > 100 && level < 2) level = 2;
      break;
    case 'svc1.write':
      if (amount > 200 && level < 1) level = 1;
      break;
    case 'svc2.write':
      if (amount > 300 && level < 1) level = 1;
      break;
    case 'svc3.write':
      if (deviceNew && amount > 5300) deny = true;
      break;
    case 'svc4.write':
      if (amount > 500 && level < 1) level = 1;
      break;
    case 'svc5.write':
      if (amount > 600 && level < 1) level = 1;
      break;
    case 'svc6.write':
      if (amount > 700 && level < 2) level = 2;
      break;
    case 'svc7.write':
      if (amount > 800 && level < 1) level = 1;
      break;
    case 'svc8.write':
      if (amount > 900 && level < 1) level = 1;
      break;
    case 'svc9.write':
      if (amount > 1000 && level < 2) level = 2;
      break;
    case 'svc10.write':
      if (deviceNew && amount > 6000) deny = true;
      break;
    case 'svc11.write':
      if (amount > 1200 && level < 1) level = 1;
      break;
    case 'svc12.write':
      if (amount > 1300 && level < 2) level = 2;
      break;
    case 'svc13.write':
      if (amount > 1400 && level < 1) level = 1;
      break;
    case 'svc14.write':
      if (amount > 1500 && level < 1) level = 1;
      break;
    case 'svc15.write':
      if (amount > 1600 && level < 2) level = 2;
      break;
    case 'svc16.write':
      if (amount > 1700 && level < 1) level = 1;
      break;
    case 'svc17.write':
      if (deviceNew && amount > 6700) deny = true;
      break;
    case 'svc18.write':
      if (amount > 1900 && level < 2) level = 2;
      break;
    case 'svc19.write':
      if (amount > 2000 && level < 1) level = 1;
      break;
    case 'svc20.write':
      if (amount > 2100 && level < 1) level = 1;
      break;
    case 'svc21.write':
      if (amount > 2200 && level < 2) level = 2;
      break;
    case 'svc22.write':
      if (amount > 2300 && level < 1) level = 1;
      break;
    case 'svc23.write':
      if (amount > 2400 && level < 1) level = 1;
      break;
    case 'svc24.write':
      if (deviceNew && amount > 7400) deny = true;
      break;
    case 'svc25.write':
      if (amount > 2600 && level < 1) level = 1;
      break;
    case 'svc26.write':
      if (amount > 2700 && level < 1) level = 1;
      break;
    case 'svc27.write':
      if (amount > 2800 && level < 2) level = 2;
      break;
    case 'svc28.write':
      if (amount > 2900 && level < 1) level = 1;
      break;
    case 'svc29.write':
      if (amount > 3000 && level < 1) level = 1;
      break;
    case 'svc30.write':
      if (amount > 3100 && level < 2) level = 2;
      break;
    case 'svc31.write':
      if (deviceNew && amount > 8100) deny = true;
      break;
    case 'svc32.write':
      if (amount > 3300 && level < 1) level = 1;
      break;
    case 'svc33.write':
      if (amount > 3400 && level < 2) level = 2;
      break;
    case 'svc34.write':
      if (amount > 3500 && level < 1) level = 1;
      break;
    case 'svc35.write':
      if (amount > 3600 && level < 1) level = 1;
      break;
    case 'svc36.write':
      if (amount > 3700 && level < 2) level = 2;
      break;
    case 'svc37.write':
      if (amount > 3800 && level < 1) level = 1;
      break;
  }
  return deny ? 'deny' : (RESULT[level] as string);
}

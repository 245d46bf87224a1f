import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A demo customer. */
export interface Customer {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** Balance in euro cents. */
  balance: number;
}

/** Roles a role change can grant. */
export const ROLES = ['customer', 'teller', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A booked transfer. */
export interface Transfer {
  id: string;
  from: string;
  payee: string;
  amount: number;
  at: string;
  decisionId?: string;
}

interface BankState {
  customers: Customer[];
  transfers: Transfer[];
}

/** The demo users; Carol has an authenticator app from the start. */
export const DEMO_CUSTOMERS: readonly Customer[] = [
  { id: 'alice', name: 'Alice Martin', email: 'alice@acme.test', role: 'admin', balance: 2_500_000 },
  { id: 'bob', name: 'Bob Durand', email: 'bob@acme.test', role: 'customer', balance: 320_000 },
  { id: 'carol', name: 'Carol Petit', email: 'carol@acme.test', role: 'teller', balance: 4_800_000 },
];

/** Acme Bank's ledger, kept in `bank.json` in the data directory. */
export class Bank {
  readonly #file: string;
  readonly #state: BankState;

  constructor(dataDir: string) {
    this.#file = join(dataDir, 'bank.json');
    this.#state = existsSync(this.#file)
      ? (JSON.parse(readFileSync(this.#file, 'utf8')) as BankState)
      : { customers: DEMO_CUSTOMERS.map((c) => ({ ...c })), transfers: [] };
    this.#save();
  }

  customers(): readonly Customer[] {
    return this.#state.customers;
  }

  customer(id: string): Customer | undefined {
    return this.#state.customers.find((c) => c.id === id);
  }

  /** The last transfers of a customer, newest first. */
  transfersOf(id: string, limit = 10): Transfer[] {
    return this.#state.transfers
      .filter((t) => t.from === id)
      .slice(-limit)
      .reverse();
  }

  /**
   * Books a transfer (amount in euros).
   * @throws Error `insufficient_funds`.
   */
  transfer(from: string, payee: string, amount: number, decisionId?: string): Transfer {
    const customer = this.customer(from);
    const cents = Math.round(amount * 100);
    if (!customer || customer.balance < cents) throw new Error('insufficient_funds');
    customer.balance -= cents;
    const t: Transfer = {
      id: `tr_${this.#state.transfers.length + 1}`,
      from,
      payee,
      amount,
      at: new Date().toISOString(),
      ...(decisionId === undefined ? {} : { decisionId }),
    };
    this.#state.transfers.push(t);
    this.#save();
    return t;
  }

  setRole(id: string, role: Role): Customer | undefined {
    const c = this.customer(id);
    if (c) {
      c.role = role;
      this.#save();
    }
    return c;
  }

  #save(): void {
    writeFileSync(this.#file, `${JSON.stringify(this.#state, null, 2)}\n`);
  }
}

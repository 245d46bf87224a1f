import type { FactorView } from '@stepgate/protocol';
import type { FactorRecord } from '../stores/store.js';

/** A factor as the wire shows it: never its secret data. */
export function factorView(f: FactorRecord): FactorView {
  const view: FactorView = {
    id: f.id,
    method: f.method,
    maxLevel: f.maxLevel,
    createdAt: new Date(f.createdAt).toISOString(),
  };
  if (f.label !== undefined) view.label = f.label;
  if (f.lastUsedAt !== undefined) view.lastUsedAt = new Date(f.lastUsedAt).toISOString();
  return view;
}

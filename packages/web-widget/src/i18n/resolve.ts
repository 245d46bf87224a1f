/**
 * Picks a message table for an element: its `lang` attribute, else the nearest `lang` above it,
 * else the document's; `fallback` (English) when no table matches. `overrides` replaces single strings.
 */
export function resolveMessages<T extends object>(
  host: HTMLElement,
  tables: Readonly<Record<string, T>>,
  fallback: T,
  overrides?: Partial<T>,
): T {
  const lang = langOf(host).split('-')[0] ?? '';
  const base = tables[lang] ?? fallback;
  return overrides ? { ...base, ...overrides } : base;
}

/** The language in effect for an element, lower case (`''` when none is set). */
export function langOf(host: HTMLElement): string {
  return (host.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang || '').toLowerCase();
}

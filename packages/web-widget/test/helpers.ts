/** Small DOM helpers for the element tests. */
import { waitUntil } from '@open-wc/testing';

/** The first match in an element's shadow root. */
export function q<T extends Element = HTMLElement>(el: Element, selector: string): T | null {
  return el.shadowRoot?.querySelector<T>(selector) ?? null;
}

/** Waits until `selector` matches in the shadow root, then returns the match. */
export async function find<T extends Element = HTMLElement>(
  el: Element,
  selector: string,
  timeout = 5000,
): Promise<T> {
  await waitUntil(() => q(el, selector), `${selector} did not appear`, { timeout });
  return q<T>(el, selector) as T;
}

/** Waits until the text of `selector` contains `text`. */
export async function findText(
  el: Element,
  selector: string,
  text: string,
  timeout = 5000,
): Promise<HTMLElement> {
  await waitUntil(
    () => q(el, selector)?.textContent?.includes(text),
    `${selector} never said "${text}" (it says "${q(el, selector)?.textContent?.trim()}")`,
    { timeout },
  );
  return q(el, selector) as HTMLElement;
}

/** Types `code` into the code field and submits the form, as a user pressing Enter would. */
export async function enterCode(el: Element, code: string): Promise<void> {
  const input = await find<HTMLInputElement>(el, 'input[name=code]');
  input.value = code;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.form?.requestSubmit();
}

/** The deepest focused element, through shadow roots. */
export function deepActive(): Element | null {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

/** The next `type` event of `el`, typed by `GlobalEventHandlersEventMap` (step-up-complete → StepUpCompleteEvent). */
export function nextEvent<K extends keyof GlobalEventHandlersEventMap>(
  el: EventTarget,
  type: K,
): Promise<GlobalEventHandlersEventMap[K]> {
  return new Promise((resolve) =>
    el.addEventListener(type, (e) => resolve(e as GlobalEventHandlersEventMap[K]), { once: true }),
  );
}

// The page the benchmark loads in headless Chromium: exposes the context functions.
import { clearContextCache, collectContext, getContextHeader } from '../src/index.js';

(globalThis as unknown as { stepgateBench: unknown }).stepgateBench = {
  clearContextCache,
  collectContext,
  getContextHeader,
};

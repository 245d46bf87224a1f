/** Mounts the page under test: the README's `App` or the test app, chosen by the build. */

// Resolved by the test's esbuild build: the README example or ./test-app.tsx.
import { App } from 'page-under-test';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Server-side plugins for @web/test-runner. Packages register browser-test helpers here
// (for example, a command that adds a CDP virtual WebAuthn authenticator to the page).
export function wtrPlugins() {
  return [];
}

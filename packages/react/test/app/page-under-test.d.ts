/** The component the test build mounts (an alias the esbuild build resolves). */
declare module 'page-under-test' {
  export function App(): import('react').ReactNode;
}

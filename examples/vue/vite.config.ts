import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    vue({
      // <step-up-…> are custom elements, not Vue components.
      template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('step-up-') } },
    }),
  ],
  // In this repository only: workspace packages resolve to their TypeScript sources (no build first).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  logLevel: 'warn',
});

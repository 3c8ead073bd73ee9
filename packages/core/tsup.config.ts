import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'stub-upstream': 'src/stub-upstream/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  esbuildOptions(options) {
    // argon2-pool reads import.meta.url only when __filename is absent, which is never in the CJS build.
    options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
  },
});

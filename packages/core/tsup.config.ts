import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'stub-upstream': 'src/stub-upstream/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
});

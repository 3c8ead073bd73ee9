import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; the e2e tests that spawn the example apps use the built packages.
    alias: [
      { find: /^@tollgate\/core\/stub-upstream$/, replacement: src('./packages/core/src/stub-upstream/index.ts') },
      { find: /^@tollgate\/core$/, replacement: src('./packages/core/src/index.ts') },
      { find: /^@tollgate\/express$/, replacement: src('./packages/express/src/index.ts') },
      { find: /^@tollgate\/postgres$/, replacement: src('./packages/postgres/src/index.ts') },
      { find: /^@tollgate\/cli$/, replacement: src('./packages/cli/src/index.ts') },
      { find: /^@tollgate\/fastify$/, replacement: src('./packages/fastify/src/index.ts') },
      { find: /^@tollgate\/hono$/, replacement: src('./packages/hono/src/index.ts') },
      { find: /^@tollgate\/koa$/, replacement: src('./packages/koa/src/index.ts') },
      { find: /^@tollgate\/redis$/, replacement: src('./packages/redis/src/index.ts') },
      { find: /^@tollgate\/postgres$/, replacement: src('./packages/postgres/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});

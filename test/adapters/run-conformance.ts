// Runs every scenario against an adapter's apps, each app on a fresh fixture and a real socket.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { AdapterApp, RunningApp } from './app-factory.js';
import { createFixture, type ConformanceFixture } from './conformance-fixture.js';
import { scenarioGroups } from './scenarios/index.js';

let ids = 0;

/**
 * Declares one `describe` per app with every scenario group in it.
 *
 * @example
 * runConformance(fastifyApps); // in test/adapters/fastify.conformance.test.ts
 */
export function runConformance(apps: readonly AdapterApp[]): void {
  for (const app of apps) {
    describe(`adapter conformance: ${app.name}`, () => {
      let fixture: ConformanceFixture;
      let running: RunningApp;
      const slug = app.name.replace(/[^A-Za-z0-9]+/g, '-');
      const target = {
        get url() {
          return running.url;
        },
        get fixture() {
          return fixture;
        },
        nextId: () => `${slug}.${process.pid}.${++ids}`,
      };
      beforeAll(async () => {
        fixture = await createFixture();
        running = await app.start(fixture);
      });
      afterAll(async () => {
        await running?.close();
        await fixture?.close();
      });
      for (const group of scenarioGroups) {
        describe(group.name, () => {
          for (const scenario of group.scenarios) it(scenario.name, () => scenario.run(target));
        });
      }
    });
  }
}

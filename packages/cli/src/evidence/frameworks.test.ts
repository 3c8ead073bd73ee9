// Telling the four frameworks' apps apart, and refusing anything else with the list of supported ones.
import { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';
import { frameworkOf, requireFramework } from './frameworks.js';

describe('frameworkOf', () => {
  it('names the framework of each supported app', async () => {
    const fastify = Fastify();
    expect(frameworkOf(express())?.name).toBe('Express');
    expect(frameworkOf(express.Router())).toBeUndefined();
    expect(frameworkOf(fastify)?.name).toBe('Fastify');
    expect(frameworkOf(new Hono())?.name).toBe('Hono');
    expect(frameworkOf(new Koa())?.name).toBe('Koa');
    await fastify.close();
  });

  it('refuses other values, naming what is supported and what it got', () => {
    const supported = 'is not an Express 4/5, Fastify 5, Hono 4 or Koa 2/3 app';
    expect(() => requireFramework(createServer())).toThrow(`${supported} (got an instance of Server)`);
    expect(() => requireFramework(new (class Gateway {})())).toThrow(`${supported} (got an instance of Gateway)`);
    expect(() => requireFramework({ fetch: () => undefined })).toThrow(`${supported} (got an object with keys fetch)`);
    expect(() => requireFramework(() => undefined)).toThrow(`${supported} (got a function)`);
    expect(() => requireFramework(undefined)).toThrow(`${supported} (got undefined)`);
  });
});

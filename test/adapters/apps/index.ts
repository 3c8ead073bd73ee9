// Every app the conformance scenarios run against: each adapter on each framework major it supports.
import { createRequire } from 'node:module';
import express5 from 'express';
import Koa3 from 'koa';
import type { AdapterApp } from '../app-factory.js';
import { expressApp } from './express-app.js';
import { fastifyApp } from './fastify-app.js';
import { honoApp } from './hono-app.js';
import { koaApp } from './koa-app.js';

// The older majors are installed as aliases (express4, koa2) in their adapter packages only.
const fromPackage = (name: string) => createRequire(new URL(`../../../packages/${name}/package.json`, import.meta.url));
const express4 = fromPackage('express')('express4') as typeof express5;
const Koa2 = fromPackage('koa')('koa2') as typeof Koa3;

export const expressApps: readonly AdapterApp[] = [expressApp(express5, 'express 5'), expressApp(express4, 'express 4')];
export const fastifyApps: readonly AdapterApp[] = [fastifyApp];
export const honoApps: readonly AdapterApp[] = [honoApp];
export const koaApps: readonly AdapterApp[] = [koaApp(Koa3, 'koa 3'), koaApp(Koa2, 'koa 2')];

// Registers the hook that resolves `@tollgate/*` to the TypeScript sources (`--import` it after tsx).
import { register } from 'node:module';

register('./source-packages-hook.mjs', import.meta.url);

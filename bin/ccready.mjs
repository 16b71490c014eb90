#!/usr/bin/env -S node --
// The documented `./bin/ccready.mjs …` of earlier versions: the same command as bin/ccready.cjs
// (package.json "bin"), which it runs. The CommonJS entry is the fast one (it says why).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./ccready.cjs');

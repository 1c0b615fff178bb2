#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm install` through `prepare`).
import { run } from '../dist/src/cli/main.js';

run(process.argv.slice(2));

#!/usr/bin/env node
// In a checkout the TypeScript sources run through tsx, so nothing has to be
// built first; the container image ships only the compiled `dist/`.
const { existsSync } = require('node:fs');
const path = require('node:path');

const source = path.join(__dirname, '..', 'src', 'main.ts');
if (existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else {
  require(path.join(__dirname, '..', 'dist', 'src', 'main.js'));
}

#!/usr/bin/env node
// Runs Biome from its Linux platform package (the @biomejs/biome wrapper's optional packages for other platforms
// are not all on the registry these machines use, which breaks `npm ci`). Elsewhere, a `biome` on PATH is used.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const local = fileURLToPath(new URL('../node_modules/@biomejs/cli-linux-x64/biome', import.meta.url))
const bin = process.platform === 'linux' && process.arch === 'x64' && existsSync(local) ? local : 'biome'
const r = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' })
if (r.error) {
  console.error(`could not run biome (${r.error.message}); install Biome 2.6 and put it on PATH`)
  process.exit(1)
}
process.exit(r.status ?? 1)

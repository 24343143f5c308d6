#!/usr/bin/env node
// Runs Biome from the platform package npm installed for this machine (every platform's package is an optional
// dependency, as esbuild does it), else a `biome` on PATH; see platformTool.mjs.
import { spawnSync } from 'node:child_process'
import { missingToolMessage, resolveTool } from './platformTool.mjs'

const { path, pkg } = resolveTool('biome')
const r = spawnSync(path, process.argv.slice(2), { stdio: 'inherit' })
if (r.error) {
  console.error(`could not run biome (${r.error.message})\n${missingToolMessage('biome', pkg)}`)
  process.exit(1)
}
process.exit(r.status ?? 1)

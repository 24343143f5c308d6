#!/usr/bin/env node
// Runs a native tool from its npm platform package (see platformTool.mjs): `node scripts/tool.mjs forge test`.
// Where no package fits this machine and the tool is not on PATH, says what to install instead of a bare ENOENT.
import { spawnSync } from 'node:child_process'
import { missingToolMessage, resolveTool } from './platformTool.mjs'

const [tool, ...args] = process.argv.slice(2)
if (tool !== 'biome' && tool !== 'anvil' && tool !== 'forge') {
  console.error('usage: node scripts/tool.mjs biome|anvil|forge [args...]')
  process.exit(2)
}
const { path, pkg } = resolveTool(tool)
const r = spawnSync(path, args, { stdio: 'inherit' })
if (r.error) {
  console.error(`could not run ${tool} (${r.error.message})\n${missingToolMessage(tool, pkg)}`)
  process.exit(1)
}
process.exit(r.status ?? 1)

#!/usr/bin/env node
// Runs the Playwright suites inside a loopback-only network namespace (no test traffic can leave the machine),
// when unshare is available (root on Linux); otherwise runs them directly and says so. `--script FILE …` runs
// `node --import tsx FILE …` there instead (bench:e2e drives Playwright as a library).
import { spawnSync } from 'node:child_process'

const script = process.argv[2] === '--script'
const rest = process.argv.slice(script ? 3 : 2)
const args = rest.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
const run = script ? `${JSON.stringify(process.execPath)} --import tsx` : 'node_modules/.bin/playwright test'
const cmd = `ip link set lo up && ${run} ${args}`
const canUnshare = process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0
if (!canUnshare) console.warn('unshare -n is not available: running browser tests without network isolation')
const r = canUnshare
  ? spawnSync('unshare', ['-n', 'bash', '-c', cmd], { stdio: 'inherit' })
  : script
    ? spawnSync(process.execPath, ['--import', 'tsx', ...rest], { stdio: 'inherit' })
    : spawnSync('node_modules/.bin/playwright', ['test', ...rest], { stdio: 'inherit' })
process.exit(r.status ?? 1)

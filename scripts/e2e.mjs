#!/usr/bin/env node
// Runs the Playwright suites inside a loopback-only network namespace (no test traffic can leave the machine),
// when unshare is available (root on Linux); otherwise runs them directly and says so.
import { spawnSync } from 'node:child_process'

const args = process.argv
  .slice(2)
  .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
  .join(' ')
const cmd = `ip link set lo up && node_modules/.bin/playwright test ${args}`
const canUnshare = process.platform === 'linux' && spawnSync('unshare', ['-n', 'true']).status === 0
if (!canUnshare) console.warn('unshare -n is not available: running browser tests without network isolation')
const r = canUnshare
  ? spawnSync('unshare', ['-n', 'bash', '-c', cmd], { stdio: 'inherit' })
  : spawnSync('node_modules/.bin/playwright', ['test', ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(r.status ?? 1)

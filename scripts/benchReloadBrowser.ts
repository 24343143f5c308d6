/**
 * Reload of a long channel to live in Chromium, with and without pruning (issue #8):
 *
 * npm run bench:reload:browser -- [--ops N] [--block K] [--participants P] [--mix spot|all] [--json]
 *
 * The channel of bench:reload (scripts/reloadFixture.ts), stored in a page's IndexedDB the way the app keeps it
 * (scripts/reloadPage.ts, from the vite dev server): `full` = a y-indexeddb doc with every block, no base;
 * `pruned` = the pruned base in the own-block database and a doc with the tail only. After a page reload, each is
 * loaded as the runtime's start does (base read, doc load, restore, every entry validated and folded) and timed;
 * both must end at the fixture's state root. Retained heap per op: the renderer's used JS heap after a forced
 * garbage collection (Chrome DevTools Protocol), with the loaded replica and doc held, minus before, over N. Last
 * line: JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { chromium } from '@playwright/test'
import { chromiumPath } from '../e2e/support/chromium.ts'
import { freePort, waitFor } from '../e2e/support/processes.ts'
import { encodeBase } from '../src/core/snapshot/base.ts'
import { BENCH_MIXES, type BenchMix } from './benchStream.ts'
import { intOption, parseCli, usageError } from './cli.ts'
import { prunedFixture } from './reloadFixture.ts'
import { toWire } from './reloadWire.ts'

const USAGE =
  'usage: npm run bench:reload:browser -- [--ops N] [--block K] [--participants P] [--mix spot|perps|lending|amm|all] [--json]'
const values = parseCli(USAGE, {
  ops: { type: 'string', default: '100000' },
  block: { type: 'string', default: '500' },
  participants: { type: 'string', default: '4' },
  mix: { type: 'string', default: 'spot' },
  json: { type: 'boolean', default: false },
})
const OPS = intOption(USAGE, 'ops', values.ops)
const BLOCK = intOption(USAGE, 'block', values.block)
const P = intOption(USAGE, 'participants', values.participants)
if (!(BENCH_MIXES as readonly string[]).includes(values.mix))
  usageError(USAGE, `--mix must be one of ${BENCH_MIXES.join(', ')}, got '${values.mix}'`)
const MIX = values.mix as BenchMix
const json = values.json
const root = fileURLToPath(new URL('..', import.meta.url))

type Loaded = {
  ms: number
  baseReadMs: number
  docLoadMs: number
  restoreMs: number
  tailMs: number
  restoredFrom: string | null
  entries: number
  final: number
  buffered: number
  root: string
}
type Bench = {
  store(p: {
    participants: number
    mix: BenchMix
    name: string
    blocks: number[][]
    base?: number[]
  }): Promise<number>
  load(p: { participants: number; mix: BenchMix; name: string; deposits: string }): Promise<Loaded>
}

const fixture = prunedFixture(OPS, BLOCK, P, MIX)
const port = await freePort()
let vite: ChildProcess | undefined
const browser = await chromium.launch({ executablePath: chromiumPath() })
try {
  vite = spawn(
    `${root}node_modules/.bin/vite`,
    ['--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    {
      cwd: root,
      stdio: 'ignore',
    },
  )
  const url = `http://127.0.0.1:${port}`
  await waitFor(`${url}/scripts/reloadWire.ts`, 60_000)
  const page = await browser.newPage()
  const cdp = await page.context().newCDPSession(page)
  const open = async () => {
    await page.goto(`${url}/scripts/reloadWire.ts`)
    await page.evaluate(() => import('/scripts/reloadPage.ts' as string))
  }
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage')
    return (await cdp.send('Runtime.getHeapUsage')).usedSize
  }
  const run = async (variant: 'full' | 'pruned') => {
    const name = `${variant}-${Date.now()}`
    await open()
    const blocks = (variant === 'full' ? fixture.all : fixture.tail).map((b) => [...b])
    const base = variant === 'pruned' ? [...encodeBase(fixture.base)] : undefined
    const entries = await page.evaluate(
      (p) => (window as unknown as { __reloadBench: Bench }).__reloadBench.store(p),
      { participants: P, mix: MIX, name, blocks, ...(base ? { base } : {}) },
    )
    // the reload: a fresh renderer heap, the stores as the app left them
    await page.reload()
    await open()
    const before = await heap()
    const loaded = await page.evaluate(
      (p) => (window as unknown as { __reloadBench: Bench }).__reloadBench.load(p),
      { participants: P, mix: MIX, name, deposits: toWire(fixture.deposits) },
    )
    const retained = (await heap()) - before
    if (loaded.root !== fixture.root)
      throw new Error(`${variant}: another state root (${JSON.stringify(loaded)})`)
    return { ...loaded, stored: entries, retainedBytesPerOp: Math.round(retained / OPS) }
  }
  const full = await run('full')
  const pruned = await run('pruned')
  const round = (x: number) => Math.round(x)
  const result = {
    ops: OPS,
    participants: P,
    blockOps: BLOCK,
    mix: MIX,
    blocks: fixture.all.length,
    tailBlocks: fixture.tail.length,
    fullMs: round(full.ms),
    prunedMs: round(pruned.ms),
    pruned: {
      baseReadMs: round(pruned.baseReadMs),
      docLoadMs: round(pruned.docLoadMs),
      restoreMs: round(pruned.restoreMs),
      tailMs: round(pruned.tailMs),
    },
    full: { docLoadMs: round(full.docLoadMs), replayMs: round(full.tailMs) },
    retainedBytesPerOpFull: full.retainedBytesPerOp,
    retainedBytesPerOpPruned: pruned.retainedBytesPerOp,
    baseBytes: encodeBase(fixture.base).length,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  }
  if (!json)
    console.log(
      `browser reload of ${OPS} ops: full replay ${result.fullMs} ms, from the pruned base ${result.prunedMs} ms; ` +
        `retained ${result.retainedBytesPerOpFull} → ${result.retainedBytesPerOpPruned} bytes per op`,
    )
  console.log(JSON.stringify(result))
} finally {
  await browser.close()
  vite?.kill()
}

import { expect, test } from '@playwright/test'
import { build } from 'esbuild'

/**
 * THREATS row 16 in Chromium's real IndexedDB: the own-block store writes a seq once. The hot path is one `add`
 * (no read first); a second, different block at a stored seq must still be refused, the same block accepted again
 * (a retry after a crash), and `adopt` must say which it was.
 */
const entry = `
import { openOwnBlockStore } from './src/sync/ownBlocks.ts'
import { makeTestChannel, testDeposits } from './src/core/testing.ts'
import { Replica } from './src/core/replica.ts'
window.ownBlocksCase = async () => {
  const tc = makeTestChannel({ participants: 2, label: 'own-blocks' })
  const sealOne = (amount) => {
    const r = new Replica(tc.channel, { ignoreForcedQueue: true,
      deposits: testDeposits(2, 1, 10n),
      author: { index: 0, sessionKey: tc.members[0].sessionKey },
      leaderWaitMs: 0,
    })
    r.submit({ tag: 3, to: 1, token: 0, amount })
    return r.tick(0)
  }
  const first = sealOne(1n)
  const fork = sealOne(2n)
  const store = await openOwnBlockStore('own-blocks-case')
  const out = {}
  await store.append(first)
  await store.append(first)
  try {
    await store.append(fork)
    out.second = 'stored'
  } catch (e) {
    out.second = e.message
  }
  out.adoptFork = await store.adopt(fork)
  out.adoptSame = await store.adopt(first)
  const all = await store.load()
  out.stored = all.length
  out.storedIsFirst = all[0].length === first.length && all[0].every((x, i) => x === first[i])
  out.nextSeq = String(await store.nextSeq())
  return out
}
`

test('own-block store: one add per block, a second block at a stored seq refused, the same one accepted', async ({
  page,
}) => {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    logLevel: 'silent',
  })
  // an origin of its own for IndexedDB, served from here (nothing leaves the machine)
  await page.route('http://own-blocks.test/', (r) =>
    r.fulfill({ body: '<html></html>', contentType: 'text/html' }),
  )
  await page.goto('http://own-blocks.test/')
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text })
  const out = await page.evaluate(() =>
    (window as unknown as { ownBlocksCase(): Promise<unknown> }).ownBlocksCase(),
  )
  expect(out).toEqual({
    second: 'refusing to store a second block at seq 1: that would be equivocation',
    adoptFork: false,
    adoptSame: true,
    stored: 1,
    storedIsFirst: true,
    nextSeq: '2',
  })
})

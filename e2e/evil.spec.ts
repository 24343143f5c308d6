import { expect, test } from '@playwright/test'
import { converged, liveChannel } from './support/trader.ts'

type EvilWindow = {
  __chx: {
    room: {
      doc: {
        clientID: number
        getMap(n: string): Map<string, unknown> & { delete(k: string): void }
        transact(f: () => void): void
      }
    }
    live: { doc: { destroy(): void } }
  }
}

test('an evil context writes raw Yjs deletions, overwrites, garbage and forged blocks: honest state is unchanged and it is flagged', async ({
  browser,
}) => {
  // the evil participant stops taking part: the two honest ones need a quorum of 2 of 3 to keep finalizing
  const { traders } = await liveChannel(browser, [1, 2, 3], undefined, 60, 2)
  const [a, b, evil] = traders as [
    (typeof traders)[number],
    (typeof traders)[number],
    (typeof traders)[number],
  ]
  await a.place('Sell', '2000', '2')
  await b.place('Buy', '2000', '1')
  const before = await converged(traders, (v) => v.trades >= 1)

  // the evil participant stops validating its own doc and attacks the shared map directly
  const evilClient = await evil.page.evaluate(() => {
    const w = window as unknown as EvilWindow
    w.__chx.live.doc.destroy()
    const doc = w.__chx.room.doc
    const map = doc.getMap('blocks')
    const keys = [...map.keys()]
    const valid = map.get(keys[0]!) as Uint8Array
    const hex = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
    doc.transact(() => {
      // delete half of the honest blocks, overwrite others with garbage or with another valid block
      keys.forEach((k, i) => {
        if (i % 2 === 0) map.delete(k)
        else if (i % 3 === 0) map.set(k, new Uint8Array([1, 2, 3]))
        else map.set(k, valid)
      })
      // garbage under fresh keys, a non-bytes value, an oversized value and bit-flipped (forged) blocks
      for (let i = 0; i < 10; i++) map.set(hex(i + 1), new Uint8Array(64).fill(i))
      for (let i = 0; i < 5; i++) {
        const forged = valid.slice()
        forged[forged.length - 70 + i] = forged[forged.length - 70 + i]! ^ 0xff
        map.set(hex(200 + i), forged)
      }
    })
    // a value outside the map's schema: the connection guard drops the whole update before Yjs decodes it
    doc.transact(() => map.set(hex(100), 'not bytes'))
    return doc.clientID
  })

  // honest contexts keep their state, repair the map, keep trading, and flag the writer
  await b.place('Buy', '2000', '0.5')
  const after = await converged(
    [a, b],
    (v) => v.trades >= before[0]!.trades + 1 && v.flagged.includes(evilClient),
  )
  expect(after[0]!.blocks).toBeGreaterThan(before[0]!.blocks)
  expect(BigInt(after[0]!.holdings[0]![0]!)).toBe(BigInt(before[0]!.holdings[0]![0]!) - 5n * 10n ** 17n)
  // the deleted and overwritten honest blocks were re-announced: the evil doc holds valid bytes under every key again
  await expect
    .poll(() =>
      evil.page.evaluate(() => {
        const map = (window as unknown as EvilWindow).__chx.room.doc.getMap('blocks')
        return [...map.values()].filter((v) => v instanceof Uint8Array && v.length === 3).length
      }),
    )
    .toBe(0)
  // finally an oversized update: it cannot even cross the data channel; honest peers carry on without it
  await evil.page.evaluate(() => {
    const doc = (window as unknown as EvilWindow).__chx.room.doc
    doc.transact(() => doc.getMap('blocks').set(`0x${'f'.repeat(64)}`, new Uint8Array(300 * 1024)))
  })
  await a.place('Sell', '2001', '0.1')
  await converged([a, b], (v) => v.book[0]!.some((o) => o.startsWith('1:2001')))
  await a.page.getByRole('tab', { name: 'Peers' }).click()
  await a.page.screenshot({ path: 'docs/screenshots/peers.png' })
  for (const t of traders) await t.close()
})

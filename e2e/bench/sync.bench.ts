import { appendFileSync } from 'node:fs'
import { test } from '@playwright/test'
import { converged, liveChannel, type Trader } from '../support/trader.ts'

/**
 * `npm run bench:sync`: cross-context sync latency (an op submitted in one context → its block applied in the
 * others), time to finality at the author in ms and in rounds (the DAG's highest round when the op's block became
 * final, minus the block's round), and page reload time with 10,000 ops stored. Prints one JSON line per
 * measurement and appends it to test-results/bench-sync.jsonl.
 */
type Live = {
  live: {
    replica: Rep
    session: { submit(op: unknown): { seq: bigint }; flush(): Promise<void> }
    doc: { subscribe(f: () => void): () => void }
  }
  meIndex: number
}
type Node = { seq: number; round: number; hex: string }
type Rep = {
  latest: (Node | undefined)[]
  dag: { maxRound: number; bySeq: Map<number, Node[]>[] }
  isFinal(n: unknown): boolean
}

const pct = (xs: number[], p: number) => {
  const s = xs.slice().sort((a, b) => a - b)
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100
}
const report = (row: Record<string, unknown>) => {
  const line = JSON.stringify(row)
  console.log(line)
  appendFileSync('test-results/bench-sync.jsonl', `${line}\n`)
}

async function measure(traders: Trader[], samples: number) {
  const [sender, ...receivers] = traders as [Trader, ...Trader[]]
  const senderIndex = await sender.page.evaluate(() => (window as unknown as { __chx: Live }).__chx.meIndex)
  for (const r of receivers)
    await r.page.evaluate((author) => {
      const chx = (window as unknown as { __chx: Live }).__chx
      const seen: Record<number, number> = {}
      Object.assign(window, { __seen: seen })
      const check = () => {
        const seq = chx.live.replica.latest[author]?.seq ?? 0
        if (seq && seen[seq] === undefined) seen[seq] = performance.timeOrigin + performance.now()
      }
      chx.live.doc.subscribe(check)
    }, senderIndex)
  const sent: { seq: number; t0: number; final: number; rounds: number }[] = await sender.page.evaluate(
    async (n) => {
      const chx = (window as unknown as { __chx: Live }).__chx
      const r = chx.live.replica
      const out: { seq: number; t0: number; final: number; rounds: number }[] = []
      for (let i = 0; i < n; i++) {
        const t0 = performance.timeOrigin + performance.now()
        const seq = Number(
          chx.live.session.submit({ tag: 3, to: chx.meIndex === 0 ? 1 : 0, token: 0, amount: 1n }).seq,
        )
        // wait until the block carrying the op is final here (its leader committed), then pause before the next
        let final = 0
        let rounds = 0
        const end = Date.now() + 10_000
        while (Date.now() < end) {
          const node = r.dag.bySeq[chx.meIndex]!.get(seq)?.[0]
          if (node && r.isFinal(node)) {
            final = performance.timeOrigin + performance.now() - t0
            rounds = r.dag.maxRound - node.round
            break
          }
          await new Promise((x) => setTimeout(x, 1))
        }
        out.push({ seq, t0, final, rounds })
        await new Promise((x) => setTimeout(x, 50))
      }
      return out
    },
    samples,
  )
  await new Promise((r) => setTimeout(r, 500))
  const latencies: number[] = []
  for (const r of receivers) {
    const seen: Record<number, number> = await r.page.evaluate(
      () => (window as unknown as { __seen: Record<number, number> }).__seen,
    )
    for (const s of sent) if (seen[s.seq] !== undefined) latencies.push(seen[s.seq]! - s.t0)
  }
  const finals = sent.map((s) => s.final).filter((x) => x > 0)
  const rounds = sent.filter((s) => s.final > 0).map((s) => s.rounds)
  return { latencies, finals, rounds, missed: sent.length * receivers.length - latencies.length }
}

for (const n of [3, 5]) {
  test(`sync latency and finality with ${n} contexts`, async ({ browser }) => {
    test.setTimeout(600_000)
    const { traders } = await liveChannel(
      browser,
      Array.from({ length: n }, (_, i) => i + 1),
    )
    const { latencies, finals, rounds, missed } = await measure(traders, 60)
    report({
      contexts: n,
      samples: latencies.length,
      missed,
      syncP50Ms: pct(latencies, 50),
      syncP95Ms: pct(latencies, 95),
      finalityP50Ms: pct(finals, 50),
      finalityP95Ms: pct(finals, 95),
      finalityP50Rounds: pct(rounds, 50),
      finalityP95Rounds: pct(rounds, 95),
    })
    if (n === 3) {
      // 10,000 ops stored, then a reload of the author's page until its state is back
      const a = traders[0]!
      await a.page.evaluate(async () => {
        const chx = (window as unknown as { __chx: Live }).__chx
        for (let i = 0; i < 10_000; ) {
          try {
            chx.live.session.submit({ tag: 3, to: 1, token: 0, amount: 1n })
            i++
          } catch {
            // the batch is full until the next round opens: let the session seal it
            await new Promise((r) => setTimeout(r, 5))
          }
          if (i % 500 === 499) await new Promise((r) => setTimeout(r, 0))
        }
        await chx.live.session.flush()
      })
      const views = await converged(traders, () => true, 120_000)
      const blocks = views[0]!.blocks
      const t0 = Date.now()
      await a.page.reload()
      await a.waitLive()
      await a.page.waitForFunction(
        (b) =>
          ((window as unknown as { __chx: { view(): { blocks: number } } }).__chx.view().blocks ?? 0) >= b,
        blocks,
        { timeout: 120_000 },
      )
      report({ contexts: n, opsStored: 10_000, blocks, reloadToLiveMs: Date.now() - t0 })
    }
    for (const t of traders) await t.close()
  })
}

import { appendFileSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { test } from '@playwright/test'
import { hostInfo } from '../support/hostInfo.ts'
import { converged, liveChannel, type Trader } from '../support/trader.ts'
import {
  collectTrace,
  cpuMetrics,
  criticalPaths,
  installTrace,
  meanBreakdown,
  medianBreakdown,
  scriptCategories,
  topFunctions,
} from './trace.ts'

/**
 * `npm run bench:sync`: cross-context sync latency (an op submitted in one context → its block applied in the
 * others), time to finality at the author in ms and in rounds (the DAG's highest round when the op's block became
 * final, minus the block's round), and page reload time with 10,000 ops stored. Prints one JSON line per
 * measurement and appends it to test-results/bench-sync.jsonl.
 *
 * Each row also says where finality's milliseconds went (trace.ts: the critical path from submit to final, summed
 * per part, mean and median over the samples), the renderer CPU per context (CDP Performance metrics), the
 * machine's CPU busy share and load average during the measurement. `BENCH_PROFILE=1` adds each context's top
 * functions by self time (CDP Profiler). One row: `npm run bench:sync -- -g "5 contexts"`; `BENCH_SAMPLES=N`
 * measures N ops instead of 60.
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

/** Busy and total jiffies of the whole machine (/proc/stat), for its CPU share during a measurement. */
const cpuTimes = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const idle = (f[3] ?? 0) + (f[4] ?? 0)
  const total = f.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

/** Doc updates each transport's guard let through to Yjs, and the copies of what the doc held it dropped. */
function transportCounts(t: Trader) {
  return t.page.evaluate(() => {
    type Counts = { updates: number; duplicates: number }
    const v = (
      window as unknown as { __chx: { view(): { relays?: Counts[]; webrtcUpdates?: Counts } } }
    ).__chx.view()
    const relay = (v.relays ?? []).reduce(
      (a, r) => ({ updates: a.updates + (r.updates ?? 0), duplicates: a.duplicates + (r.duplicates ?? 0) }),
      { updates: 0, duplicates: 0 },
    )
    return { relay, webrtc: v.webrtcUpdates ?? { updates: 0, duplicates: 0 } }
  })
}

async function measure(traders: Trader[], samples: number) {
  const [sender, ...receivers] = traders as [Trader, ...Trader[]]
  const senderIndex = await sender.page.evaluate(() => (window as unknown as { __chx: Live }).__chx.meIndex)
  const leaderWaitMs = await sender.page.evaluate(
    () =>
      (window as unknown as { __chx: { live: { replica: { authoring: { leaderWaitMs?: number } } } } }).__chx
        .live.replica.authoring.leaderWaitMs ?? 0,
  )
  const cdp = await Promise.all(traders.map((t) => t.page.context().newCDPSession(t.page)))
  for (const s of cdp) await s.send('Performance.enable')
  const profile = process.env.BENCH_PROFILE === '1'
  if (profile)
    for (const s of cdp) {
      await s.send('Profiler.enable')
      await s.send('Profiler.setSamplingInterval', { interval: 200 })
      await s.send('Profiler.start')
    }
  for (const t of traders) await installTrace(t.page)
  const cpu0 = await cpuMetrics(cdp)
  const transport0 = await Promise.all(traders.map(transportCounts))
  const machine0 = cpuTimes()
  const load0 = loadavg()[0]!
  const wall0 = Date.now()
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
        // wait until the block carrying the op is final here (its leader committed), then pause before the next;
        // looked at after every admission or seal (trace.ts), so the wait costs the sender's renderer nothing (a 1 ms
        // poll was ~250 tasks a second on the critical path's busiest thread, and up to 4 ms late)
        let final = 0
        let rounds = 0
        const changed = (window as unknown as { __chxChanged: Set<() => void> }).__chxChanged
        await new Promise<void>((done) => {
          const check = () => {
            const node = r.dag.bySeq[chx.meIndex]!.get(seq)?.[0]
            if (!node || !r.isFinal(node)) return
            final = performance.timeOrigin + performance.now() - t0
            rounds = r.dag.maxRound - node.round
            stop()
          }
          const timer = setTimeout(() => stop(), 10_000)
          const stop = () => {
            clearTimeout(timer)
            changed.delete(check)
            done()
          }
          changed.add(check)
          check()
        })
        out.push({ seq, t0, final, rounds })
        // two ops in a row not final within 10 s: stalled, stop and report what each context holds
        if (final === 0 && out.at(-2)?.final === 0) break
        await new Promise((x) => setTimeout(x, 50))
      }
      return out
    },
    samples,
  )
  await new Promise((r) => setTimeout(r, 500))
  if (sent.some((s) => s.final === 0))
    for (const t of traders)
      console.log(
        JSON.stringify(
          await t.page.evaluate(() => {
            // biome-ignore lint/suspicious/noExplicitAny: diagnostics of a stalled run
            const chx = (window as any).__chx
            const r = chx.live.replica
            const s = chx.live.session
            return {
              me: chx.meIndex,
              maxRound: r.dag.maxRound,
              quorumRound: r.dag.quorumRound,
              latest: r.dag.latest.map(
                (x: { round: number; seq: number } | undefined) => x && [x.round, x.seq],
              ),
              finalCount: r.finalCount,
              order: r.order.length,
              buffered: r.bufferedCount,
              wants: r.wantsToPropose(),
              batch: r.pendingOps,
              inFlight: s.inFlight,
              lastError: String(s.lastError ?? ''),
              peers: chx.room.peerCount(),
              nextLeaderRound: r.committer.nextRound,
            }
          }),
        ),
      )
  const cpu1 = await cpuMetrics(cdp)
  const transport1 = await Promise.all(traders.map(transportCounts))
  const machine1 = cpuTimes()
  const traces = await Promise.all(traders.map((t) => collectTrace(t.page)))
  // the raw traces, to analyse again (criticalPaths) without another run
  writeFileSync(
    `test-results/bench-sync-trace-${traders.length}.json`,
    JSON.stringify({ sender: senderIndex, leaderWaitMs, sent, traces }),
  )
  const paths = criticalPaths(traces, senderIndex, sent, leaderWaitMs)
  const seconds = (Date.now() - wall0) / 1000
  const breakdown = {
    leaderWaitMs,
    paths: paths.length,
    mean: meanBreakdown(paths),
    median: medianBreakdown(paths),
    /** renderer main-thread time per context per second of measurement, ms/s */
    rendererMsPerSec: cpu1.map((c, i) => ({
      task: Math.round((c.task - cpu0[i]!.task) / seconds),
      script: Math.round((c.script - cpu0[i]!.script) / seconds),
      layoutAndStyle: Math.round((c.layout + c.style - cpu0[i]!.layout - cpu0[i]!.style) / seconds),
    })),
    /**
     * doc updates per context per second, by transport: applied by Yjs, and copies of what the doc held dropped
     * before any decoding (src/sync/heldUpdate.ts)
     */
    updatesPerSec: transport1.map((t, i) => {
      const rate = (a: number, b: number) => Math.round(((a - b) / seconds) * 10) / 10
      const t0 = transport0[i]!
      return {
        relayApplied: rate(t.relay.updates, t0.relay.updates),
        relayDuplicates: rate(t.relay.duplicates, t0.relay.duplicates),
        webrtcApplied: rate(t.webrtc.updates, t0.webrtc.updates),
        webrtcDuplicates: rate(t.webrtc.duplicates, t0.webrtc.duplicates),
      }
    }),
    /** blocks sealed per context per second */
    blocksPerSec: traces.map((t) => Math.round((t.own.length / seconds) * 10) / 10),
    /** chain RPC calls per context per second, by method */
    rpcPerSec: traces.map((t) =>
      Object.fromEntries(Object.entries(t.fetches).map(([k, v]) => [k, Math.round((v / seconds) * 10) / 10])),
    ),
    persistMsP50: pct(
      traces.flatMap((t) => t.own.filter((o) => o.p1 > 0).map((o) => o.p1 - o.p0)),
      50,
    ),
    machineBusy:
      Math.round(((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100) / 100,
    loadAverage: [Math.round(load0 * 100) / 100, Math.round(loadavg()[0]! * 100) / 100],
  }
  if (profile)
    for (const [i, s] of cdp.entries()) {
      const { profile: p } = await s.send('Profiler.stop')
      writeFileSync(`test-results/bench-sync-profile-${traders.length}-${i}.cpuprofile`, JSON.stringify(p))
      console.log(JSON.stringify({ context: i, msPerSec: scriptCategories(p), top: topFunctions(p) }))
    }
  for (const s of cdp) await s.detach()
  const latencies: number[] = []
  for (const r of receivers) {
    const seen: Record<number, number> = await r.page.evaluate(
      () => (window as unknown as { __seen: Record<number, number> }).__seen,
    )
    for (const s of sent) if (seen[s.seq] !== undefined) latencies.push(seen[s.seq]! - s.t0)
  }
  const finals = sent.map((s) => s.final).filter((x) => x > 0)
  const rounds = sent.filter((s) => s.final > 0).map((s) => s.rounds)
  return { latencies, finals, rounds, missed: sent.length * receivers.length - latencies.length, breakdown }
}

for (const n of [3, 5]) {
  test(`sync latency and finality with ${n} contexts`, async ({ browser }) => {
    test.setTimeout(600_000)
    const { traders } = await liveChannel(
      browser,
      Array.from({ length: n }, (_, i) => i + 1),
    )
    const { latencies, finals, rounds, missed, breakdown } = await measure(
      traders,
      Number(process.env.BENCH_SAMPLES ?? 60),
    )
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
      breakdown,
      host: hostInfo(browser.version()),
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

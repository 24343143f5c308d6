import type { CDPSession, Page } from '@playwright/test'

/**
 * Where the milliseconds between an op's submit and its finality go, across browser contexts (bench:sync).
 *
 * `installTrace` wraps, inside one page, the runtime's own objects (no product code knows about it): the replica's
 * seal, its DAG's block admission, the proposal rule, the session's persist and publish, and observes the Y.Doc's
 * block map. Every event carries `performance.timeOrigin + performance.now()`, one clock for every context of the
 * browser. `criticalPaths` then walks back from each sample's finality: the block whose arrival made the op final
 * at the sender, the block whose arrival let that block's author propose (its round's quorum), and so on down to
 * the sample's own block, summing each hop's parts. The parts add up to the measured finality.
 */

/** One context's events (epoch ms). */
export type Trace = {
  me: number
  n: number
  q: number
  /** own blocks: seal call start/end, persist start/end, publish start/end */
  own: {
    id: string
    round: number
    seq: number
    s0: number
    s1: number
    p0: number
    p1: number
    b0: number
    b1: number
  }[]
  /** blocks that joined this replica (own included), when the call that admitted them returned */
  accepted: { id: string; author: number; round: number; t: number; qr: number }[]
  /** Y.Map changes from peers: block id → first seen */
  arrived: Record<string, number>
  /** per round: when this replica first held a quorum of it (quorumRound reached it) and the block that did it */
  quorum: { round: number; t: number; by: string }[]
  /** proposals refused by the leader wait: round waited on → first refusal */
  leaderWait: Record<number, number>
  /** final count changes */
  finals: { t: number; count: number }[]
  /** fetch calls (chain RPC) during the measurement, by JSON-RPC method */
  fetches: Record<string, number>
}

/** Installs the trace in a page whose channel is live (window.__chx.live). */
export async function installTrace(page: Page): Promise<void> {
  await page.evaluate(() => {
    type N = { hex: string; author: number; round: number; seq: number }
    // biome-ignore lint/suspicious/noExplicitAny: the runtime's private members, read for the benchmark only
    const chx = (window as any).__chx
    const live = chx.live
    const r = live.replica
    const dag = r.dag
    const session = live.session
    const io = session.io
    const now = () => performance.timeOrigin + performance.now()
    const tr: Trace = {
      me: chx.meIndex,
      n: r.n,
      q: r.q,
      own: [],
      accepted: [],
      arrived: {},
      quorum: [],
      leaderWait: {},
      finals: [],
      fetches: {},
    }
    const fetch = window.fetch
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      let method = 'other'
      try {
        const body = JSON.parse(String(init?.body ?? '{}'))
        method = (Array.isArray(body) ? body.map((x) => x.method).join('+') : body.method) ?? 'other'
      } catch {
        // not JSON
      }
      tr.fetches[method] = (tr.fetches[method] ?? 0) + 1
      return fetch(input, init)
    }
    // called after every call that can admit a block or make one final (receiveMany, sealAt): the sender's
    // measurement waits on these instead of polling its renderer every few ms
    const changed = new Set<() => void>()
    Object.assign(window, { __chxTrace: tr, __chxChanged: changed })
    let pending: N[] = []
    let qr = dag.quorumRound
    let fc = r.finalCount
    const settle = () => {
      const t = now()
      for (const x of pending) {
        tr.accepted.push({ id: x.hex, author: x.author, round: x.round, t, qr: dag.quorumRound })
      }
      if (dag.quorumRound > qr) {
        const by = [...pending].sort((a, b) => b.round - a.round)[0]
        for (let k = qr + 1; k <= dag.quorumRound; k++) tr.quorum.push({ round: k, t, by: by?.hex ?? '' })
        qr = dag.quorumRound
      }
      if (r.finalCount !== fc) {
        fc = r.finalCount
        tr.finals.push({ t, count: fc })
      }
      pending = []
      for (const f of changed) f()
    }
    const add = dag.add.bind(dag)
    dag.add = (node: N, accepted: N[]) => {
      const before = accepted.length
      const out = add(node, accepted)
      for (let i = before; i < accepted.length; i++) pending.push(accepted[i]!)
      return out
    }
    const receiveMany = r.receiveMany.bind(r)
    r.receiveMany = (list: Uint8Array[]) => {
      const out = receiveMany(list)
      settle()
      return out
    }
    // sealing and the proposal rule live in the replica's authoring part (src/core/replica/authoring.ts)
    const authoring = r.authoring
    const sealAt = authoring.sealAt.bind(authoring)
    authoring.sealAt = (round: number, t: number) => {
      const s0 = now()
      const bytes = sealAt(round, t)
      const node = dag.latest[tr.me] as N
      settle()
      tr.own.push({
        id: node.hex,
        round: node.round,
        seq: node.seq,
        s0,
        s1: now(),
        p0: 0,
        p1: 0,
        b0: 0,
        b1: 0,
      })
      return bytes
    }
    const proposalRound = authoring.proposalRound.bind(authoring)
    authoring.proposalRound = (t: number) => {
      const out = proposalRound(t)
      const own = dag.latest[tr.me] as N | undefined
      const q = dag.quorumRound
      if (out === undefined && (!own || own.round <= q) && tr.leaderWait[q] === undefined)
        tr.leaderWait[q] = now()
      return out
    }
    // persist and publish in seal order, like the session's chain
    let persisted = 0
    let published = 0
    const persist = io.persist
    io.persist = async (arg: Uint8Array | Uint8Array[]) => {
      // one block per call before grouped commits, a group (seal order) since
      const group = tr.own.slice(persisted, persisted + (Array.isArray(arg) ? arg.length : 1))
      persisted += group.length
      const p0 = now()
      for (const o of group) o.p0 = p0
      await persist(arg)
      const p1 = now()
      for (const o of group) o.p1 = p1
    }
    const publish = io.publish
    io.publish = (bytes: Uint8Array) => {
      const o = tr.own[published++]
      if (o) o.b0 = now()
      publish(bytes)
      if (o) o.b1 = now()
    }
    live.doc.map.observe((event: { keysChanged: Set<string> }, tx: { local: boolean }) => {
      if (tx.local) return
      const t = now()
      for (const k of event.keysChanged) tr.arrived[k] ??= t
    })
  })
}

export async function collectTrace(page: Page): Promise<Trace> {
  return page.evaluate(() => (window as unknown as { __chxTrace: Trace }).__chxTrace)
}

/** The parts of one critical path, ms. */
export type Breakdown = {
  /** submit → the sample's block sealed (its round not open yet, or the tick) */
  toSeal: number
  /** sealing: signature, encoding, the local commit and fold */
  seal: number
  /** seal done → persist started (the session's chain, microtasks) */
  toPersist: number
  /** the IndexedDB commit of an own block */
  persist: number
  /** persisted → published (Yjs transaction, WebRTC and relay sends) */
  publish: number
  /** published → the Y.Map change observed at the receiver (transport and the receiver's event loop) */
  transport: number
  /** observed → admitted by the receiver's replica (scheduled flush, guard, validation, commit, fold) */
  ingest: number
  /** quorum of the previous round held → the next block sealed, inside the leader wait */
  leaderWait: number
  /** quorum held → sealed, outside the leader wait (tick interval, busy renderer) */
  propose: number
  /** path hops (blocks on the path after the sample's own) */
  hops: number
}

const ZERO: Breakdown = {
  toSeal: 0,
  seal: 0,
  toPersist: 0,
  persist: 0,
  publish: 0,
  transport: 0,
  ingest: 0,
  leaderWait: 0,
  propose: 0,
  hops: 0,
}

/**
 * For each sample (op submitted at t0 into block `seq` of the sender, final at t0 + final), the critical path
 * from its submit to its finality at the sender, as a Breakdown. `waitMs` is the replica's leaderWaitMs.
 */
export function criticalPaths(
  traces: Trace[],
  sender: number,
  samples: { seq: number; t0: number; final: number }[],
  waitMs: number,
): Breakdown[] {
  const byMe = new Map(traces.map((t) => [t.me, t]))
  const own = new Map<string, Trace['own'][number] & { author: number }>()
  for (const t of traces) for (const o of t.own) own.set(o.id, { ...o, author: t.me })
  const out: Breakdown[] = []
  for (const s of samples) {
    if (s.final <= 0) continue
    const st = byMe.get(sender)!
    const mine = st.own.find((o) => o.seq === s.seq)
    if (!mine) continue
    const tFinal = s.t0 + s.final
    const b = { ...ZERO }
    // the admission (at the sender) that made the sample final: the last commit at or before the poll saw it
    let fin: Trace['finals'][number] | undefined
    for (const f of st.finals) if (f.t >= s.t0 && f.t <= tFinal + 0.5) fin = f
    let at = st
    let t = fin?.t ?? tFinal
    let block = lastAdmitted(st, t)
    for (let guard = 0; block && guard < 50; guard++) {
      const o = own.get(block.id)
      if (!o) break
      const tail = o.author === at.me ? o.s1 : (at.arrived[block.id] ?? o.b1)
      if (o.author !== at.me) {
        b.ingest += t - tail
        b.transport += tail - o.b1
        b.publish += o.b1 - o.p1
        b.persist += o.p1 - o.p0
        b.toPersist += o.p0 - o.s1
      } else b.ingest += t - o.s1
      b.seal += o.s1 - o.s0
      if (o.id === mine.id) {
        b.toSeal += o.s0 - s.t0
        break
      }
      b.hops++
      // what let its author propose: its quorum of the round below
      const author = byMe.get(o.author)!
      const qq = author.quorum.find((x) => x.round === o.round - 1)
      if (!qq || qq.t < s.t0) {
        b.toSeal += o.s0 - s.t0
        break
      }
      const lw = author.leaderWait[o.round - 1]
      const waited = lw !== undefined ? Math.max(0, Math.min(o.s0, lw + waitMs) - Math.max(qq.t, lw)) : 0
      b.leaderWait += waited
      b.propose += o.s0 - qq.t - waited
      at = author
      t = qq.t
      block = at.accepted.find((a) => a.id === qq.by) ?? lastAdmitted(at, t)
    }
    out.push(b)
  }
  return out
}

/** The block admitted last at or before `at` (of a batch admitted together, the highest round). */
function lastAdmitted(t: Trace, at: number) {
  let best: Trace['accepted'][number] | undefined
  for (const a of t.accepted)
    if (a.t <= at + 0.001 && (!best || a.t > best.t || (a.t === best.t && a.round > best.round))) best = a
  return best
}

/** Medians of each part over the samples (they need not add up to the median total). */
export function medianBreakdown(xs: Breakdown[]): Breakdown & { total: number } {
  const med = (f: (b: Breakdown) => number) => {
    const v = xs.map(f).sort((a, b) => a - b)
    return v.length ? Math.round(v[Math.floor(v.length / 2)]! * 10) / 10 : 0
  }
  const keys = Object.keys(ZERO) as (keyof Breakdown)[]
  const m = Object.fromEntries(keys.map((k) => [k, med((b) => b[k])])) as Breakdown
  return { ...m, total: med((b) => keys.filter((k) => k !== 'hops').reduce((s, k) => s + b[k], 0)) }
}

/** Means of each part (these add up to the mean total). */
export function meanBreakdown(xs: Breakdown[]): Breakdown & { total: number } {
  const keys = Object.keys(ZERO) as (keyof Breakdown)[]
  const mean = (f: (b: Breakdown) => number) =>
    xs.length ? Math.round((xs.reduce((s, b) => s + f(b), 0) / xs.length) * 10) / 10 : 0
  const m = Object.fromEntries(keys.map((k) => [k, mean((b) => b[k])])) as Breakdown
  return { ...m, total: mean((b) => keys.filter((k) => k !== 'hops').reduce((s, k) => s + b[k], 0)) }
}

/** Renderer CPU per page over the measurement (CDP Performance.getMetrics): task, script, layout, style, ms. */
export async function cpuMetrics(sessions: CDPSession[]) {
  return Promise.all(
    sessions.map(async (s) => {
      const { metrics } = await s.send('Performance.getMetrics')
      const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]))
      return {
        task: (m.TaskDuration ?? 0) * 1000,
        script: (m.ScriptDuration ?? 0) * 1000,
        layout: (m.LayoutDuration ?? 0) * 1000,
        style: (m.RecalcStyleDuration ?? 0) * 1000,
      }
    }),
  )
}

/** Self time per function over a CPU profile (CDP Profiler.stop), top `k`, ms. */
export function topFunctions(
  profile: {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
    samples?: number[]
    timeDeltas?: number[]
  },
  k = 25,
) {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]))
  const self = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!)
    if (!node) continue
    const f = node.callFrame
    const file = f.url.slice(f.url.lastIndexOf('/') + 1)
    const name = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`
    self.set(name, (self.get(name) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000)
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, ms]) => ({ name, ms: Math.round(ms) }))
}

/**
 * Where a renderer's time went (BENCH_PROFILE=1), ms per second of the profile: each sample is charged to the first
 * of these categories any frame of its stack matches (so a signature recovery inside `config()` counts as lobby
 * authorisation, one inside `receiveMany` as protocol); idle, native work outside JS and GC apart.
 */
const CATEGORIES: [string, RegExp][] = [
  ['lobby auth (config/verifyAuth)', /^(config|verifyAuth|completeDraft|auths)$/],
  ['payouts replay (payoutsOf)', /^(payoutsOf|stateOfCheckpoint|checkpointCovers)$/],
  ['UI snapshot (takeSnapshot)', /^takeSnapshot$/],
  [
    'chain reads (viem, fetch)',
    /^(readContract|getBlock|getBlockNumber|readChainReadiness|getSessionKeyRange|fetch|window\.fetch|readResponseBody|withRetry|withTimeout|call|multicall|poll|ask|getChannelInfo|getDisputeStatus|walletBalance|getParticipantInfo)$/,
  ],
  [
    'awareness',
    /^(applyAwarenessUpdate|setLocalStateField|setLocalState|Room\._awarenessUpdateHandler|awarenessUpdateHandler|encodeAwarenessUpdate|removeAwarenessStates)$/,
  ],
  [
    'protocol (validate, DAG, fold, seal, commit)',
    /^(receiveMany|receive|sealAt|createBlock|ingest|validate|recoverAddressWith|recoverAddress|signDigest|afterAccept|tick|drain)$/,
  ],
  ['IndexedDB', /^(IndexeddbPersistence\._storeUpdate|transaction|add|put|append|persist)$/],
  [
    'Yjs doc + WebRTC transport',
    /^(readSyncMessage|applyUpdateV2|transact\$1|transact|Room\._docUpdateHandler|encrypt|decrypt|send|postMessage|_onChannelMessage|readPeerMessage|readMessage|broadcastRoomMessage|Room\._bcSubscriber)$/,
  ],
  [
    'React render/commit/effects',
    /^(performWorkOnRoot|flushPassiveEffects|commitRoot|performWorkUntilDeadline|flushSyncWorkAcrossRoots_impl|processRootScheduleInMicrotask|renderWithHooks)$/,
  ],
]

export function scriptCategories(profile: {
  nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[]
  samples?: number[]
  timeDeltas?: number[]
  startTime: number
  endTime: number
}): Record<string, number> {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]))
  const parent = new Map<number, number>()
  for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id)
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  const seconds = (profile.endTime - profile.startTime) / 1e6
  const out: Record<string, number> = {}
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000
    const leaf = byId.get(samples[i]!)?.callFrame.functionName ?? ''
    let k =
      leaf === '(idle)'
        ? 'idle'
        : leaf === '(program)'
          ? '(program)'
          : leaf === '(garbage collector)'
            ? 'GC'
            : ''
    if (!k) {
      const names: string[] = []
      for (let x: number | undefined = samples[i]; x !== undefined; x = parent.get(x))
        names.push(byId.get(x)?.callFrame.functionName ?? '')
      k = CATEGORIES.find(([, re]) => names.some((n) => re.test(n)))?.[0] ?? 'other script'
    }
    out[k] = (out[k] ?? 0) + ms
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Math.round(v / seconds)]),
  )
}

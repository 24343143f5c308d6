import { toHex } from '../core/bytes.ts'
import { OpTag } from '../core/ops.ts'
import { Rng } from '../core/sim/rng.ts'
import { LatencyProbe, type LatencyReport, percentile } from '../store/latencyProbe.ts'
import type { CatchUpStatus } from '../store/rejoin.ts'
import { mayLiquidate } from './liquidator.ts'
import type { HeadlessParticipant } from './participant.ts'
import { nextOps, type Role } from './strategy.ts'

export type RunAgentParameters = {
  participant: HeadlessParticipant
  role: Role
  /** ops per second the trader aims at; quote refreshes per second for the market maker; Infinity: full rate */
  rate: number
  seed: number
  startPrice: bigint
  /** stop submitting after this many seconds (undefined: until `signal` aborts) */
  seconds?: number
  /** after submitting stops: wait until every known op is final and nothing new arrived for `quietMs` */
  quietMs?: number
  /** upper bound on that wait (ms) */
  drainMs?: number
  signal: AbortSignal
  /** a progress line about once a second */
  progress: (line: string) => void
  /** once live, resolves when submitting should start (a benchmark starts every participant at one time) */
  waitStart?: (signal: AbortSignal) => Promise<void>
  /** measure sync latency, finality and CPU time from the start of submitting (LatencyProbe) */
  measure?: boolean
}

/** What `measure` adds to the summary: wall-clock ms, CPU µs of this process, the probe's samples. */
export type AgentMeasurement = {
  /** epoch ms when submitting started */
  startedAt: number
  syncP50Ms: number
  syncP95Ms: number
  finalityP50Ms: number
  finalityP95Ms: number
  /** user + system CPU of this process from the start until the drain ended */
  cpuUs: number
  /** ops that became final here after the start; cpuUs / finalOps is this replica's cost per op */
  finalOps: number
  cpuPerOpUs: number
  /** epoch ms when the last of them became final here */
  lastFinalAt: number
  report: LatencyReport
}

export type AgentSummary = {
  participant: number
  address: string
  role: Role
  seconds: number
  opsSubmitted: number
  opsRefused: number
  /**
   * ops of blocks this agent sealed while cut off that reached the others more than D + K rounds late: never final,
   * never applied (core CONTEXT.md, "Chain restart"); its chain went on from them
   */
  opsDropped: number
  blocks: number
  finalBlocks: number
  round: number
  trades: number
  stateRoot: string
  /** whether everything this replica held was final when it stopped */
  allFinal: boolean
  relayStrikes: number
  /** final blocks pruned, the checkpoint pruned at ('0': never), the one this start restored from (null: none) */
  pruned: number
  prunedVersion: string
  restoredFrom: string | null
  /** how catching up from a peer's certified base went (issue #8: 'idle' when it never lagged) */
  catchUp: string
  measurement?: AgentMeasurement
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs one headless participant: joins, submits its role's flow at `rate` until `seconds` pass or `signal`
 * aborts, then drains (keeps syncing until what it knows is final and the channel is quiet) and returns a
 * summary. Submitting is paced by elapsed time, so a slow tick catches up instead of drifting.
 */
export async function runAgent(p: RunAgentParameters): Promise<AgentSummary> {
  const start = Date.now()
  const agent = p.participant
  await agent.goLive(p.signal)
  // the live channel may restart from a peer's base while this runs (catching up, issue #8): read it each time
  const live = {
    get replica() {
      return agent.live!.replica
    },
    get session() {
      return agent.live!.session
    },
    get doc() {
      return agent.live!.doc
    },
    get restoredFrom() {
      return agent.live!.restoredFrom
    },
  }
  if (p.role === 'liquidator') {
    const may = mayLiquidate(live.replica.state, agent.meIndex)
    if (!may.perps && !may.lending)
      p.progress(
        'warning: this participant may not liquidate here (no Liquidator role, and the channel does not open liquidation to everyone)',
      )
  }
  const rng = new Rng(p.seed)
  let submitted = 0
  let refused = 0
  let due = 0
  const interval = 1000 / p.rate
  let lastProgress = Date.now()
  const line = (phase: string) => {
    const r = live.replica
    p.progress(
      `${phase} t=${((Date.now() - start) / 1000).toFixed(1)}s round=${r.dag.maxRound} blocks=${r.order.length} ` +
        `final=${r.finalCount} deposits=${r.state.depositCount} sent=${submitted} refused=${refused} trades=${r.state.tradeCount} ` +
        `relay=${agent.relays.map((l) => l.status()).join(',')} root=${toHex(r.stateRoot()).slice(0, 12)}` +
        (r.prunedVersion > 0n ? ` pruned=${r.prunedCount}@v${r.prunedVersion}` : '') +
        catchUpText(agent.catchUp) +
        (agent.chainError ? ` chain: ${agent.chainError}` : ''),
    )
  }
  if (p.waitStart) {
    // a progress line a second while waiting (deposits being credited, the benchmark's start)
    const started = p.waitStart(p.signal).then(() => true)
    while (!(await Promise.race([started, sleep(1000).then(() => false)]))) line('waiting')
  }
  const tradeStart = Date.now()
  const cpu0 = process.cpuUsage()
  const probe = p.measure
    ? new LatencyProbe({
        replica: live.replica,
        doc: live.doc,
        me: agent.meIndex,
        // the benchmark's flow only: deposit credits and other ops final meanwhile are not the measured ops
        ...(p.role === 'transfers' ? { tags: [OpTag.Transfer] } : {}),
      })
    : undefined
  const fullRate = !Number.isFinite(interval) || interval <= 0
  const step = () => {
    let sent = 0
    for (const op of nextOps({
      role: p.role,
      replica: live.replica,
      me: agent.meIndex,
      rng,
      startPrice: p.startPrice,
    })) {
      const r = agent.submit(op)
      if (r.ok) {
        submitted++
        sent++
        probe?.submitted(r.seq)
      } else refused++
    }
    return sent
  }
  while (!p.signal.aborted && (p.seconds === undefined || Date.now() - tradeStart < p.seconds * 1000)) {
    if (fullRate) {
      // as many as the batch takes (it refuses while full until the next round opens), then let I/O run
      let k = 0
      while (k++ < 4096 && step() > 0) {
        // keep filling
      }
    } else {
      const target = Math.floor((Date.now() - tradeStart) / interval)
      while (due < target) {
        due++
        step()
      }
    }
    if (Date.now() - lastProgress >= 1000) {
      lastProgress = Date.now()
      line('trading')
    }
    await sleep(fullRate ? 1 : Math.max(1, Math.min(50, interval)))
  }
  // drain: everything known final and nothing new for quietMs, or drainMs passed
  const quietMs = p.quietMs ?? 2000
  const end = Date.now() + (p.drainMs ?? 30_000)
  let seen = live.replica.order.length
  let quietSince = Date.now()
  await live.session.flush()
  while (Date.now() < end) {
    const r = live.replica
    if (r.order.length !== seen) {
      seen = r.order.length
      quietSince = Date.now()
    }
    if (allFinal(agent) && Date.now() - quietSince >= quietMs) break
    if (Date.now() - lastProgress >= 1000) {
      lastProgress = Date.now()
      line('draining')
    }
    await sleep(50)
  }
  line('done')
  const r = live.replica
  let measurement: AgentMeasurement | undefined
  if (probe) {
    const cpu = process.cpuUsage(cpu0)
    const report = probe.report()
    probe.stop()
    const cpuUs = cpu.user + cpu.system
    measurement = {
      startedAt: tradeStart,
      syncP50Ms: percentile(report.sync, 50),
      syncP95Ms: percentile(report.sync, 95),
      finalityP50Ms: percentile(report.finality, 50),
      finalityP95Ms: percentile(report.finality, 95),
      cpuUs,
      finalOps: report.finalOps,
      cpuPerOpUs: report.finalOps > 0 ? Math.round((cpuUs / report.finalOps) * 10) / 10 : 0,
      lastFinalAt: report.lastFinalAt,
      report,
    }
  }
  return {
    participant: agent.meIndex,
    address: agent.me,
    role: p.role,
    seconds: Math.round((Date.now() - start) / 100) / 10,
    opsSubmitted: submitted,
    opsRefused: refused,
    opsDropped: r.expiredOwn().reduce((s, x) => s + x.ops.length, 0),
    blocks: r.order.length,
    finalBlocks: r.finalCount,
    round: r.dag.maxRound,
    trades: r.state.tradeCount,
    stateRoot: toHex(r.stateRoot()),
    allFinal: allFinal(agent),
    relayStrikes: agent.relays.reduce((s, l) => s + l.guard.stats.strikes, 0),
    pruned: r.prunedCount,
    prunedVersion: r.prunedVersion.toString(),
    restoredFrom: live.restoredFrom?.toString() ?? null,
    catchUp: agent.catchUp.phase === 'failed' ? `failed: ${agent.catchUp.reason}` : agent.catchUp.phase,
    ...(measurement ? { measurement } : {}),
  }
}

/** Every block with ops is final, and nothing of ours waits in the batch or on disk. */
function allFinal(agent: HeadlessParticipant): boolean {
  const live = agent.live
  if (!live) return false
  const r = live.replica
  if (r.pendingOps > 0 || live.session.inFlight > 0) return false
  for (let i = r.finalCount; i < r.order.length; i++) if (r.order[i]!.block.ops.length > 0) return false
  return true
}

/** The progress line's note on catching up from a peer's base (issue #8). */
function catchUpText(s: CatchUpStatus): string {
  if (s.phase === 'restored')
    return ` caught up from v${s.version} (${s.signers} of ${s.participants} signed)`
  if (s.phase === 'restoring') return ` catching up from v${s.version}`
  if (s.phase === 'failed') return ` catch-up: ${s.reason}`
  return ''
}

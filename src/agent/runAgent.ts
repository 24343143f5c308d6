import { toHex } from '../core/bytes.ts'
import { Rng } from '../core/sim/rng.ts'
import type { HeadlessParticipant } from './participant.ts'
import { nextOps, type Role } from './strategy.ts'

export type RunAgentParameters = {
  participant: HeadlessParticipant
  role: Role
  /** ops per second the trader aims at; quote refreshes per second for the market maker */
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
}

export type AgentSummary = {
  participant: number
  address: string
  role: Role
  seconds: number
  opsSubmitted: number
  opsRefused: number
  blocks: number
  finalBlocks: number
  round: number
  trades: number
  stateRoot: string
  /** whether everything this replica held was final when it stopped */
  allFinal: boolean
  relayStrikes: number
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
  const live = await agent.goLive(p.signal)
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
        `final=${r.finalCount} sent=${submitted} refused=${refused} trades=${r.state.tradeCount} ` +
        `relay=${agent.relays.map((l) => l.status()).join(',')} root=${toHex(r.stateRoot()).slice(0, 12)}` +
        (agent.chainError ? ` chain: ${agent.chainError}` : ''),
    )
  }
  const tradeStart = Date.now()
  while (!p.signal.aborted && (p.seconds === undefined || Date.now() - tradeStart < p.seconds * 1000)) {
    const target = Math.floor((Date.now() - tradeStart) / interval)
    while (due < target) {
      due++
      for (const op of nextOps({
        role: p.role,
        replica: live.replica,
        me: agent.meIndex,
        rng,
        startPrice: p.startPrice,
      })) {
        const r = agent.submit(op)
        if (r.ok) submitted++
        else refused++
      }
    }
    if (Date.now() - lastProgress >= 1000) {
      lastProgress = Date.now()
      line('trading')
    }
    await sleep(Math.max(1, Math.min(50, interval)))
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
  return {
    participant: agent.meIndex,
    address: agent.me,
    role: p.role,
    seconds: Math.round((Date.now() - start) / 100) / 10,
    opsSubmitted: submitted,
    opsRefused: refused,
    blocks: r.order.length,
    finalBlocks: r.finalCount,
    round: r.dag.maxRound,
    trades: r.state.tradeCount,
    stateRoot: toHex(r.stateRoot()),
    allFinal: allFinal(agent),
    relayStrikes: agent.relays.reduce((s, l) => s + l.guard.stats.strikes, 0),
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

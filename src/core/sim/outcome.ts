import { type Hex, toHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import { OpTag } from '../ops.ts'
import { toleratedEquivocators, toleratedSilent } from '../quorum.ts'
import { Replica } from '../replica.ts'
import type { DepositRecord } from '../state.ts'
import type { Mix } from './perpOps.ts'
import type { SimulateParameters, SimulateReturnType } from './simulate.ts'

/** A finished simulation as the simulator hands it over to be judged. */
export type SimulationOutcomeParameters = {
  p: SimulateParameters
  mix: Mix[]
  quorum: number
  honest: readonly number[]
  /** the honest replicas, in the order of `honest` */
  replicas: readonly Replica[]
  /** per honest replica: each block id seen final, with its position and op results when first seen */
  seenFinal: readonly ReadonlyMap<Hex, { pos: number; results: string }>[]
  honestOps: number
  channel: Channel
  deposits: readonly DepositRecord[]
}

/**
 * Judges a finished simulation: convergence of the honest replicas (roots and equivocators), a fresh replica's
 * replay of every block, reversals of anything once final, conflicting final prefixes, honest ops final
 * everywhere, evidence, finality latency in rounds and the ingress counts.
 */
export function simulationOutcome(o: SimulationOutcomeParameters): SimulateReturnType {
  const { p, mix, honest, seenFinal, honestOps, channel, deposits } = o
  const reps = o.replicas
  const q = o.quorum
  const n = p.participants
  const B = p.byzantine
  const S = p.silent ?? 0
  let reversals = 0
  const roots = reps.map((r) => toHex(r.stateRoot()))
  const eqs = reps.map((r) => r.equivocators().join(','))
  const fresh = new Replica(channel, {
    ignoreForcedQueue: true,
    deposits,
    ...(p.refDepth === undefined ? {} : { refDepth: p.refDepth }),
  })
  fresh.receiveMany(reps[0]!.blocksInOrder())
  const replayMatches = toHex(fresh.stateRoot()) === roots[0] && fresh.finalCount === reps[0]!.finalCount
  // reversals: a block once final at a replica must still be at the same position with the same results
  for (let k = 0; k < reps.length; k++)
    for (const [hex, v] of seenFinal[k]!) {
      const x = reps[k]!.order[v.pos]
      if (!x || x.hex !== hex || x.results.join(',') !== v.results) reversals += x ? x.results.length : 1
    }
  // conflicting finality: final prefixes must be prefixes of one another
  let conflictingFinal = false
  const ids = reps.map((r) => r.finalIds())
  for (let a = 1; a < ids.length; a++) {
    const m = Math.min(ids[0]!.length, ids[a]!.length)
    for (let i = 0; i < m; i++)
      if (ids[0]![i] !== ids[a]![i]) {
        conflictingFinal = true
        break
      }
  }
  // honest ops (automatic checkpoint signatures aside) in every honest replica's final prefix
  const honestSet = new Set(honest)
  let finalOps = Number.POSITIVE_INFINITY
  for (const r of reps) {
    let c = 0
    for (let i = 0; i < r.finalCount; i++) {
      const x = r.order[i]!
      if (honestSet.has(x.author)) for (const op of x.block.ops) if (op.tag !== OpTag.Checkpoint) c++
    }
    finalOps = Math.min(finalOps, c)
  }
  const faulty = new Set<number>()
  for (const r of reps) {
    for (const e of r.equivocations) faulty.add(e.author)
    for (const c of r.checkpointConflicts) faulty.add(c.author)
  }
  const r0 = reps[0]!
  const lat: number[] = []
  let start = 0
  for (const leader of r0.leaders) {
    for (let i = start; i <= leader.commitIndex; i++) {
      const x = r0.order[i]!
      for (let k = 0; k < x.block.ops.length; k++) lat.push(leader.round + 2 - x.round)
    }
    start = leader.commitIndex + 1
  }
  lat.sort((a, b) => a - b)
  // integer percentile: the element at ⌊len·p/100⌋ (no float in the core)
  const pct = (p: number) => {
    if (lat.length === 0) return 0
    const scaled = lat.length * p
    return lat[Math.min(lat.length - 1, (scaled - (scaled % 100)) / 100)]!
  }
  const { applied, skipped } = r0.opCounts()
  let accepted = 0
  let rejected = 0
  const rejectedByReason: Record<string, number> = {}
  for (const r of reps) {
    accepted += r.ingress.accepted
    for (const [k, v] of r.ingress.rejected) {
      rejected += v
      rejectedByReason[k] = (rejectedByReason[k] ?? 0) + v
    }
  }
  return {
    participants: n,
    honest: honest.length,
    quorum: q,
    ops: p.ops,
    mix,
    seed: p.seed,
    roots,
    converged: roots.every((x) => x === roots[0]) && eqs.every((x) => x === eqs[0]),
    replayMatches,
    finalOps,
    honestOps,
    finalReversals: reversals,
    conflictingFinal,
    divergedHonest: honest.filter((_, k) => reps[k]!.divergence() !== undefined),
    provablyFaulty: [...faulty].sort((a, b) => a - b),
    finalLatencyRounds: { p50: pct(50), p95: pct(95) },
    withinFaultModel: B <= toleratedEquivocators(n, q) && B + S <= toleratedSilent(n, q),
    accepted,
    rejected,
    opsApplied: applied,
    opsSkipped: skipped,
    equivocators: r0.equivocators(),
    equivocatorsAgree: eqs.every((x) => x === eqs[0]),
    certifiedCheckpoints: r0.heldCheckpoints().filter((c) => c.signatures.size >= q).length,
    opApplications: (applied + skipped) * honest.length,
    blocks: r0.order.length,
    rounds: r0.dag.maxRound,
    rejectedByReason,
  }
}

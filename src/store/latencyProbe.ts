import type { Replica } from '../core/replica.ts'

export type LatencyProbeParameters = {
  replica: Replica
  /** the channel's sync binding: the probe looks again after every flush of new blocks */
  doc: { subscribe(listener: () => void): () => void }
  /** the local participant */
  me: number
  /** op tags counted in `finalOps`; all ops when absent */
  tags?: readonly number[]
  /** wall clock (ms since the epoch): blocks carry their author's, so every participant on a machine compares */
  now?: () => number
  /** how often (ms) the probe also looks without a flush (own blocks become final on a local tick too) */
  pollMs?: number
}

/** What a probe measured, in wall-clock ms; samples sorted ascending. */
export type LatencyReport = {
  /** blocks of other participants: sealed by their author (the block's time) → joined this replica */
  sync: number[]
  /** own ops: submitted here → the block carrying them final here */
  finality: number[]
  /** ops (of the probe's tags) that became final here since the probe started */
  finalOps: number
  /** when `finalOps` last grew (epoch ms; 0: never) */
  lastFinalAt: number
}

/** The value at percentile q (0–100) of ascending samples, 0 when there are none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * q) / 100))]!
}

/**
 * Measures, at one participant, what a trader feels of the whole path — sign, persist, transport, validate, fold,
 * finalize: sync latency of every block from others and time to finality of every op submitted here. Benchmarks
 * only (bench:e2e drives it in agents and, through `window.__chxProbe`, in browser tabs); it reads the replica and
 * never changes it. Only what happens after it starts is counted.
 */
export class LatencyProbe {
  private readonly sync: number[] = []
  private readonly finality: number[] = []
  private finalOps = 0
  private lastFinalAt = 0
  /** absolute position in the whole final order (pruned blocks included) up to which final blocks were counted */
  private finalSeen: number
  private readonly seenSeq: number[]
  /** own ops waiting for finality: seq → submit times */
  private readonly waiting = new Map<number, number[]>()
  private readonly tags: Set<number> | undefined
  private readonly now: () => number
  private readonly unsubscribe: () => void
  private readonly timer: ReturnType<typeof setInterval>

  constructor(private readonly p: LatencyProbeParameters) {
    this.now = p.now ?? (() => Date.now())
    this.tags = p.tags ? new Set(p.tags) : undefined
    this.finalSeen = p.replica.prunedCount + p.replica.finalCount
    this.seenSeq = p.replica.latest.map((n) => n?.seq ?? 0)
    this.unsubscribe = p.doc.subscribe(() => this.look())
    this.timer = setInterval(() => this.look(), p.pollMs ?? 5)
  }

  /** Records an own op submitted now into block `seq` (what ChannelSession.submit returned). */
  submitted(seq: bigint): void {
    const s = Number(seq)
    const list = this.waiting.get(s)
    if (list) list.push(this.now())
    else this.waiting.set(s, [this.now()])
  }

  /** Looks for blocks that arrived and blocks that became final since the last look. */
  look(): void {
    const r = this.p.replica
    const t = this.now()
    const latest = r.latest
    for (let a = 0; a < latest.length; a++) {
      const top = latest[a]?.seq ?? 0
      let seen = this.seenSeq[a] ?? 0
      if (top <= seen) continue
      if (a !== this.p.me)
        for (seen++; seen <= top; seen++) {
          const node = r.dag.bySeq[a]?.get(seen)?.[0]
          if (node) this.sync.push(t - Number(node.block.time))
        }
      this.seenSeq[a] = top
    }
    // pruning drops final blocks from the front of the order (finalCount falls by as many): count by absolute
    // position, or a replica that prunes during the run would skip the ops final between two looks
    const pruned = r.prunedCount
    const finalTo = pruned + r.finalCount
    if (finalTo <= this.finalSeen) return
    let grew = 0
    for (let i = Math.max(this.finalSeen, pruned); i < finalTo; i++) {
      const node = r.order[i - pruned]!
      if (this.tags) {
        for (const op of node.block.ops) if (this.tags.has(op.tag)) grew++
      } else grew += node.block.ops.length
      if (node.author === this.p.me) {
        const times = this.waiting.get(node.seq)
        if (times) {
          for (const x of times) this.finality.push(t - x)
          this.waiting.delete(node.seq)
        }
      }
    }
    this.finalSeen = finalTo
    if (grew > 0) {
      this.finalOps += grew
      this.lastFinalAt = t
    }
  }

  report(): LatencyReport {
    this.look()
    return {
      sync: [...this.sync].sort((a, b) => a - b),
      finality: [...this.finality].sort((a, b) => a - b),
      finalOps: this.finalOps,
      lastFinalAt: this.lastFinalAt,
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.unsubscribe()
  }
}

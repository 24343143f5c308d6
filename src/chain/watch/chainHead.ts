import type { ReadClient } from '../types.ts'
import {
  afterPoll,
  BROWSER_HEAD_POLICY,
  type HeadPolicy,
  type HeadState,
  INITIAL_HEAD_STATE,
  nextDelayMs,
} from './headPolicy.ts'

export type ChainHeadOptions = {
  /** a poll that has not answered after this long counts as a failure (ms); the transport's own timeout also holds */
  timeoutMs?: number
  /** uniform draws in [0, 1) for the jitter; Math.random by default */
  random?: () => number
}

/**
 * One participant's view of the chain head: polls the cheapest call there is, `eth_blockNumber`, on the policy's
 * schedule (headPolicy.ts: jitter, backoff on errors and timeouts) while anybody listens, and tells the listeners
 * only when the head changed. Contract views evaluate at the latest block — time-dependent ones too, chain time
 * moving only with blocks — so a reader that re-reads on each new head misses nothing a faster poll would see.
 * Polling starts with the first subscriber and stops with the last. `poke()` polls at once: call it right after
 * this participant's own transaction is mined, so its readers see it without waiting for the next tick.
 */
export class ChainHead {
  private state: HeadState = INITIAL_HEAD_STATE
  private readonly listeners = new Set<(head: bigint) => void>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private polling = false
  private again = false
  private running = false
  /** eth_blockNumber requests sent so far (diagnostics and tests) */
  polls = 0

  constructor(
    private readonly client: ReadClient,
    private readonly policy: HeadPolicy = BROWSER_HEAD_POLICY,
    private readonly options: ChainHeadOptions = {},
  ) {}

  /** The last head the node reported, undefined before its first answer. */
  get head(): bigint | undefined {
    return this.state.head
  }

  /** Failed polls in a row (0 while the node answers). */
  get failures(): number {
    return this.state.failures
  }

  /**
   * Calls `onHead` with each new head, and once soon after subscribing when the head is already known (a new reader
   * reads once). Returns the unsubscribe function.
   */
  subscribe(onHead: (head: bigint) => void): () => void {
    this.listeners.add(onHead)
    const known = this.state.head
    if (known !== undefined)
      queueMicrotask(() => {
        if (this.listeners.has(onHead)) call(onHead, known)
      })
    if (!this.running) {
      this.running = true
      void this.poll()
    }
    return () => {
      this.listeners.delete(onHead)
      if (this.listeners.size === 0) this.stop()
    }
  }

  /** Polls now instead of at the next tick (after this participant's own transaction). */
  poke(): void {
    if (!this.running) return
    if (this.polling) {
      this.again = true
      return
    }
    clearTimeout(this.timer)
    void this.poll()
  }

  /** Stops polling (subscribers stay registered; the next subscribe starts again). */
  stop(): void {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private async poll(): Promise<void> {
    this.polling = true
    let head: bigint | undefined
    try {
      this.polls++
      head = BigInt(await this.ask())
    } catch {
      head = undefined
    }
    this.polling = false
    const { state, changed } = afterPoll(this.state, head)
    this.state = state
    if (changed && head !== undefined) for (const f of [...this.listeners]) call(f, head)
    if (!this.running) return
    if (this.again) {
      this.again = false
      void this.poll()
      return
    }
    const wait = nextDelayMs(this.policy, this.state, (this.options.random ?? Math.random)())
    this.timer = setTimeout(() => void this.poll(), wait)
  }

  private ask(): Promise<string> {
    const request = this.client.request({ method: 'eth_blockNumber' }) as Promise<string>
    const timeoutMs = this.options.timeoutMs
    if (timeoutMs === undefined) return request
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`eth_blockNumber took over ${timeoutMs} ms`)), timeoutMs)
    })
    return Promise.race([request, timeout]).finally(() => clearTimeout(timer))
  }
}

/** A listener's failure is its own: it never stops the others or the polling. */
function call(f: (head: bigint) => void, head: bigint): void {
  try {
    f(head)
  } catch {
    // the listener reports its own errors
  }
}

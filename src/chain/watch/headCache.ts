import { createClient, custom } from 'viem'
import type { ReadClient } from '../types.ts'
import type { ChainHead } from './chainHead.ts'

/** Reads whose answer depends only on the chain's state at a block: the same request at the same head, same answer. */
const STATE_READS = new Set([
  'eth_call',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_getBlockByNumber',
  'eth_getLogs',
  'eth_chainId',
])

/**
 * The cache key of one JSON-RPC request, or undefined when it must always reach the node: anything but a state
 * read (eth_blockNumber, receipts, nonces, gas, sends) and any read of the `pending` block. Params are JSON (hex
 * strings), so the key is the method and its params as JSON.
 */
export function headCacheKey(method: string, params: unknown): string | undefined {
  if (!STATE_READS.has(method)) return undefined
  const text = JSON.stringify(params ?? [])
  if (text.includes('"pending"')) return undefined
  return `${method}:${text}`
}

type Entry = { head: bigint; value: Promise<unknown> }

/**
 * One cache per tab (or agent) of state reads, valid for one head: every panel asking `getChannel` at head H shares
 * one eth_call, in flight or answered, and the whole cache is dropped when ChainHead reports another head. A failed
 * read is not kept. Before the first head is known every request goes to the node.
 */
export class HeadCache {
  private readonly entries = new Map<string, Entry>()
  private at: bigint | undefined
  /** requests answered from the cache / sent to the node (diagnostics and tests) */
  hits = 0
  misses = 0

  constructor(private readonly head: ChainHead) {}

  /**
   * Forgets every answer: a transaction of ours was just mined (its receipt came back), so the head moved before
   * ChainHead polled it; and polls the head at once.
   */
  invalidate(): void {
    this.entries.clear()
    this.at = undefined
    this.head.poke()
  }

  request(key: string | undefined, send: () => Promise<unknown>): Promise<unknown> {
    const head = this.head.head
    if (key === undefined || head === undefined) {
      this.misses++
      return send()
    }
    if (head !== this.at) {
      this.entries.clear()
      this.at = head
    }
    const hit = this.entries.get(key)
    if (hit) {
      this.hits++
      return hit.value
    }
    this.misses++
    const value = send()
    this.entries.set(key, { head, value })
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key)
    })
    return value
  }
}

/**
 * A viem client that reads through `client` with a HeadCache: pass it to every reader (src/chain/readers) so
 * identical reads at one head cost one request. A receipt read through it (waiting for a transaction) drops the
 * cache, so a read right after one's own transaction sees it.
 */
export function headCachedClient(client: ReadClient, cache: HeadCache): ReadClient {
  const request = (args: { method: string; params?: unknown }) => {
    const out = cache.request(headCacheKey(args.method, args.params), () =>
      client.request(args as Parameters<ReadClient['request']>[0]),
    )
    // waiting for a transaction through this client (confirmTransaction): once mined, what follows reads fresh
    if (args.method === 'eth_getTransactionReceipt')
      out.then(
        (receipt) => receipt && cache.invalidate(),
        () => {},
      )
    return out
  }
  return createClient({
    ...(client.chain ? { chain: client.chain } : {}),
    transport: custom({ request }, { retryCount: 0 }),
  }) as ReadClient
}

import { useEffect, useState } from 'react'
import { usePublicClient } from 'wagmi'
import type { ReadClient } from '../../chain/types.ts'
import { type ChainWatch, createChainWatch } from '../../chain/watch/chainWatch.ts'
import { BROWSER_HEAD_POLICY } from '../../chain/watch/headPolicy.ts'

/**
 * The tab's chain watches, one per underlying viem client (one per chain): every panel shares its head and reads.
 * Keyed by the client's uid: wagmi's usePublicClient hands each component its own `client.extend(publicActions)`
 * object over the same client, so keying by object gave every panel its own head (bench:sync counted 5.4
 * eth_blockNumber per second per tab).
 */
const watches = new Map<string, ChainWatch>()

export function chainWatchOf(client: ReadClient): ChainWatch {
  let w = watches.get(client.uid)
  if (!w) {
    w = createChainWatch(client, BROWSER_HEAD_POLICY)
    watches.set(client.uid, w)
  }
  return w
}

/** Polls every head of this tab at once: call it after this tab sent a transaction (its readers see it now). */
export function pokeChain(): void {
  for (const w of watches.values()) w.head.poke()
}

/**
 * The tab's chain head and its shared reader (src/chain/watch): `head` changes only when a block is mined, so an
 * effect that reads through `client` and depends on `head` re-reads once per block — and identical reads of several
 * panels at one head cost one request. Both are undefined until wagmi has a client and the node answered once.
 */
export function useChainWatch(): { client: ReadClient | undefined; head: bigint | undefined } {
  const publicClient = usePublicClient() as unknown as ReadClient | undefined
  const watch = publicClient ? chainWatchOf(publicClient) : undefined
  const [head, setHead] = useState<{ watch: ChainWatch; head: bigint } | undefined>()
  useEffect(() => watch?.head.subscribe((h) => setHead({ watch, head: h })), [watch])
  return {
    client: watch?.client,
    head: head && head.watch === watch ? head.head : undefined,
  }
}

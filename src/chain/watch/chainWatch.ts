import type { ReadClient } from '../types.ts'
import { ChainHead, type ChainHeadOptions } from './chainHead.ts'
import { HeadCache, headCachedClient } from './headCache.ts'
import { BROWSER_HEAD_POLICY, type HeadPolicy } from './headPolicy.ts'

/**
 * Everything one participant (a tab, an agent) needs to follow the chain: the head (one eth_blockNumber per tick
 * whatever the number of readers) and a client whose state reads are shared per head. Readers subscribe to
 * `head` and re-read through `client` on each new head; after sending a transaction, `head.poke()`.
 */
export type ChainWatch = { head: ChainHead; client: ReadClient; cache: HeadCache }

export function createChainWatch(
  client: ReadClient,
  policy: HeadPolicy = BROWSER_HEAD_POLICY,
  options: ChainHeadOptions = {},
): ChainWatch {
  const head = new ChainHead(client, policy, options)
  const cache = new HeadCache(head)
  return { head, client: headCachedClient(client, cache), cache }
}

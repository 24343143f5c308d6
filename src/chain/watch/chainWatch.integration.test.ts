import { createPublicClient, custom, type Hex, http } from 'viem'
import { getBalance } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { confirmTransaction } from '../actions/confirmTransaction.ts'
import { type LocalChain, startLocalChain } from '../integration.fixture.ts'
import { getChannelInfo } from '../readers/getChannelInfo.ts'
import { getDisputeStatus } from '../readers/getDisputeStatus.ts'
import { createChainWatch } from './chainWatch.ts'

let local: LocalChain
beforeAll(async () => {
  local = await startLocalChain()
}, 120_000)
afterAll(async () => {
  await local?.anvil.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('one chain head per participant (real anvil, every JSON-RPC request counted)', () => {
  it('N readers cost one eth_blockNumber per tick, and their reads happen once per mined block', async () => {
    // what reaches anvil: a transport that counts each request by method on its way to the node
    const sent = new Map<string, number>()
    const node = http(local.anvil.rpcUrl)({ chain: local.chain })
    const counting = createPublicClient({
      chain: local.chain,
      transport: custom({
        request: (args: { method: string; params?: unknown }) => {
          sent.set(args.method, (sent.get(args.method) ?? 0) + 1)
          return node.request(args as Parameters<typeof node.request>[0])
        },
      }),
    })
    const count = (m: string) => sent.get(m) ?? 0
    const watch = createChainWatch(counting, { intervalMs: 100, jitter: 0, maxBackoffMs: 1000 })
    const target = { address: local.deployment.settlement, channelId: `0x${'11'.repeat(32)}` as Hex }
    const N = 6
    const heads: bigint[][] = Array.from({ length: N }, () => [])
    const reads: number[] = Array(N).fill(0)
    // the panels of one tab: each re-reads the channel and its dispute status on every new head
    const stops = heads.map((seen, i) =>
      watch.head.subscribe((h) => {
        seen.push(h)
        void Promise.all([getChannelInfo(watch.client, target), getDisputeStatus(watch.client, target)]).then(
          () => reads[i]!++,
        )
      }),
    )
    await sleep(1050)
    const ticks = count('eth_blockNumber')
    // ~10 ticks of 100 ms, one request each whatever N
    expect(ticks).toBeGreaterThanOrEqual(6)
    expect(ticks).toBeLessThanOrEqual(12)
    expect(watch.head.polls).toBe(ticks)
    // one head seen, so each distinct read went out once for all N readers: getChannel at latest, the latest
    // block, getChannel at that block
    expect(reads).toEqual(Array(N).fill(1))
    expect(count('eth_call')).toBe(2)
    expect(count('eth_getBlockByNumber')).toBe(1)
    // nothing mined for a while: no reads at all, only the head
    const idleCalls = count('eth_call')
    await sleep(500)
    expect(count('eth_call')).toBe(idleCalls)
    expect(count('eth_blockNumber')).toBeGreaterThan(ticks)

    // a block is mined: every reader hears of it once and the reads go out once more
    await local.testClient.mine({ blocks: 1 })
    await sleep(400)
    for (const seen of heads) expect(seen).toHaveLength(2)
    expect(heads[0]![1]).toBe(heads[0]![0]! + 1n)
    expect(reads).toEqual(Array(N).fill(2))
    expect(count('eth_call')).toBe(4)
    expect(count('eth_getBlockByNumber')).toBe(2)

    // after the last unsubscribe nothing is polled
    for (const stop of stops) stop()
    const after = count('eth_blockNumber')
    await sleep(400)
    expect(count('eth_blockNumber')).toBe(after)
  }, 30_000)

  it('poke() notices a block at once instead of at the next tick', async () => {
    const watch = createChainWatch(local.publicClient, {
      intervalMs: 60_000,
      jitter: 0,
      maxBackoffMs: 60_000,
    })
    const seen: bigint[] = []
    const stop = watch.head.subscribe((h) => seen.push(h))
    await sleep(300)
    expect(seen).toHaveLength(1)
    await local.testClient.mine({ blocks: 1 })
    watch.head.poke()
    await sleep(300)
    expect(seen).toEqual([seen[0]!, seen[0]! + 1n])
    stop()
  }, 30_000)

  it("a read right after one's own transaction sees it: its receipt, read through the cache, drops the cache", async () => {
    const watch = createChainWatch(local.publicClient, {
      intervalMs: 60_000,
      jitter: 0,
      maxBackoffMs: 60_000,
    })
    const stop = watch.head.subscribe(() => {})
    await sleep(200)
    const to = '0x000000000000000000000000000000000000dEaD' as const
    const before = await getBalance(watch.client, { address: to })
    // the head is not polled again for a minute: only the receipt tells the cache that the state moved
    const hash = await local.wallets[1]!.sendTransaction({ to, value: 7n })
    await confirmTransaction(watch.client, { hash })
    expect(await getBalance(watch.client, { address: to })).toBe(before + 7n)
    stop()
  }, 30_000)

  it('backs off while the node is away and recovers when it answers', async () => {
    // a port nobody listens on, then the real node behind the same client
    let url = 'http://127.0.0.1:9'
    const client = createPublicClient({
      transport: custom(
        {
          request: (args: { method: string; params?: unknown }) =>
            http(url, { retryCount: 0 })({}).request(args as never),
        },
        { retryCount: 0 },
      ),
    })
    const watch = createChainWatch(client, { intervalMs: 50, jitter: 0, maxBackoffMs: 400 })
    const seen: bigint[] = []
    const stop = watch.head.subscribe((h) => seen.push(h))
    await sleep(1000)
    // 50, 100, 200, 400, 400 …: about 5 polls in a second instead of 20
    expect(watch.head.failures).toBeGreaterThanOrEqual(3)
    expect(watch.head.polls).toBeLessThanOrEqual(7)
    expect(seen).toEqual([])
    url = local.anvil.rpcUrl
    await sleep(700)
    expect(watch.head.failures).toBe(0)
    expect(seen).toHaveLength(1)
    stop()
  }, 30_000)
})

import { useEffect, useRef, useState } from 'react'
import type { Hex } from 'viem'
import { readContract } from 'viem/actions'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import { channelSettlementAbi } from '../../../chain/generated/abis.ts'
import { getChannelInfo } from '../../../chain/readers/getChannelInfo.ts'
import { type GetDisputeStatusReturnType, getDisputeStatus } from '../../../chain/readers/getDisputeStatus.ts'
import { getParticipantInfo } from '../../../chain/readers/getParticipantInfo.ts'
import { readDepositRecords } from '../../../chain/readers/readDepositRecords.ts'
import type { ChannelStatus, ReadClient, WriteClient } from '../../../chain/types.ts'
import type { ChainView as TowerChainView } from '../../../chain/watchtower/decide.ts'
import { toHex } from '../../../core/bytes.ts'
import type { ChannelRuntime } from '../../../store/runtime.ts'
import {
  findCheckpoint,
  proposable,
  proposeOnChain,
  type SettlementContext,
  unclaimedTokens,
} from '../../../store/settlement.ts'
import { type DepositRecordView, refundable } from '../../../store/settlementPlan.ts'
import { type TowerAttempt, type TowerStep, towerStep } from '../../../store/watchtower.ts'
import { ChainClock } from '../../chainClock.ts'
import { describeError } from '../useWalletAction.tsx'

/** A participant's app waits this long per index before challenging, so honest towers do not all send at once. */
const TOWER_STAGGER_MS = 3000

export type ChainView = {
  status: GetDisputeStatusReturnType
  /** balances root of the pending or final checkpoint on chain */
  balancesRoot: Hex
  /** the final (or pending) checkpoint's deposit count: records at or above it are refundable after finalization */
  creditedDeposits: bigint
  disputeWindow: bigint
  /** per watched participant index (offenders, and this participant): its bond and whether it was slashed */
  bonds: Map<number, { bond: bigint; slashed: boolean }>
  /** after finalization: deposit records the final checkpoint does not credit and nobody refunded yet */
  refunds: DepositRecordView[]
  /** after finalization: tokens the final checkpoint still owes this participant (undefined: not known here) */
  unclaimed: number | undefined
}

/**
 * The Settlement panel's view of the chain, polled every second: dispute status, the checkpoint on chain, bonds of
 * the watched participants, refundable deposits and, after finalization, what the contract still owes this
 * participant. The open app is also a watchtower: a stale proposal is challenged with the newest certified
 * checkpoint, once per proposal, staggered by participant index so honest towers do not all send at once.
 */
export function useSettlementChain({
  live,
  ctx,
  publicClient,
  watchedKey,
  client,
  readOnly,
}: {
  live: NonNullable<ChannelRuntime['live']>
  ctx: SettlementContext
  publicClient: ReadClient | undefined
  /** participant indexes whose bonds to read, comma-separated (this participant and the offenders) */
  watchedKey: string
  client: WriteClient | undefined
  readOnly: boolean
}) {
  const me = ctx.me
  const [chain, setChain] = useState<ChainView | undefined>()
  const clock = useRef(new ChainClock()).current
  const [wallMs, setWallMs] = useState(() => Date.now())
  // the watchtower: what the last poll decided, what it sent, and which proposals it already answered
  const [tower, setTower] = useState<TowerStep | undefined>()
  const [attempt, setAttempt] = useState<TowerAttempt | undefined>()
  const attempted = useRef(new Set<string>()).current
  const firstSeen = useRef(new Map<string, number>()).current
  const towerDeps = useRef({ client, readOnly })
  towerDeps.current = { client, readOnly }

  useEffect(() => {
    if (!publicClient) return
    let stop = false
    const channelId = toHex(live.channel.channelId)
    const participants = live.channel.config.participants
    const watched = watchedKey.split(',').map(Number)
    const challenge = (key: string, version: bigint, against: bigint, c: WriteClient) => {
      attempted.add(key)
      const cp = proposable(live.replica)
      if (!cp) return
      setAttempt({ key, version, against, phase: 'sending' })
      let tx: string | undefined
      proposeOnChain(c, ctx, cp)
        .then(async (hash) => {
          tx = hash
          await confirmTransaction(c, { hash })
          setAttempt({ key, version, against, phase: 'done', tx: hash })
        })
        .catch((e: unknown) =>
          setAttempt({
            key,
            version,
            against,
            phase: 'failed',
            error: describeError(e),
            ...(tx ? { tx } : {}),
          }),
        )
    }
    const poll = async () => {
      try {
        const [status, info, ...members] = await Promise.all([
          getDisputeStatus(publicClient, { address: ctx.contract, channelId }),
          getChannelInfo(publicClient, { address: ctx.contract, channelId }),
          ...watched.map((i) =>
            getParticipantInfo(publicClient, {
              address: ctx.contract,
              channelId,
              participant: participants[i]!.address,
            }),
          ),
        ])
        let refunds: DepositRecordView[] = []
        if (status.phase === 'finalized' && info.depositCount > info.checkpoint.depositCount) {
          const records = await readDepositRecords(publicClient, {
            address: ctx.contract,
            channelId,
            fromIndex: info.checkpoint.depositCount,
          })
          const done = await Promise.all(
            records.map((r) =>
              readContract(publicClient, {
                address: ctx.contract,
                abi: channelSettlementAbi,
                functionName: 'isRefunded',
                args: [channelId, r.index],
              }),
            ),
          )
          refunds = refundable(
            records,
            true,
            info.checkpoint.depositCount,
            new Set(records.filter((_, i) => done[i]).map((r) => r.index)),
          )
        }
        let unclaimed: number | undefined
        if (status.phase === 'finalized') {
          const final = findCheckpoint(live.replica, info.checkpoint.version, info.checkpoint.balancesRoot)
          if (final) unclaimed = await unclaimedTokens(publicClient, ctx, final)
        }
        if (stop) return
        clock.observe(status.now, Date.now())
        setWallMs(Date.now())
        const bonds = new Map(
          watched.map((i, k) => [i, { bond: members[k]!.bond, slashed: members[k]!.slashed }]),
        )
        setChain({
          status,
          balancesRoot: info.checkpoint.balancesRoot,
          creditedDeposits: info.checkpoint.depositCount,
          disputeWindow: info.disputeWindow,
          bonds,
          refunds,
          unclaimed,
        })
        // the watchtower's step: decided by the chain layer's rule, sent once per stale proposal
        const view: TowerChainView = {
          status: info.status as ChannelStatus,
          version: info.checkpoint.version,
          digest: info.checkpoint.digest,
          deadline: info.deadline,
          now: status.now,
          threshold: info.threshold,
          depositCount: info.depositCount,
          forcedCount: info.forcedCount,
        }
        const step = towerStep(view, proposable(live.replica), attempted, 60n)
        setTower(step)
        const { client: c, readOnly: ro } = towerDeps.current
        if (step.send && c && !ro && step.decision.action === 'challenge') {
          const seen = firstSeen.get(step.key) ?? Date.now()
          firstSeen.set(step.key, seen)
          if (step.decision.urgent || Date.now() - seen >= me * TOWER_STAGGER_MS)
            challenge(step.key, step.decision.version, view.version, c)
        }
      } catch {
        // the next poll retries; the panel keeps the last known state
      }
    }
    void poll()
    const timer = setInterval(poll, 1000)
    return () => {
      stop = true
      clearInterval(timer)
    }
  }, [publicClient, ctx, live.channel, live.replica, watchedKey, clock, attempted, firstSeen, me])

  const counting = chain?.status.phase === 'disputing'
  // the countdown runs on the wall clock between reads, whether or not the chain mines meanwhile
  useEffect(() => {
    if (!counting) return
    const t = setInterval(() => setWallMs(Date.now()), 250)
    return () => clearInterval(t)
  }, [counting])

  return { chain, clock, wallMs, tower, attempt }
}

import type { Hex } from 'viem'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { confirmTransaction } from '../chain/actions/confirmTransaction.ts'
import { depositToken } from '../chain/actions/depositToken.ts'
import { openChannelOnChain } from '../chain/actions/openChannelOnChain.ts'
import type { WriteClient } from '../chain/types.ts'
import { toHex } from '../core/bytes.ts'
import { type ChannelConfig, computeChannelId } from '../core/channel.ts'
import { completeDraft, type Invite, roomOf } from '../core/invite.ts'
import { Lobby } from '../sync/lobby.ts'
import { joinRelay, relayDocName } from '../sync/relay.ts'
import { until } from './agentProcess.ts'

export type OpenWhenAuthorisedParameters = {
  invite: Invite
  relayUrl: string
  /** sends the open transaction: a participant's wallet (the contract refuses any other account) */
  opener: WriteClient
  /** how long to wait for every participant's session-key authorisation in the lobby */
  timeoutMs?: number
}

/**
 * What the app's channel creator does from the lobby, for channels of headless participants (tests, benchmarks):
 * reads the lobby through the relay like any participant until every participant has authorised a session key,
 * then opens the channel on chain. Returns the complete config and the channel id.
 */
export async function openWhenAuthorised(
  p: OpenWhenAuthorisedParameters,
): Promise<{ config: ChannelConfig; channelId: Hex }> {
  const { draft } = p.invite
  const doc = new Y.Doc()
  const { room, password } = roomOf(p.invite)
  const observer = joinRelay({ url: p.relayUrl, name: relayDocName(room, password), doc, WebSocket })
  const lobby = new Lobby(doc, draft)
  try {
    await until(
      () => lobby.auths().length === draft.participants.length,
      p.timeoutMs ?? 120_000,
      `every participant to authorise a session key (${lobby.auths().length}/${draft.participants.length})`,
    )
  } finally {
    observer.destroy()
  }
  const config = completeDraft(draft, lobby.auths())
  const { hash } = await openChannelOnChain(p.opener, { address: draft.verifyingContract, config })
  await confirmTransaction(p.opener, { hash })
  return { config, channelId: toHex(computeChannelId(config)) as Hex }
}

/**
 * Each wallet deposits `amounts[token]` of each channel token (ERC-20s; 0 skips it), waiting for every receipt.
 * At most `lanes` wallets at a time: a hundred approve + simulate + deposit + receipt sequences at once queue up in
 * one node until its requests time out.
 */
export async function depositEach(
  wallets: WriteClient[],
  p: { address: Hex; channelId: Hex; tokens: Hex[]; amounts: bigint[]; lanes?: number },
): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < wallets.length) {
      const w = wallets[next++]!
      for (const [i, token] of p.tokens.entries()) {
        const amount = p.amounts[i] ?? 0n
        if (amount === 0n) continue
        const { hash } = await depositToken(w, { address: p.address, channelId: p.channelId, token, amount })
        await confirmTransaction(w, { hash })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(p.lanes ?? 8, wallets.length) }, lane))
}

import { fromHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import { CLOSE_REFUSAL_TEXT, closeDigest, closeRefusal } from '../close.ts'
import { closeIsCurrent } from '../closeProgress.ts'
import { type CloseOp, OpTag } from '../ops.ts'
import { signDigest } from '../signature.ts'
import type { Checkpointer } from './checkpoints.ts'
import type { OwnKeys } from './ownKeys.ts'

/**
 * The local author's Close op for the checkpoint it computed at `version` (cooperative close, issue #12), signed by
 * the key in force for that version. Throws with the core's refusal (closeRefusal) when it has not computed that
 * checkpoint or already signed another close at that version, and when the close is superseded: a newer checkpoint
 * or newer final trading ops (closeIsCurrent); throws when the replica has no author key.
 */
export function signCloseOp(
  channel: Channel,
  checkpointer: Checkpointer,
  ownKeys: OwnKeys,
  version: bigint,
): CloseOp {
  const me = ownKeys.me
  if (!me) throw new Error('this replica has no author key')
  const own = checkpointer.checkpoints.get(version)
  const refusal =
    own &&
    (closeRefusal(channel, own, own, checkpointer.closes.signedBy(me.index, version)) ??
      (closeIsCurrent(version, checkpointer.checkpoints.latestVersion, checkpointer.opsSinceCheckpoint)
        ? undefined
        : 'superseded'))
  if (!own || refusal) throw new Error(CLOSE_REFUSAL_TEXT[refusal ?? 'not-computed'])
  const signature = signDigest(closeDigest(channel, own), ownKeys.keyForVersion(me, version))
  return { tag: OpTag.Close, version, checkpointDigest: fromHex(own.digest, 32), signature }
}

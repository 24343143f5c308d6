import { REJECT_NAMES } from '../../core/reasons.ts'
import { type OwnOpStatus, ownOpStatus } from '../../store/ownOpStatus.ts'
import type { SubmitOutcome } from '../../store/submit.ts'
import { useSnapshot, useTrading } from './context.ts'

/** What a form says after a submit: refused before sending, rejected by the fold, or sent (then `seq` is its block's). */
export type SubmitMessage = { ok: boolean; text: string; seq?: bigint }

/** A submit's outcome in words: refused (why), rejected (the fold's reason), or `done` — whose status follows it. */
export function outcomeMessage(r: SubmitOutcome, done: string): SubmitMessage {
  if (!r.ok) return { ok: false, text: `Refused: ${r.reason}` }
  if (r.result !== 0) return { ok: false, text: `Rejected: ${REJECT_NAMES[r.result] ?? `code ${r.result}`}` }
  return { ok: true, text: done, seq: r.seq }
}

const STATUS_TEXT: Record<OwnOpStatus, string> = {
  pending: 'pending',
  final: 'final',
  dropped: 'dropped: sent while cut off, never applied — submit it again',
}

/**
 * A form's message after a submit. A sent op's status is read again on every UI snapshot, so the line goes from
 * "(pending)" to "(final)" — or "(dropped …)" after a chain restart — instead of saying "pending" for good.
 */
export function SubmitStatus({
  message,
  testId,
  okClass = 'ok',
}: {
  message: SubmitMessage
  testId?: string
  okClass?: string
}) {
  const { session } = useTrading()
  const me = useSnapshot((s) => s.me)
  // read again on every snapshot: a block becomes final without this form's state changing
  useSnapshot((s) => s)
  const status = message.seq === undefined ? undefined : ownOpStatus(session.replica, me, message.seq)
  return (
    <p className={message.ok && status !== 'dropped' ? okClass : 'error'} role="status" data-testid={testId}>
      {status === undefined ? message.text : `${message.text} (${STATUS_TEXT[status]})`}
    </p>
  )
}

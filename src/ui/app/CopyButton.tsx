import { useEffect, useState } from 'react'

/**
 * Copies `text` to the clipboard and says so: "Copied" for two seconds, or why it could not (no clipboard outside
 * a secure context, permission refused) with what to do instead. Never leaves a rejected promise unhandled.
 */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state !== 'copied') return
    const t = setTimeout(() => setState('idle'), 2000)
    return () => clearTimeout(t)
  }, [state])
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          try {
            if (!navigator.clipboard) throw new Error('no clipboard')
            await navigator.clipboard.writeText(text)
            setState('copied')
          } catch {
            setState('failed')
          }
        }}
      >
        {state === 'copied' ? 'Copied' : label}
      </button>
      <span className="sr-only" role="status">
        {state === 'copied' ? 'Copied' : ''}
      </span>
      {state === 'failed' && (
        <span className="error" role="alert">
          Could not copy: select the link and copy it (Ctrl+C / ⌘C)
        </span>
      )}
    </>
  )
}

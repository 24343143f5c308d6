import { useEffect, useRef, useState } from 'react'
import { HEARTBEAT_MS, type Liveness, updateLiveness } from '../../store/liveness.ts'
import { useSnapshot, useTrading } from './context.ts'

/** Each participant's liveness, re-read from awareness heartbeats every second. */
export function useLiveness(): Liveness[] {
  const { seen, channel } = useTrading()
  const me = useSnapshot((s) => s.me)
  const n = channel.config.participants.length
  const prev = useRef<Liveness[]>([])
  const [live, setLive] = useState<Liveness[]>(() => updateLiveness([], n, me, seen(), Date.now()))
  useEffect(() => {
    const tick = () => {
      prev.current = updateLiveness(prev.current, n, me, seen(), Date.now())
      setLive(prev.current)
    }
    tick()
    const t = setInterval(tick, HEARTBEAT_MS)
    return () => clearInterval(t)
  }, [seen, n, me])
  return live
}

// built once: toLocaleTimeString builds a formatter per call, and the activity feed and trade history format up to
// 150 times per render (the top self time left in a bench:sync renderer's React work)
const hoursMinutes = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' })
const withSeconds = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })

/** 12:03 (local time, hours and minutes; seconds when it is within the last minute). */
export function clockTime(ms: number, now = Date.now()): string {
  return (now - ms < 60_000 ? withSeconds : hoursMinutes).format(new Date(ms))
}

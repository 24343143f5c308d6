import { describe, expect, it } from 'vitest'
import { urgentTask } from './urgentTask.ts'

describe('urgentTask', () => {
  it('runs the task in a task of its own, not before the current one ends (no microtask chain)', async () => {
    const events: string[] = []
    urgentTask(() => events.push('task'))
    await Promise.resolve()
    events.push('microtasks done')
    await new Promise((r) => setTimeout(r, 5))
    expect(events).toEqual(['microtasks done', 'task'])
  })
})

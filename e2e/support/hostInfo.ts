import { existsSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'

/**
 * What a benchmark row ran on: the same code measured 116–161 ms and 49–95 ms finality on two machines of one kind
 * (2 cores) a day apart, so a row without its CPU and browser build cannot be compared with another. A hypervisor
 * may mask the model name ("AMD EPYC"); Linux still reports the family and model numbers (26/2: Zen 5).
 */
export function hostInfo(browserVersion?: string): { cpu: string; cores: number; chromium?: string } {
  const all = cpus()
  let cpu = all[0]?.model.trim() ?? 'unknown'
  if (existsSync('/proc/cpuinfo')) {
    const info = readFileSync('/proc/cpuinfo', 'utf8')
    const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(\\S+)`, 'm'))?.[1]
    const family = field('cpu family')
    const model = field('model')
    if (family && model) cpu += ` (family ${family}, model ${model})`
  }
  return { cpu, cores: all.length, ...(browserVersion ? { chromium: browserVersion } : {}) }
}

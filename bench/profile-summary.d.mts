export interface CpuProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number; columnNumber?: number; scriptId?: string}
  children?: number[]
}
export interface CpuProfile {
  nodes: CpuProfileNode[]
  startTime: number
  endTime?: number
  samples: number[]
  timeDeltas: number[]
}
export interface ProfileSummary {
  requests: number
  busy_us_per_request: number
  tokenhub_us_per_request: number
  idle_share: number | null
  groups: Array<{name: string; us_per_request: number}>
}
export function bundleModules(bundleText: string): (line: number) => string | null
export function summariseProfile(
  profile: CpuProfile,
  options: {requests: number; fromUs?: number; toUs?: number; moduleAt?: ((line: number) => string | null) | null; top?: number},
): ProfileSummary

import type {RoutingMode} from '../schemas/common.js'

export interface ModeWeights {
  cost: number
  latency: number
  failure: number
  weight: number
}

/** TokenHub's profiles (cheap, normal, high_confidence, planning, adversarial) plus fast. */
export const MODE_WEIGHTS: Record<Exclude<RoutingMode, 'thompson'>, ModeWeights> = {
  cheap: {cost: 0.7, latency: 0.1, failure: 0.1, weight: 0.1},
  normal: {cost: 0.25, latency: 0.25, failure: 0.25, weight: 0.25},
  high_confidence: {cost: 0.05, latency: 0.1, failure: 0.15, weight: 0.7},
  planning: {cost: 0.1, latency: 0.1, failure: 0.2, weight: 0.6},
  adversarial: {cost: 0.1, latency: 0.1, failure: 0.2, weight: 0.6},
  fast: {cost: 0.1, latency: 0.7, failure: 0.1, weight: 0.1},
}

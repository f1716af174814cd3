/**
 * Thompson sampling over a Beta posterior per (model, token-size bucket). Rewards in [0,1] update
 * the posterior; old evidence decays with a half-life so the router follows a model whose quality
 * or speed changes. Pure: randomness and the clock are injected.
 */

export const TOKEN_BUCKETS = ['small', 'medium', 'large', 'xlarge'] as const
export type TokenBucket = (typeof TOKEN_BUCKETS)[number]

export function tokenBucket(tokens: number): TokenBucket {
  if (tokens < 1_000) return 'small'
  if (tokens < 8_000) return 'medium'
  if (tokens < 32_000) return 'large'
  return 'xlarge'
}

export interface Posterior {
  model_id: string
  token_bucket: TokenBucket
  alpha: number
  beta: number
  mean: number
  samples: number
  /** ISO 8601: the last reward (or decay to a sample). */
  updated_at: string
}

interface Arm {
  alpha: number
  beta: number
  samples: number
  updatedAt: number
}

export interface BanditOptions {
  random: () => number
  now: () => number
  /** Evidence loses half its weight over this time. */
  halfLifeMs?: number
}

export interface RewardInput {
  success: boolean
  latencyMs: number
  costUsd: number
  /** Latency at which the latency penalty is full (the request's limit, else 20 s). */
  latencyBudgetMs?: number
  /** Cost at which the cost penalty is full (the request's budget, else $0.05). */
  costBudgetUsd?: number
}

/** Attempt failures that are the model's (or its provider's) doing, not the request's. */
const MODEL_FAILURES = new Set(['transient', 'timeout', 'network', 'upstream_config', 'upstream_auth', 'rate_limited'])

/**
 * The models a request tried and that failed it before another answered (or before it gave up):
 * each earns a reward of 0, once per request. The answering model's own outcome is its reward.
 */
export function failedBeforeAnswer(attempts: ReadonlyArray<{model_id: string; error_class: string | null}>, answeredBy: string | null): string[] {
  // The common case on the request path: one attempt, nothing failed before it.
  if (attempts.length < 2) return []
  const failed = new Set<string>()
  for (const attempt of attempts) if (attempt.error_class !== null && MODEL_FAILURES.has(attempt.error_class) && attempt.model_id !== answeredBy) failed.add(attempt.model_id)
  return [...failed]
}

/** 0 for a failure; for a success 1 minus up to 0.25 for latency and 0.25 for cost. */
export function rewardOf(input: RewardInput): number {
  if (!input.success) return 0
  const latency = Math.min(1, Math.max(0, input.latencyMs / (input.latencyBudgetMs || 20_000)))
  const cost = Math.min(1, Math.max(0, input.costUsd / (input.costBudgetUsd || 0.05)))
  return 1 - 0.25 * latency - 0.25 * cost
}

export class ThompsonBandit {
  private readonly arms = new Map<string, Arm>()
  private readonly halfLifeMs: number

  constructor(private readonly options: BanditOptions) {
    this.halfLifeMs = options.halfLifeMs ?? 3_600_000
  }

  sample(modelId: string, bucket: TokenBucket): number {
    const arm = this.decayed(modelId, bucket)
    return sampleBeta(arm.alpha, arm.beta, this.options.random)
  }

  /** Adds a reward; `at` (epoch ms) replays a past one from the journal with its own age. */
  update(modelId: string, bucket: TokenBucket, reward: number, at?: number): void {
    const r = Math.min(1, Math.max(0, Number.isFinite(reward) ? reward : 0))
    const arm = this.decayed(modelId, bucket, at)
    arm.alpha += r
    arm.beta += 1 - r
    arm.samples++
    this.arms.set(key(modelId, bucket), arm)
  }

  /** Drops a model's evidence in every bucket: it was deleted, or made anew (its history is not its own). */
  forget(modelId: string): void {
    for (const bucket of TOKEN_BUCKETS) this.arms.delete(key(modelId, bucket))
  }

  posteriors(): Posterior[] {
    return [...this.arms.entries()].map(([k, arm]) => {
      const [modelId, bucket] = splitKey(k)
      return {
        model_id: modelId,
        token_bucket: bucket,
        alpha: arm.alpha,
        beta: arm.beta,
        mean: arm.alpha / (arm.alpha + arm.beta),
        samples: arm.samples,
        updated_at: new Date(arm.updatedAt).toISOString(),
      }
    })
  }

  /** The arm with its evidence decayed to now (prior Beta(1,1) for a new arm). */
  private decayed(modelId: string, bucket: TokenBucket, at?: number): Arm {
    const now = at ?? this.options.now()
    const arm = this.arms.get(key(modelId, bucket)) ?? {alpha: 1, beta: 1, samples: 0, updatedAt: now}
    const factor = 0.5 ** (Math.max(0, now - arm.updatedAt) / this.halfLifeMs)
    const next = {alpha: 1 + (arm.alpha - 1) * factor, beta: 1 + (arm.beta - 1) * factor, samples: arm.samples, updatedAt: Math.max(now, arm.updatedAt)}
    this.arms.set(key(modelId, bucket), next)
    return next
  }
}

const key = (modelId: string, bucket: TokenBucket) => `${bucket}\u0000${modelId}`
const splitKey = (k: string): [string, TokenBucket] => {
  const i = k.indexOf('\u0000')
  return [k.slice(i + 1), k.slice(0, i) as TokenBucket]
}

/** Standard normal by Box-Muller. */
function sampleNormal(random: () => number): number {
  const u = Math.max(random(), Number.MIN_VALUE)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** Gamma(shape, 1) by Marsaglia and Tsang (boosted for shape < 1). */
function sampleGamma(shape: number, random: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * Math.max(random(), Number.MIN_VALUE) ** (1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = sampleNormal(random)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = random()
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
  }
}

export function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const x = sampleGamma(alpha, random)
  const y = sampleGamma(beta, random)
  return x + y === 0 ? 0.5 : x / (x + y)
}

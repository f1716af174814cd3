/**
 * Where a model's prices come from. The server decides it from what the operator gave and the
 * model catalog; a client never sets it (routing refuses `unpriced` models unless allowed).
 */
export type PricingSource = 'catalog' | 'manual' | 'unpriced'

export interface CreatePricesInput {
  id: string
  kind: 'chat' | 'embedding'
  input_per_1k?: number
  output_per_1k?: number
  /** The catalog's prices for the model, when it is a known public model. */
  known?: {input_per_1k?: number; output_per_1k?: number}
}

export interface CreatedPrices {
  input_per_1k: number
  output_per_1k: number
  pricing_source: PricingSource
  warnings: string[]
}

/**
 * A new model's prices: both from the catalog when neither is given (`catalog`), else `manual`
 * with a price left out taken from the catalog, or $0 with a warning (an embedding model's
 * output is $0 anyway). Neither given and not in the catalog: `unpriced`.
 */
export function createPrices(input: CreatePricesInput): CreatedPrices {
  const {known} = input
  if (input.input_per_1k === undefined && input.output_per_1k === undefined) {
    if (known?.input_per_1k !== undefined) return {input_per_1k: known.input_per_1k, output_per_1k: known.output_per_1k ?? 0, pricing_source: 'catalog', warnings: []}
    return {
      input_per_1k: 0,
      output_per_1k: 0,
      pricing_source: 'unpriced',
      warnings: [
        `no price given and "${input.id}" is not in the model catalog: it is not routed until you set input_per_1k / output_per_1k (0 for a free model), or the daemon runs with TOKENHUB_ALLOW_UNPRICED=true (its requests then cost $0)`,
      ],
    }
  }
  const warnings: string[] = []
  const fill = (field: 'input_per_1k' | 'output_per_1k', tokens: string): number => {
    const given = input[field]
    if (given !== undefined) return given
    const catalog = known?.[field]
    if (catalog !== undefined) return catalog
    if (!(field === 'output_per_1k' && input.kind === 'embedding')) {
      warnings.push(`${field} not given and "${input.id}" is not in the model catalog: its ${tokens} tokens cost $0 (set ${field} if they are not free)`)
    }
    return 0
  }
  return {input_per_1k: fill('input_per_1k', 'input'), output_per_1k: fill('output_per_1k', 'output'), pricing_source: 'manual', warnings}
}

/**
 * A changed model's pricing source: `manual` once a price is set, else as it was. A price equal
 * to the stored one in a body that is a GET result sent back (`resent`) is not a decision, so an
 * unpriced model does not become routable at $0 by a round trip.
 */
export function patchedPricingSource(
  current: {input_per_1k: number; output_per_1k: number; pricing_source: string},
  change: {input_per_1k?: number; output_per_1k?: number},
  resent: boolean,
): string {
  const set = (field: 'input_per_1k' | 'output_per_1k') => change[field] !== undefined && (!resent || change[field] !== current[field])
  return set('input_per_1k') || set('output_per_1k') ? 'manual' : current.pricing_source
}

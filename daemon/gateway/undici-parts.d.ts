// Types for the two undici modules the gateway loads on their own (upstream-client.ts says why).
declare module 'undici/lib/dispatcher/agent.js' {
  import {Agent} from 'undici'
  export default Agent
}

declare module 'undici/lib/core/errors.js' {
  import {errors} from 'undici'
  export default errors
}

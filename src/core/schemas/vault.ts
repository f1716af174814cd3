import * as z from 'zod'

const password = z.string().min(1, 'must not be empty').max(1024)

/** TokenHub (Go) sends `admin_password`; `password` is ours. */
export const vaultUnlockSchema = z
  .strictObject({password: password.optional(), admin_password: password.optional()})
  .refine((v) => (v.password === undefined) !== (v.admin_password === undefined), {message: 'give the password as "password"', path: ['password']})

export const vaultRotateSchema = z.strictObject({old_password: password, new_password: password})

export const adminTokenRotateSchema = z.strictObject({token: z.string().optional()})
